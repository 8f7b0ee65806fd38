/** Helpers of the end-to-end suite (not a test file). */
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";

/** Live (non-zombie) processes other than this one whose command line mentions `text`. */
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

/** Runs a program; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runProgram(cmd: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `ovn-sbctl --db=<remote> get Port_Binding <port> <column>` as an independent reader of SB. */
export async function sbGet(sbRemote: string, port: string, column: string): Promise<string> {
  const r = await runProgram("ovn-sbctl", [`--db=${sbRemote}`, "--timeout=10", "get", "Port_Binding", port, column]);
  if (r.code !== 0) throw new Error(`ovn-sbctl get ${port} ${column}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Chassis name of an SB Chassis uuid (ovn-sbctl). */
export async function chassisName(sbRemote: string, uuid: string): Promise<string> {
  const r = await runProgram("ovn-sbctl", [`--db=${sbRemote}`, "--timeout=10", "get", "Chassis", uuid, "name"]);
  if (r.code !== 0) throw new Error(`ovn-sbctl get Chassis ${uuid}: ${r.stderr}`);
  const out = r.stdout.trim();
  return out.startsWith('"') ? (JSON.parse(out) as string) : out;
}
