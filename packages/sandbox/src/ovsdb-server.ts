/**
 * Starts a real ovsdb-server in a temp dir: unix socket + kernel-chosen 127.0.0.1 tcp port (read back from its
 * log), optional ssl remote, readiness by polling, stop/kill -9/restart by pid. Used by every integration test.
 */
import { mkdtemp, mkdir, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createConnection } from "node:net";
import { SandboxError, isAlive, killPid, logTail, pollUntil, readPidfile, run, stopPid } from "./process.js";

const here = dirname(fileURLToPath(import.meta.url));

/** True when a plain JSON-RPC echo to 127.0.0.1:port gets a reply (a ptcp remote, not a pssl one). */
function answersJsonRpc(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: "127.0.0.1", port });
    let got = "";
    const done = (v: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), 2000);
    sock.on("connect", () => sock.write('{"method":"echo","params":[],"id":0}'));
    sock.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes('"result"')) done(true);
    });
    sock.on("error", () => done(false));
    sock.on("close", () => done(false));
  });
}

/** Well-known schemas: Debian's OVN/OVS schemas and the package's tiny test schema. */
export const SCHEMAS = {
  nb: "/usr/share/ovn/ovn-nb.ovsschema",
  sb: "/usr/share/ovn/ovn-sb.ovsschema",
  vswitch: "/usr/share/openvswitch/vswitch.ovsschema",
  test: resolve(here, "../schemas/test.ovsschema"),
} as const;
export type SchemaName = keyof typeof SCHEMAS;

export interface SslFiles {
  privateKey: string;
  certificate: string;
  caCert: string;
}

export interface OvsdbServerOptions {
  /** A well-known schema name or a path to an .ovsschema file. Default "test". */
  schema?: SchemaName | string;
  /** Directory to run in; default a fresh temp dir (removed by stop({ removeDir: true })). */
  dir?: string;
  /** Listen on 127.0.0.1 tcp (port chosen by the kernel unless `tcpPort`). Default true. */
  tcp?: boolean;
  tcpPort?: number;
  /** Also listen with ssl on a kernel-chosen port, with these files. */
  ssl?: SslFiles;
  /** Extra ovsdb-server arguments (e.g. "-vjsonrpc:file:dbg"). */
  extraArgs?: string[];
  /** An existing database file to serve instead of creating one (clustered members pass theirs). */
  dbPath?: string;
}

export interface OvsdbServer {
  readonly dir: string;
  readonly dbPath: string;
  readonly schemaPath: string;
  readonly unixSocket: string;
  readonly ctlSocket: string;
  readonly logPath: string;
  /** "unix:<path>" */
  readonly unixRemote: string;
  /** "tcp:127.0.0.1:<port>", or undefined without tcp */
  readonly tcpRemote: string | undefined;
  readonly tcpPort: number | undefined;
  readonly sslRemote: string | undefined;
  readonly sslPort: number | undefined;
  readonly pid: number;
  /** SIGTERM then wait; SIGKILL after a grace period. */
  stop(opts?: { removeDir?: boolean }): Promise<void>;
  /** kill -9, wait until dead. */
  kill9(): Promise<void>;
  /** Start again on the same socket, port(s) and database file. */
  restart(): Promise<void>;
  /** ovs-appctl -t <ctl> ... */
  appctl(...args: string[]): Promise<string>;
  alive(): Promise<boolean>;
}

function parsePorts(log: string): number[] {
  const ports: number[] = [];
  const re = /\|socket_util\|INFO\|.*: listening on port (\d+)/g;
  for (let m = re.exec(log); m; m = re.exec(log)) ports.push(Number(m[1]));
  return ports;
}

export async function startOvsdbServer(options: OvsdbServerOptions = {}): Promise<OvsdbServer> {
  const schemaPath = options.schema === undefined ? SCHEMAS.test : (SCHEMAS as Record<string, string>)[options.schema] ?? options.schema;
  if (!options.dbPath && !existsSync(schemaPath)) {
    throw new SandboxError("MISSING_SCHEMA", `schema ${schemaPath} not found (install: apt-get install -y ovn-central ovn-host openvswitch-switch openvswitch-common ovn-common python3-openvswitch)`);
  }
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "ovnkit-ovsdb-")));
  await mkdir(dir, { recursive: true });
  const dbPath = options.dbPath ?? join(dir, "db.db");
  if (!options.dbPath) await run("ovsdb-tool", ["create", dbPath, schemaPath]);

  const unixSocket = join(dir, "db.sock");
  const ctlSocket = join(dir, "ovsdb-server.ctl");
  const logPath = join(dir, "ovsdb-server.log");
  const pidfile = join(dir, "ovsdb-server.pid");
  let tcpPort = options.tcp === false ? undefined : options.tcpPort ?? 0;
  let sslPort = options.ssl ? 0 : undefined;
  let pid = 0;

  const launch = async (): Promise<void> => {
    await rm(logPath, { force: true });
    const args = [
      "--detach", "--no-chdir", `--pidfile=${pidfile}`, `--log-file=${logPath}`, `--unixctl=${ctlSocket}`,
      "-vconsole:off", "-vsyslog:off", "-vfile:info",
      `--remote=punix:${unixSocket}`,
    ];
    if (tcpPort !== undefined) args.push(`--remote=ptcp:${tcpPort}:127.0.0.1`);
    if (options.ssl && sslPort !== undefined) {
      args.push(`--remote=pssl:${sslPort}:127.0.0.1`, `--private-key=${options.ssl.privateKey}`,
        `--certificate=${options.ssl.certificate}`, `--ca-cert=${options.ssl.caCert}`);
    }
    args.push(...(options.extraArgs ?? []), dbPath);
    try {
      await run("ovsdb-server", args);
    } catch (e) {
      throw new SandboxError("DAEMON_FAILED", `ovsdb-server failed to start: ${(e as Error).message}\n${await logTail(logPath)}`, { cause: e });
    }
    pid = await readPidfile(pidfile);
    // ovsdb-server logs "listening on port N" only for kernel-chosen (0) ports
    const wanted = (tcpPort === 0 ? 1 : 0) + (sslPort === 0 ? 1 : 0);
    const ports = await pollUntil("ovsdb-server listening", async () => {
      if (!(await isAlive(pid))) throw new SandboxError("DAEMON_FAILED", `ovsdb-server exited during start-up\n${await logTail(logPath)}`);
      const got = parsePorts(await readFile(logPath, "utf8").catch(() => ""));
      return got.length >= wanted && existsSync(unixSocket) ? got : undefined;
    });
    if (tcpPort === 0 && sslPort === 0) {
      // both kernel-chosen: ovsdb-server opens its remotes in hash order, so the log does not say which port is
      // which; the plain tcp one answers a JSON-RPC echo, the ssl one does not
      const [a, b] = [ports[0]!, ports[1]!];
      [tcpPort, sslPort] = (await answersJsonRpc(a)) ? [a, b] : [b, a];
    } else if (tcpPort === 0) {
      tcpPort = ports[0];
    } else if (sslPort === 0) {
      sslPort = ports[0];
    }
  };

  await launch();

  const server: OvsdbServer = {
    dir,
    dbPath,
    schemaPath,
    unixSocket,
    ctlSocket,
    logPath,
    unixRemote: `unix:${unixSocket}`,
    get tcpRemote() { return tcpPort === undefined ? undefined : `tcp:127.0.0.1:${tcpPort}`; },
    get tcpPort() { return tcpPort; },
    get sslRemote() { return sslPort === undefined ? undefined : `ssl:127.0.0.1:${sslPort}`; },
    get sslPort() { return sslPort; },
    get pid() { return pid; },
    async stop(opts = {}) {
      await stopPid(pid);
      if (opts.removeDir) await rm(dir, { recursive: true, force: true });
    },
    async kill9() {
      await killPid(pid);
    },
    async restart() {
      if (await isAlive(pid)) await stopPid(pid);
      await rm(unixSocket, { force: true });
      await launch();
    },
    async appctl(...args: string[]) {
      return (await run("ovs-appctl", ["-t", ctlSocket, ...args])).stdout;
    },
    alive() {
      return isAlive(pid);
    },
  };
  return server;
}
