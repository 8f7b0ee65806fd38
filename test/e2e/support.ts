/** Helpers of the end-to-end suite (not a test file). */
import { execFile } from "node:child_process";
import { expect } from "chai";
import { processesMentioning } from "@ovnkit/sandbox";
import { Cleanup } from "../../examples/demo/cleanup.js";
import { runScenario, type ScenarioOptions, type ScenarioResult } from "../../examples/demo/scenario.js";

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

/** A port's SB Port_Binding as ovn-sbctl prints it: the chassis (by name), additional_chassis and options. */
export interface SbBinding {
  chassis: string;
  additional: string;
  options: string;
}

/** Reads `port`'s SB Port_Binding with ovn-sbctl (chassis, then additional_chassis, then options). */
export async function sbBinding(sbRemote: string, port: string): Promise<SbBinding> {
  return {
    chassis: await chassisName(sbRemote, await sbGet(sbRemote, port, "chassis")),
    additional: await sbGet(sbRemote, port, "additional_chassis"),
    options: await sbGet(sbRemote, port, "options"),
  };
}

/**
 * Runs the demo scenario with `options`, then `read` (the independent readers, while the sandbox still runs),
 * then the cleanup (also when either failed); `leftovers` are the processes still naming the sandbox directory
 * after the cleanup.
 */
export async function runScenarioThenRead<T>(
  options: Partial<ScenarioOptions>, read: (r: ScenarioResult) => Promise<T>,
): Promise<{ r: ScenarioResult; read: T; leftovers: { pid: number; cmdline: string }[] }> {
  const cleanup = new Cleanup();
  let r: ScenarioResult;
  let value: T;
  try {
    r = await runScenario(cleanup, options);
    value = await read(r);
  } finally {
    await cleanup.run();
  }
  return { r, read: value, leftovers: await processesMentioning(r.sandboxDir) };
}

/**
 * The interruption of a migration hv1 -> hv2, asserted below `limitMs` in each direction. Peer -> VM: from the
 * last delivery at hv1 while the VM ran there (up to "source-paused") to the first delivery at hv2, which must not
 * come before the RARP. VM -> peer: from the last delivered packet the VM sent from hv1 to the first from hv2
 * (greater than 0). Returns both gaps.
 */
export function expectInterruptionBelow(r: ScenarioResult, limitMs: number): { toVmMs: number; fromVmMs: number } {
  const pausedAt = r.timeline.require("source-paused");
  const rarpAt = r.timeline.require("rarp");
  const lastHv1 = Math.max(...r.probe.toVm.packets.map((p) => p.deliveredAt["hv1"] ?? -Infinity).filter((t) => t <= pausedAt));
  const firstHv2 = Math.min(...r.probe.toVm.packets.map((p) => p.deliveredAt["hv2"] ?? Infinity));
  expect(firstHv2).to.be.at.least(rarpAt);
  expect(firstHv2 - lastHv1).to.be.below(limitMs);
  const delivered = (from: string) => r.probe.fromVm.packets.filter((p) => p.from === from && Object.keys(p.deliveredAt).length > 0).map((p) => Object.values(p.deliveredAt)[0]!);
  const gapFromVm = Math.min(...delivered("hv2")) - Math.max(...delivered("hv1"));
  expect(gapFromVm).to.be.greaterThan(0);
  expect(gapFromVm).to.be.below(limitMs);
  return { toVmMs: firstHv2 - lastHv1, fromVmMs: gapFromVm };
}

/**
 * The end of a migration to hv2: the port is bound on hv2 alone (`sb`, read with ovn-sbctl: no additional
 * chassis, requested-chassis=hv2, no activation left), and more than 5 packets sent between "hv-synced" and
 * "tail-end" were each delivered at hv2 only.
 */
export function expectBoundOnHv2Alone(r: ScenarioResult, sb: SbBinding): void {
  expect(sb.chassis).to.equal("hv2");
  expect(sb.additional).to.equal("[]");
  expect(sb.options).to.include("requested-chassis=hv2");
  expect(sb.options).not.to.include("additional-chassis-activated");
  expect(sb.options).not.to.include("activation-strategy");
  const syncedAt = r.timeline.require("hv-synced");
  const tailEnd = r.timeline.require("tail-end");
  const tail = r.probe.toVm.packets.filter((p) => p.sentAt >= syncedAt && p.sentAt <= tailEnd);
  expect(tail.length).to.be.greaterThan(5);
  for (const p of tail) expect(Object.keys(p.deliveredAt), `seq ${p.seq}`).to.deep.equal(["hv2"]);
}
