/**
 * A Raft-clustered database served by N ovsdb-server members (default 3) on loopback: `ovsdb-tool create-cluster`
 * for the first member, `join-cluster` for the others, each member started with startOvsdbServer (unix socket +
 * kernel-chosen client port). Raft links use tcp:127.0.0.1 ports reserved from the kernel (or unix sockets).
 */
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, readFile, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMAS, startOvsdbServer, type OvsdbServer, type SchemaName } from "./ovsdb-server.js";
import { SandboxError, pollUntil, run } from "./process.js";
import { UnixctlClient } from "./unixctl.js";

export type RaftTransport = "tcp" | "unix";

export interface OvsdbClusterOptions {
  schema: SchemaName | string;
  /** Directory for the members (member i in <dir>/<i>); default a fresh temp dir. */
  dir?: string;
  /** Number of members; default 3. */
  members?: number;
  /** Raft links over tcp:127.0.0.1 (default) or unix sockets. */
  raft?: RaftTransport;
  /**
   * Fixed tcp ports for the Raft links (one per member) instead of ports reserved from the kernel. A taken port
   * then fails with RAFT_PORT_IN_USE (reserved ports are retried with fresh ones instead).
   */
  raftPorts?: readonly number[];
  extraArgs?: string[];
  timeoutMs?: number;
}

export interface OvsdbCluster {
  readonly dir: string;
  /** The database name from the schema (e.g. "OVN_Northbound"). */
  readonly database: string;
  readonly members: readonly OvsdbServer[];
  readonly raftAddresses: readonly string[];
  /** "unix:<m1>,unix:<m2>,..." (clients pick a member; OVN tools follow the leader). */
  readonly unixRemote: string;
  /** "tcp:127.0.0.1:<p1>,..." */
  readonly tcpRemote: string;
  /** `cluster/status <db>` of member i (0-based). */
  status(i: number): Promise<string>;
  /** Index of the member that reports itself leader. */
  leader(): Promise<number>;
  stop(opts?: { removeDir?: boolean }): Promise<void>;
}

/** Reserves `n` distinct loopback ports chosen by the kernel (bound together, then released). */
export async function reserveLoopbackPorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<import("node:net").Server>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** True (or undefined, for polling) once something accepts connections on a Raft address. */
function raftListening(address: string): Promise<true | undefined> {
  // a unix socket file appears when ovsdb-server binds it (its path may be too long for connect() from here)
  if (address.startsWith("unix:")) return Promise.resolve(existsSync(address.slice(5)) ? true : undefined);
  return new Promise((resolve) => {
    const sock = connect(Number(address.slice(address.lastIndexOf(":") + 1)), "127.0.0.1");
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(undefined));
  });
}

async function schemaDatabaseName(schemaPath: string): Promise<string> {
  try {
    const name = (JSON.parse(await readFile(schemaPath, "utf8")) as { name?: unknown }).name;
    if (typeof name === "string") return name;
  } catch (e) {
    throw new SandboxError("MISSING_SCHEMA", `cannot read schema ${schemaPath}: ${(e as Error).message}`, { cause: e });
  }
  throw new SandboxError("MISSING_SCHEMA", `schema ${schemaPath} has no name`);
}

async function memberStatus(ctl: UnixctlClient, database: string): Promise<string> {
  return ctl.command("cluster/status", database);
}

async function startOnce(
  dir: string, schemaPath: string, database: string, n: number, raft: RaftTransport, raftPorts: readonly number[] | undefined,
  extraArgs: string[], timeoutMs: number,
): Promise<OvsdbCluster> {
  const memberDirs = Array.from({ length: n }, (_, i) => join(dir, String(i + 1)));
  await Promise.all(memberDirs.map((d) => mkdir(d, { recursive: true })));
  const raftAddresses = raft === "unix"
    ? memberDirs.map((d) => `unix:${join(d, "raft.sock")}`)
    : (raftPorts ?? (await reserveLoopbackPorts(n))).map((p) => `tcp:127.0.0.1:${p}`);
  const dbPaths = memberDirs.map((d) => join(d, "db.db"));
  await run("ovsdb-tool", ["create-cluster", dbPaths[0]!, schemaPath, raftAddresses[0]!]);
  await Promise.all(dbPaths.slice(1).map((p, i) => run("ovsdb-tool", ["join-cluster", p, database, raftAddresses[i + 1]!, raftAddresses[0]!])));

  // the first member first, and its Raft port listening (it opens it in its main loop, after start-up):
  // joiners that find nobody listening back off for a second before retrying
  const first = await Promise.allSettled([startOvsdbServer({ dir: memberDirs[0]!, dbPath: dbPaths[0]!, tcp: true, extraArgs })
    .then(async (m) => {
      await pollUntil(`raft address ${raftAddresses[0]} to listen`, () => raftListening(raftAddresses[0]!), timeoutMs, 2).catch(async (e) => {
        await m.stop();
        throw e;
      });
      return m;
    })]);
  const started = first[0]!.status === "rejected" ? first : [
    ...first,
    ...(await Promise.allSettled(memberDirs.slice(1).map((d, i) => startOvsdbServer({ dir: d, dbPath: dbPaths[i + 1]!, tcp: true, extraArgs })))),
  ];
  const members = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const cluster: OvsdbCluster = {
    dir, database, members, raftAddresses,
    unixRemote: members.map((m) => m.unixRemote).join(","),
    tcpRemote: members.map((m) => m.tcpRemote ?? "").join(","),
    async status(i) {
      const ctl = await UnixctlClient.connect(members[i]!.ctlSocket);
      try {
        return await memberStatus(ctl, database);
      } finally {
        await ctl.close();
      }
    },
    async leader() {
      for (let i = 0; i < members.length; i++) {
        if (/^Role: leader$/m.test(await this.status(i))) return i;
      }
      throw new SandboxError("NO_LEADER", `no member of the ${database} cluster in ${dir} is leader`);
    },
    async stop(opts = {}) {
      await Promise.all(members.map((m) => m.stop()));
      if (opts.removeDir) await rm(dir, { recursive: true, force: true });
    },
  };
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await cluster.stop();
    throw (failed as PromiseRejectedResult).reason;
  }

  const ctls: UnixctlClient[] = [];
  try {
    for (const m of members) ctls.push(await UnixctlClient.connect(m.ctlSocket));
    await pollUntil(`${database} members in ${dir} to form a cluster`, async () => {
      // a member whose raft port was taken is a member of nothing anyone can reach: check every log, every time
      for (const m of members) {
        const log = await readFile(m.logPath, "utf8").catch(() => "");
        if (/raft.*Address already in use/.test(log)) throw new SandboxError("RAFT_PORT_IN_USE", `raft port of ${m.dir} is taken`);
      }
      const statuses = await Promise.all(ctls.map((c) => memberStatus(c, database)));
      return statuses.every((st) => /^Status: cluster member$/m.test(st)) ? true : undefined;
    }, timeoutMs, 5);
  } catch (e) {
    await Promise.all(ctls.map((c) => c.close()));
    await cluster.stop();
    throw e;
  }
  await Promise.all(ctls.map((c) => c.close()));
  return cluster;
}

export async function startOvsdbCluster(options: OvsdbClusterOptions): Promise<OvsdbCluster> {
  const schemaPath = (SCHEMAS as Record<string, string>)[options.schema] ?? options.schema;
  const database = await schemaDatabaseName(schemaPath);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "ovnkit-cluster-")));
  const n = options.members ?? 3;
  if (!Number.isInteger(n) || n < 1) throw new SandboxError("BAD_OPTION", `cluster members must be a positive integer, got ${n}`);
  const raft = options.raft ?? "tcp";
  if (options.raftPorts && (raft !== "tcp" || options.raftPorts.length !== n)) {
    throw new SandboxError("BAD_OPTION", `raftPorts needs raft "tcp" and one port per member (${n})`);
  }
  // a reserved tcp port can be taken by someone else before ovsdb-server binds it: retry with fresh ports
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dir, schemaPath, database, n, raft, options.raftPorts, options.extraArgs ?? [], options.timeoutMs ?? 20_000);
    } catch (e) {
      if (!(e instanceof SandboxError && e.code === "RAFT_PORT_IN_USE") || options.raftPorts || attempt >= 3) throw e;
      await rm(dir, { recursive: true, force: true });
    }
  }
}
