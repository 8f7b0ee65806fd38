/** Helpers of the end-to-end suite (not a test file). */
import { execFile } from "node:child_process";

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

/** One transaction of an ovsdb-server database file, as `ovsdb-tool show-log -mm` prints it. */
export interface DbLogRecord {
  index: number;
  /** Row name (or uuid) -> the lines of its diff (e.g. `options={... requested-chassis="hv1,hv2"}`). */
  rows: Map<string, string[]>;
}

/**
 * Every transaction recorded in a standalone database file (`ovsdb-tool show-log -mm`, an independent reader
 * of what the server committed): one record per committed transaction.
 */
export async function dbLog(dbFile: string): Promise<DbLogRecord[]> {
  const r = await runProgram("ovsdb-tool", ["show-log", "-mm", dbFile]);
  if (r.code !== 0) throw new Error(`ovsdb-tool show-log ${dbFile}: ${r.stderr}`);
  const records: DbLogRecord[] = [];
  let row: string[] | undefined;
  for (const line of r.stdout.split("\n")) {
    const rec = /^record (\d+):/.exec(line);
    if (rec) {
      records.push({ index: Number(rec[1]), rows: new Map() });
      row = undefined;
      continue;
    }
    const head = /^ {2}table \S+ row (?:"([^"]+)"|(\S+))/.exec(line);
    if (head && records.length > 0) {
      row = [];
      records[records.length - 1]!.rows.set(head[1] ?? head[2]!, row);
      continue;
    }
    if (row && line.startsWith("    ")) row.push(line.trim());
  }
  return records;
}

/** ovn-nbctl --db=<remote> get Logical_Switch_Port <port> <column> (an independent reader of NB). */
export async function nbGet(nbRemote: string, port: string, column: string): Promise<string> {
  const r = await runProgram("ovn-nbctl", [`--db=${nbRemote}`, "--timeout=10", "get", "Logical_Switch_Port", port, column]);
  if (r.code !== 0) throw new Error(`ovn-nbctl get ${port} ${column}: ${r.stderr}`);
  return r.stdout.trim();
}
