/** Process helpers shared by every daemon launcher: liveness (zombies count as dead), stop by pid, polling, leak checks. */
import { readFile, readdir } from "node:fs/promises";
import { execFile } from "node:child_process";

export class SandboxError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxError";
    this.code = code;
  }
}

/** True if the pid exists and is not a zombie (PID 1 may reap late in containers). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const m = /^State:\s+([A-Z])/m.exec(status);
    return m !== null && m[1] !== "Z" && m[1] !== "X";
  } catch {
    return false;
  }
}

/**
 * Live (non-zombie) processes other than this one whose command line mentions `text`: a leak check, e.g.
 * `processesMentioning(sb.dir)` is empty once a sandbox stopped, since every daemon of it names its directory.
 * A process that exits while it is looked at is skipped.
 */
export async function processesMentioning(text: string): Promise<{ pid: number; cmdline: string }[]> {
  const out: { pid: number; cmdline: string }[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, "utf8")).split("\0").join(" ");
      const state = /^State:\s+(\S)/m.exec(await readFile(`/proc/${name}/status`, "utf8"))?.[1];
      if (cmdline.includes(text) && state !== "Z" && state !== "X") out.push({ pid: Number(name), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a non-undefined value; throws SandboxError TIMEOUT with `what` after timeoutMs. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, intervalMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new SandboxError("TIMEOUT", `timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick(intervalMs);
  }
}

/** SIGTERM, wait until dead; SIGKILL after graceMs. Never touches a pid that is not alive. */
export async function stopPid(pid: number, graceMs = 5_000): Promise<void> {
  if (!(await isAlive(pid))) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  try {
    await pollUntil(`pid ${pid} to exit`, async () => ((await isAlive(pid)) ? undefined : true), graceMs);
  } catch {
    await killPid(pid);
  }
}

/** SIGKILL and wait until the pid is dead (or a zombie). */
export async function killPid(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  await pollUntil(`pid ${pid} to die`, async () => ((await isAlive(pid)) ? undefined : true), 10_000);
}

export async function readPidfile(path: string): Promise<number> {
  const text = await pollUntil(`pidfile ${path}`, async () => {
    try {
      const t = (await readFile(path, "utf8")).trim();
      return t.length > 0 ? t : undefined;
    } catch {
      return undefined;
    }
  });
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new SandboxError("BAD_PIDFILE", `bad pidfile ${path}: ${text}`);
  return pid;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; a non-zero exit becomes SandboxError COMMAND_FAILED with its stderr. */
export function run(file: string, args: readonly string[], env?: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: env ?? process.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === "ENOENT") {
          reject(new SandboxError("MISSING_BINARY", `${file} not found: install the Debian packages with: apt-get install -y ovn-central ovn-host openvswitch-switch openvswitch-common ovn-common python3-openvswitch`, { cause: err }));
          return;
        }
        reject(new SandboxError("COMMAND_FAILED", `${file} ${args.join(" ")} failed: ${String(stderr).trim() || e.message}`, { cause: err }));
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function logTail(path: string, lines = 20): Promise<string> {
  try {
    const t = await readFile(path, "utf8");
    return t.split("\n").slice(-lines - 1).join("\n");
  } catch {
    return "(no log)";
  }
}
