/**
 * Starts one detached OVS/OVN daemon (ovs-vswitchd, ovn-northd, ovn-controller) in its own run directory, the way
 * OVN's test suite does with OVS_RUNDIR & co: pidfile, log file and default unixctl socket all live there, so
 * `OVS_RUNDIR=<dir> ovs-appctl -t ovs-vswitchd ...` and `ovs-ofctl dump-flows br-int` work for humans too.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { SandboxError, isAlive, logTail, readPidfile, stopPid } from "./process.js";

export type DaemonProgram = "ovsdb-server" | "ovs-vswitchd" | "ovn-northd" | "ovn-controller";

/** Environment that points OVS/OVN defaults (db socket, ctl sockets, bridge mgmt sockets) at `dir`. */
export function rundirEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir,
    OVN_RUNDIR: dir, OVN_LOGDIR: dir, OVN_DBDIR: dir, OVN_SYSCONFDIR: dir,
  };
}

export interface DaemonSpec {
  program: Exclude<DaemonProgram, "ovsdb-server">;
  /** Run directory: pidfile, log and unixctl socket. */
  dir: string;
  /** Program arguments after the common daemon options. */
  args: readonly string[];
  /** Human name for errors, e.g. "hv1 ovn-controller". */
  label: string;
}

export interface Daemon {
  readonly program: DaemonProgram;
  readonly label: string;
  readonly pid: number;
  readonly pidfile: string;
  readonly logPath: string;
  /** The daemon's unixctl socket (default naming: <program>.<pid>.ctl in its run directory). */
  readonly ctlPath: string;
  alive(): Promise<boolean>;
  stop(): Promise<void>;
}

export function daemonFromPid(program: DaemonProgram, label: string, dir: string, pid: number): Daemon {
  const pidfile = join(dir, `${program}.pid`);
  return {
    program, label, pid, pidfile,
    logPath: join(dir, `${program}.log`),
    ctlPath: join(dir, `${program}.${pid}.ctl`),
    alive: () => isAlive(pid),
    stop: () => stopPid(pid),
  };
}

/** Runs a daemon's --detach launch; `failure` is its stderr (minus log-file chatter) when it exits non-zero. */
function runDetaching(program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ failure?: string }> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { env, timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve({});
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(new SandboxError("MISSING_BINARY", `${program} not found: install the Debian packages (apt-get install -y ovn-central ovn-host openvswitch-switch openvswitch-common ovn-common)`, { cause: err }));
      }
      const text = String(stderr).split("\n").filter((l) => l.trim() !== "" && !/\|vlog\|INFO\|opened log file/.test(l)).join("\n");
      resolve({ failure: text || `exit ${String(err.code ?? err.signal)}` });
    });
  });
}

export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const pidfile = join(spec.dir, `${spec.program}.pid`);
  const logPath = join(spec.dir, `${spec.program}.log`);
  await mkdir(spec.dir, { recursive: true });
  const args = [
    "--detach", "--no-chdir", `--pidfile=${pidfile}`, `--log-file=${logPath}`,
    "-vconsole:off", "-vsyslog:off", "-vfile:info",
    ...spec.args,
  ];
  // --detach: returns once the daemon finished its initial set-up (or failed it)
  const r = await runDetaching(spec.program, args, rundirEnv(spec.dir));
  if (r.failure !== undefined) {
    throw new SandboxError("DAEMON_FAILED", `${spec.label} failed to start: ${r.failure}\n--- ${logPath} (last lines) ---\n${await logTail(logPath)}`);
  }
  const pid = await readPidfile(pidfile);
  if (!(await isAlive(pid))) {
    throw new SandboxError("DAEMON_FAILED", `${spec.label} (${spec.program}) exited right after start\n--- ${logPath} (last lines) ---\n${await logTail(logPath)}`);
  }
  return daemonFromPid(spec.program, spec.label, spec.dir, pid);
}

/**
 * The pid a pidfile names, if that process is alive and really is the daemon the pidfile belongs to (its command
 * line carries --pidfile=<that file>): a recycled pid is never taken for ours.
 */
export async function ownedPid(pidfile: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidfile, "utf8")).trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return undefined;
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    return argv.includes(`--pidfile=${pidfile}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Like Promise.all, but waits for every promise to settle before rejecting with the first failure, so that no
 * start-up is still in flight when the caller cleans up after an error.
 */
export async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
