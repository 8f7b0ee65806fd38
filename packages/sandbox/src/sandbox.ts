/**
 * An OVN sandbox in a directory: NB + SB ovsdb-servers (standalone or Raft), ovn-northd, a simulated underlay and
 * N chassis hv1..hvN with geneve tunnels between them. Start, stop (by pid, only its own daemons), status.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCentralDb, startNorthd, type CentralDb } from "./central.js";
import { startChassis, type Chassis } from "./chassis.js";
import { ownedPid, type Daemon } from "./daemon.js";
import { createTemplate } from "./db-template.js";
import { SCHEMAS } from "./ovsdb-server.js";
import type { RaftTransport } from "./ovsdb-cluster.js";
import { OvsdbQuery, setColumn } from "./ovsdb-query.js";
import { checkPrerequisites } from "./prerequisites.js";
import { SandboxError, pollUntil, run, stopPid } from "./process.js";
import {
  assertSandboxDir, claimDir, findPidfiles, findRunningDaemons, readState, sandboxEnv, writeState,
  type DaemonRecord, type SandboxState,
} from "./state.js";
import { MAX_CHASSIS, startUnderlay, tunnelEndpoint, underlayConnected, type Underlay } from "./underlay.js";
import type { VmPort, VmPortOptions } from "./vm-port.js";

export interface SandboxOptions {
  /** Directory to run in (created; a stopped sandbox there is wiped). Default: a fresh temp dir. */
  dir?: string;
  /** Number of chassis hv1..hvN; default 2. */
  chassis?: number;
  /** NB and SB as 3-member Raft clusters; default standalone. */
  clustered?: boolean;
  /** Raft links over loopback tcp (default) or unix sockets. */
  raft?: RaftTransport;
  /** Tunnel encapsulation; default "geneve". */
  encapType?: string;
  /** Extra daemon arguments, e.g. { nb: ["-vjsonrpc:file:dbg"] }. */
  extraArgs?: { nb?: string[]; sb?: string[]; northd?: string[]; vswitchd?: string[]; controller?: string[] };
  /** Readiness timeout; default 30 s. */
  timeoutMs?: number;
}

/** Milliseconds from the start call until each part was up. */
export interface StartTimings {
  central: number;
  chassis: number;
  ready: number;
  total: number;
}

export interface DaemonStatus extends DaemonRecord {
  alive: boolean;
}

export interface SandboxStatus {
  dir: string;
  state: SandboxState | undefined;
  daemons: DaemonStatus[];
  /** Every recorded daemon is alive. */
  running: boolean;
  aliveCount: number;
}

export interface StopResult {
  /** Daemons that were alive and were stopped. */
  stopped: number;
  ms: number;
}

function daemonRecord(d: Daemon): DaemonRecord {
  return { label: d.label, program: d.program, pid: d.pid, pidfile: d.pidfile };
}

/** Marks a promise as handled (it is awaited later): an early rejection must not crash the process. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export class Sandbox {
  constructor(
    readonly dir: string,
    readonly clustered: boolean,
    readonly nb: CentralDb,
    readonly sb: CentralDb,
    readonly northd: Daemon,
    readonly underlay: Underlay,
    readonly chassis: readonly Chassis[],
    readonly timings: StartTimings,
    readonly state: SandboxState,
  ) {}

  get nbRemote(): string {
    return this.nb.unixRemote;
  }

  get sbRemote(): string {
    return this.sb.unixRemote;
  }

  get nbTcpRemote(): string {
    return this.nb.tcpRemote;
  }

  get sbTcpRemote(): string {
    return this.sb.tcpRemote;
  }

  /** OVN_NB_DB, OVN_SB_DB, ... as written to env.sh. */
  env(): Record<string, string> {
    return sandboxEnv(this.state);
  }

  /** The chassis named e.g. "hv1"; SandboxError NO_SUCH_CHASSIS otherwise. */
  hv(name: string): Chassis {
    const c = this.chassis.find((x) => x.name === name);
    if (!c) throw new SandboxError("NO_SUCH_CHASSIS", `no chassis ${name} (have ${this.chassis.map((x) => x.name).join(", ")})`);
    return c;
  }

  async nbctl(...args: string[]): Promise<string> {
    return (await run("ovn-nbctl", [`--db=${this.nbRemote}`, "--timeout=30", ...args])).stdout;
  }

  async sbctl(...args: string[]): Promise<string> {
    return (await run("ovn-sbctl", [`--db=${this.sbRemote}`, "--timeout=30", ...args])).stdout;
  }

  /** `ovn-nbctl --wait=hv sync`: returns once every chassis has caught up with NB. */
  async syncHv(): Promise<void> {
    await this.nbctl("--wait=hv", "sync");
  }

  addVmPort(chassis: string, opts: VmPortOptions): Promise<VmPort> {
    return this.hv(chassis).addVmPort(opts);
  }

  status(): Promise<SandboxStatus> {
    return sandboxStatus(this.dir);
  }

  /** Closes connections and captures, stops every daemon of the sandbox; removeDir deletes the directory too. */
  async stop(opts: { removeDir?: boolean } = {}): Promise<StopResult> {
    await Promise.all(this.chassis.map((c) => c.close()));
    const result = await stopSandbox(this.dir);
    if (opts.removeDir) await rm(this.dir, { recursive: true, force: true });
    return result;
  }
}

async function waitReady(nb: CentralDb, sb: CentralDb, chassis: readonly Chassis[], timeoutMs: number): Promise<void> {
  const q = await OvsdbQuery.connect(sb.servers[0]!.unixSocket, sb.database);
  try {
    const names = chassis.map((c) => c.name);
    await Promise.all([
      pollUntil(`chassis ${names.join(", ")} to register in SB`, async () => {
        const rows = await q.select("Chassis", [], ["name", "encaps"]);
        const ok = new Set(rows.filter((r) => setColumn(r["encaps"]).length > 0).map((r) => r["name"]));
        return names.every((n) => ok.has(n)) ? true : undefined;
      }, timeoutMs, 10),
      ...chassis.map((c) => pollUntil(`${c.name} br-phys to connect to the underlay`, async () => ((await underlayConnected(c.vswitchdCtl)) ? true : undefined), timeoutMs, 5)),
    ]);
  } finally {
    await q.close();
  }
  await run("ovn-nbctl", [`--db=${nb.unixRemote}`, `--timeout=${Math.ceil(timeoutMs / 1000)}`, "--wait=hv", "sync"]);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = performance.now();
  const since = () => Math.round(performance.now() - t0);
  const n = options.chassis ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHASSIS) throw new SandboxError("BAD_OPTION", `chassis must be an integer in 1..${MAX_CHASSIS}, got ${n}`);
  checkPrerequisites();
  const dir = resolve(options.dir ?? (await mkdtemp(join(tmpdir(), "ovnkit-sandbox-"))));
  const clustered = options.clustered ?? false;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const extra = options.extraArgs ?? {};
  const release = await claimDir(dir);
  const timings: StartTimings = { central: 0, chassis: 0, ready: 0, total: 0 };
  let chassisList: Chassis[] = [];
  try {
    const endpoints = Array.from({ length: n }, (_, i) => tunnelEndpoint(`hv${i + 1}`, i + 1));
    const nbP = handled(startCentralDb("nb", { dir, clustered, raft: options.raft, extraArgs: extra.nb }));
    const sbP = handled(startCentralDb("sb", { dir, clustered, raft: options.raft, extraArgs: extra.sb }));
    const northdP = handled(Promise.all([nbP, sbP]).then(async ([nb, sb]) => {
      const d = await startNorthd(dir, nb, sb, extra.northd);
      timings.central = since();
      return d;
    }));
    const dbTemplate = handled(createTemplate(dir, SCHEMAS.vswitch));
    const underlayP = handled(startUnderlay(dir, endpoints.map((e) => e.name), dbTemplate));
    const sbRemote = handled(sbP.then((sb) => sb.unixRemote));
    const chassisP = endpoints.map((endpoint) => handled(startChassis({
      sandboxDir: dir, endpoint, peers: endpoints, underlayReady: underlayP, sbRemote, dbTemplate,
      encapType: options.encapType, vswitchdArgs: extra.vswitchd, controllerArgs: extra.controller,
    })));
    const settled = await Promise.allSettled([nbP, sbP, northdP, underlayP, ...chassisP]);
    chassisList = settled.slice(4).flatMap((r) => (r.status === "fulfilled" ? [r.value as Chassis] : []));
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    timings.chassis = since();
    const [nb, sb, northd, underlay] = await Promise.all([nbP, sbP, northdP, underlayP]);
    await waitReady(nb, sb, chassisList, timeoutMs);
    timings.ready = since();
    const daemons: DaemonRecord[] = [
      ...nb.servers.map((s, i) => ({ label: nb.servers.length > 1 ? `nb ovsdb-server ${i + 1}` : "nb ovsdb-server", program: "ovsdb-server", pid: s.pid, pidfile: join(s.dir, "ovsdb-server.pid") })),
      ...sb.servers.map((s, i) => ({ label: sb.servers.length > 1 ? `sb ovsdb-server ${i + 1}` : "sb ovsdb-server", program: "ovsdb-server", pid: s.pid, pidfile: join(s.dir, "ovsdb-server.pid") })),
      daemonRecord(northd),
      { label: "underlay main ovsdb-server", program: "ovsdb-server", pid: underlay.ovsdb.pid, pidfile: join(underlay.dir, "ovsdb-server.pid") },
      daemonRecord(underlay.vswitchd),
      ...chassisList.flatMap((c) => [
        { label: `${c.name} ovsdb-server`, program: "ovsdb-server", pid: c.ovsdb.pid, pidfile: join(c.dir, "ovsdb-server.pid") },
        daemonRecord(c.vswitchd),
        daemonRecord(c.controller),
      ]),
    ];
    timings.total = since();
    const state: SandboxState = {
      version: 1, dir, startedAt: new Date().toISOString(), clustered,
      nbRemote: nb.unixRemote, sbRemote: sb.unixRemote, nbTcpRemote: nb.tcpRemote, sbTcpRemote: sb.tcpRemote,
      chassis: chassisList.map((c) => ({ name: c.name, dir: c.dir, encapIp: c.encapIp, dbRemote: c.dbRemote })),
      daemons, startMs: timings.total,
    };
    await writeState(state);
    return new Sandbox(dir, clustered, nb, sb, northd, underlay, chassisList, timings, state);
  } catch (e) {
    await Promise.all(chassisList.map((c) => c.close()));
    await stopSandbox(dir).catch(() => undefined);
    throw e;
  } finally {
    await release();
  }
}

/** Stops every live daemon of the sandbox in `dir` (found by pidfile, verified by command line), in parallel. */
export async function stopSandbox(dir: string): Promise<StopResult> {
  const t0 = performance.now();
  const abs = resolve(dir);
  await assertSandboxDir(abs);
  const running = await findRunningDaemons(abs);
  await Promise.all(running.map((d) => stopPid(d.pid)));
  return { stopped: running.length, ms: Math.round(performance.now() - t0) };
}

export async function sandboxStatus(dir: string): Promise<SandboxStatus> {
  const abs = resolve(dir);
  await assertSandboxDir(abs);
  const state = await readState(abs);
  const records: DaemonRecord[] = state?.daemons
    ?? (await findPidfiles(abs)).map((pidfile) => ({ label: pidfile.slice(abs.length + 1), program: "", pid: 0, pidfile }));
  const daemons = await Promise.all(records.map(async (r) => {
    const pid = await ownedPid(r.pidfile);
    return { ...r, pid: pid ?? r.pid, alive: pid !== undefined && (r.pid === 0 || pid === r.pid) };
  }));
  const aliveCount = daemons.filter((d) => d.alive).length;
  return { dir: abs, state, daemons, running: daemons.length > 0 && aliveCount === daemons.length, aliveCount };
}
