/**
 * Loading a large monitor reply into the typed replica cache.
 *
 * A real NB ovsdb-server gets N Logical_Switch_Port rows (default 100,000) with realistic columns. Then:
 *  1. in process, same bytes each round: a bare Buffer.concat + toString + JSON.parse (the floor), against
 *     ovnkit's Framer + decodeFrame + Replica.applyUpdates (wire rows stored, schema index "name" and client
 *     index external_ids:pod built; typed rows decoded lazily), and the same plus decoding every typed row;
 *  2. memory retained per row (heap after full GCs minus the baseline, each way in a fresh process);
 *  3. end to end against the server (connect -> initial dump applied): Monitor.start() on a fresh
 *     OvsdbClient, against the OVS python IDL (bench/peers/python-idl-load.py) when /usr/bin/python3 has it.
 *
 * Run: pnpm -s exec tsx --conditions=ovnkit-source bench/replica-apply.bench.ts [--rows N] [--rounds N]
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Framer, Monitor, OvsdbClient, Replica, decodeFrame, parseSchema, type DatabaseSchema } from "@ovnkit/ovsdb";
import { captureReply } from "./lib/capture.js";
import { arg, gcFn, median } from "./lib/cli.js";
import { startLspNb } from "./lib/nb-lsp.js";

const CHUNK = 64 * 1024;
/** monitor_cond on Logical_Switch_Port, all columns */
const MONITOR_COND = JSON.stringify({ method: "monitor_cond", params: ["OVN_Northbound", "bench", { Logical_Switch_Port: [{}] }], id: 1 });

const LSP = { Logical_Switch_Port: { indexes: [{ name: "pod", columns: [{ column: "external_ids", key: "pod" }] }] } };

function loadReplica(schema: DatabaseSchema, chunks: Buffer[], decodeAll: boolean): Replica {
  let value: unknown;
  const framer = new Framer({ maxFrameBytes: 2 ** 31 - 1 });
  for (const c of chunks) framer.push(c, (frame, long) => void (value = decodeFrame(frame, long)));
  const replica = new Replica(schema, LSP);
  replica.applyUpdates((value as { result: unknown }).result, { initial: true });
  if (decodeAll) for (const _row of replica.table("Logical_Switch_Port").values());
  return replica;
}

function pythonPeer(remote: string, schemaFile: string): Promise<{ seconds: number; rows: number; max_rss_kb: number } | undefined> {
  return new Promise((resolve) => {
    execFile("/usr/bin/python3", ["bench/peers/python-idl-load.py", remote, schemaFile, "Logical_Switch_Port"], { timeout: 600_000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)!));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Child mode: load the reply file one way and print the heap it retains, in bytes. */
async function measureMemory(mode: string, file: string): Promise<void> {
  const gc = gcFn();
  const schema = parseSchema(JSON.parse(await readFile("/usr/share/ovn/ovn-nb.ovsschema", "utf8")));
  const bytes = await readFile(file);
  const used = (): number => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const base = used();
  let keep: unknown;
  if (mode === "json") keep = JSON.parse(bytes.toString("utf8"));
  else {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
    keep = loadReplica(schema, chunks, mode === "typed");
  }
  const retained = used() - base;
  if (keep === undefined) throw new Error("nothing loaded");
  console.log(String(retained));
}

function memoryChild(mode: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--conditions=ovnkit-source", "--import", "tsx", "--expose-gc", "bench/replica-apply.bench.ts", "--memory", mode, "--reply", file],
      { maxBuffer: 1 << 20 },
      (err, stdout) => (err ? reject(err) : resolve(Number(stdout.trim().split("\n").at(-1)))),
    );
  });
}

async function main(): Promise<void> {
  const rows = Number(arg("rows", "100000"));
  const rounds = Number(arg("rounds", "5"));
  const gc = gcFn();
  const t0 = performance.now();
  const server = await startLspNb(rows);
  const dir = await mkdtemp(join(tmpdir(), "ovnkit-bench-replica-"));
  try {
    console.log(`inserted ${rows} Logical_Switch_Port rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const schemaClient = await OvsdbClient.connect(server.unixRemote);
    const schema = (await schemaClient.getSchema("OVN_Northbound")).schema;
    await schemaClient.close();
    const tc = performance.now();
    const bytes = await captureReply(server.unixSocket, MONITOR_COND);
    const rawMs = performance.now() - tc;
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
    console.log(`monitor_cond reply: ${(bytes.length / 1e6).toFixed(1)} MB, read off a raw socket in ${rawMs.toFixed(0)} ms (the server's share)`);

    // 1. in process
    const kinds = ["bare JSON.parse", "ovnkit replica (lazy typed)", "ovnkit replica + every typed row"] as const;
    const times: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      for (const k of r % 2 === 0 ? kinds : [...kinds].reverse()) {
        gc();
        const c = process.cpuUsage();
        const t = performance.now();
        if (k === "bare JSON.parse") JSON.parse(Buffer.concat(chunks).toString("utf8"));
        else loadReplica(schema, chunks, k !== "ovnkit replica (lazy typed)");
        times[k]!.push(performance.now() - t);
        const d = process.cpuUsage(c);
        cpu[k]!.push((d.user + d.system) / 1000);
      }
    }
    const bare = median(times["bare JSON.parse"]!);
    const bareCpu = median(cpu["bare JSON.parse"]!);
    console.log("");
    console.log(`| ${"same bytes, 64 KiB chunks".padEnd(36)} | wall ms (median) | ratio | cpu ms (median) | ratio |`);
    console.log(`|${"-".repeat(38)}|${"-".repeat(18)}|${"-".repeat(7)}|${"-".repeat(17)}|${"-".repeat(7)}|`);
    for (const k of kinds) {
      const w = median(times[k]!);
      const c = median(cpu[k]!);
      console.log(`| ${k.padEnd(36)} | ${w.toFixed(1).padStart(16)} | ${(w / bare).toFixed(2).padStart(4)}x | ${c.toFixed(1).padStart(15)} | ${(c / bareCpu).toFixed(2).padStart(4)}x |`);
    }

    // 2. memory per row, each in a fresh process (heap after full GCs, minus the baseline)
    const file = join(dir, "reply.json");
    await writeFile(file, bytes);
    const mem: Record<string, number> = {};
    for (const mode of ["json", "replica", "typed"]) mem[mode] = await memoryChild(mode, file);
    console.log("");
    console.log(
      `memory per row: JSON.parse of the reply ${(mem.json! / rows).toFixed(0)} B; replica (wire rows + uuid map + ` +
        `name and pod indexes) ${(mem.replica! / rows).toFixed(0)} B; with every typed row memoized ${(mem.typed! / rows).toFixed(0)} B`,
    );

    // 3. end to end against the server
    const e2e: number[] = [];
    for (let r = 0; r < Math.min(rounds, 3); r++) {
      gc();
      const t = performance.now();
      const client = await OvsdbClient.connect(server.unixRemote);
      const m = new Monitor(client, schema, { method: "monitor_cond", tables: LSP });
      await m.start();
      e2e.push(performance.now() - t);
      if (m.table("Logical_Switch_Port").size !== rows) throw new Error("replica is short of rows");
      await m.cancel();
      await client.close();
    }
    console.log("");
    console.log(`end to end (connect -> initial dump applied): ovnkit Monitor ${median(e2e).toFixed(0)} ms`);
    const py = await pythonPeer(server.unixRemote, server.schemaPath);
    if (py !== undefined && py.rows === rows) {
      console.log(`python IDL: ${(py.seconds * 1000).toFixed(0)} ms (max RSS ${(py.max_rss_kb / 1024).toFixed(0)} MiB) -> ovnkit is ${((py.seconds * 1000) / median(e2e)).toFixed(1)}x faster`);
    } else console.log("python IDL: not measured (peer unavailable or failed)");
  } finally {
    await server.stop({ removeDir: true });
    await rm(dir, { recursive: true, force: true });
  }
}

if (arg("memory", "")) await measureMemory(arg("memory", ""), arg("reply", ""));
else await main();
