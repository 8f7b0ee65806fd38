/**
 * A sandbox directory on disk: the marker that makes it ours, the start lock, the state file (sandbox.json), the
 * env.sh users source, and the discovery of the daemons it runs from their pidfiles (so that `stop` from another
 * process, or after a crashed start, kills exactly the sandbox's own processes).
 */
import { mkdir, open, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ownedPid } from "./daemon.js";
import { SandboxError, isAlive } from "./process.js";

export const MARKER_FILE = ".ovnkit-sandbox";
export const LOCK_FILE = ".start.lock";
export const STATE_FILE = "sandbox.json";
export const ENV_FILE = "env.sh";

export interface DaemonRecord {
  label: string;
  program: string;
  pid: number;
  pidfile: string;
}

export interface ChassisRecord {
  name: string;
  dir: string;
  encapIp: string;
  dbRemote: string;
}

export interface SandboxState {
  version: 1;
  dir: string;
  startedAt: string;
  clustered: boolean;
  nbRemote: string;
  sbRemote: string;
  nbTcpRemote: string;
  sbTcpRemote: string;
  chassis: ChassisRecord[];
  daemons: DaemonRecord[];
  startMs: number;
}

export interface RunningDaemon {
  pidfile: string;
  pid: number;
}

/** Pidfiles of the sandbox: <dir>/<member>/*.pid and, for cluster members, <dir>/<member>/<n>/*.pid. */
export async function findPidfiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isFile() && e.name.endsWith(".pid") && depth > 0) out.push(p);
      else if (e.isDirectory() && depth < 2) await walk(p, depth + 1);
    }
  };
  await walk(dir, 0);
  return out.sort();
}

/** The sandbox's daemons that are alive and verifiably ours. */
export async function findRunningDaemons(dir: string): Promise<RunningDaemon[]> {
  const found = await Promise.all((await findPidfiles(dir)).map(async (pidfile) => ({ pidfile, pid: await ownedPid(pidfile) })));
  return found.filter((f): f is RunningDaemon => f.pid !== undefined);
}

async function isSandboxDir(dir: string): Promise<boolean> {
  try {
    await stat(join(dir, MARKER_FILE));
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `dir` ready for a new sandbox: creates it, or wipes a stopped sandbox there. Refuses a directory with a
 * running sandbox (SANDBOX_RUNNING), one being started (SANDBOX_STARTING) or one that is not a sandbox and not
 * empty (DIR_NOT_EMPTY). Returns a release function for the start lock.
 */
export async function claimDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const entries = (await readdir(dir)).filter((e) => e !== LOCK_FILE);
  if (entries.length > 0 && !(await isSandboxDir(dir))) {
    throw new SandboxError("DIR_NOT_EMPTY", `${dir} is not empty and holds no sandbox; refusing to touch it (choose another --dir)`);
  }
  const lockPath = join(dir, LOCK_FILE);
  const lock = await open(lockPath, "wx").catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
    const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
    if (Number.isInteger(holder) && holder !== process.pid && (await isAlive(holder))) {
      throw new SandboxError("SANDBOX_STARTING", `a sandbox is being started in ${dir} by pid ${holder}`);
    }
    await rm(lockPath, { force: true }); // stale lock of a start that died
    return open(lockPath, "wx");
  });
  try {
    await lock.writeFile(String(process.pid));
  } finally {
    await lock.close();
  }
  const release = () => rm(lockPath, { force: true });
  try {
    const running = await findRunningDaemons(dir);
    if (running.length > 0) {
      throw new SandboxError("SANDBOX_RUNNING", `a sandbox is running in ${dir} (${running.length} daemons, e.g. pid ${running[0]!.pid} from ${running[0]!.pidfile}); stop it first: ovnkit-sandbox stop --dir ${dir}`);
    }
    for (const e of await readdir(dir)) {
      if (e !== LOCK_FILE) await rm(join(dir, e), { recursive: true, force: true });
    }
    await writeFile(join(dir, MARKER_FILE), "ovnkit sandbox directory: `ovnkit-sandbox stop` stops it; a new start wipes it\n");
  } catch (e) {
    await release();
    throw e;
  }
  return release;
}

export async function assertSandboxDir(dir: string): Promise<void> {
  if (!(await isSandboxDir(dir))) throw new SandboxError("NOT_A_SANDBOX", `${dir} holds no sandbox (no ${MARKER_FILE})`);
}

export async function writeState(state: SandboxState): Promise<void> {
  await writeFile(join(state.dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  await writeFile(join(state.dir, ENV_FILE), renderEnv(state));
}

export async function readState(dir: string): Promise<SandboxState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, STATE_FILE), "utf8")) as SandboxState;
  } catch {
    return undefined;
  }
}

/** Single-quotes a value for POSIX sh. */
function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Environment variables a sandbox exports (also printed by `ovnkit-sandbox env`). */
export function sandboxEnv(state: SandboxState): Record<string, string> {
  return {
    OVNKIT_SANDBOX_DIR: state.dir,
    OVN_NB_DB: state.nbRemote,
    OVN_SB_DB: state.sbRemote,
    OVN_NB_DB_TCP: state.nbTcpRemote,
    OVN_SB_DB_TCP: state.sbTcpRemote,
    OVNKIT_SANDBOX_CHASSIS: state.chassis.map((c) => c.name).join(" "),
  };
}

/** env.sh: exports for ovn-nbctl/ovn-sbctl and a helper to run OVS/OVN tools "as" a chassis. */
export function renderEnv(state: SandboxState): string {
  const lines = [
    "# ovnkit sandbox environment: . ./env.sh",
    ...Object.entries(sandboxEnv(state)).map(([k, v]) => `export ${k}=${shQuote(v)}`),
    "# ovnkit_as <hvN|main|northd> <command...>: run an OVS/OVN tool in that member's run directory,",
    "# e.g. ovnkit_as hv1 ovs-vsctl show; ovnkit_as hv1 ovs-ofctl dump-flows br-int; ovnkit_as hv1 ovn-appctl -t ovn-controller version",
    "ovnkit_as() (",
    '  d="$OVNKIT_SANDBOX_DIR/$1"; shift',
    '  OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d OVS_SYSCONFDIR=$d OVN_RUNDIR=$d OVN_LOGDIR=$d OVN_DBDIR=$d OVN_SYSCONFDIR=$d',
    "  export OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR OVN_RUNDIR OVN_LOGDIR OVN_DBDIR OVN_SYSCONFDIR",
    '  exec "$@"',
    ")",
    "",
  ];
  return lines.join("\n");
}
