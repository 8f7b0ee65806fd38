/**
 * Initial load of an NB with N Logical_Switch_Ports (default 100,000) into a client's replica, three clients
 * side by side in one run, alternating rounds:
 *   bare         a raw socket: send the monitor request, read every byte of the reply, Buffer.concat +
 *                toString + JSON.parse (the floor: no framing, no int64 exactness, no replica);
 *   ovnkit       OvsdbClient.connect + Monitor.start() (monitor_cond_since) filling the typed cache: the
 *                wire rows, the uuid map and the schema index "name"; typed rows decoded on first access;
 *   ovnkit typed the same, then every typed row decoded (and memoized) by iterating the table;
 *   python IDL   bench/peers/python-idl-load.py (python3-openvswitch, C JSON parser) in its own process.
 * Every client asks for the same thing: monitor_cond_since on Logical_Switch_Port with the schema's columns
 * listed (what the python IDL sends), so the reply bytes are the same for all.
 *
 * Two servers:
 *   real    the ovsdb-server itself (end to end: its seconds of producing the 38.6 MB dump dominate);
 *   replay  bench/lib/replay-server.ts in its own process: proxies everything to the real server but
 *           answers that one monitor request with the pre-captured reply bytes (id rewritten, reply form of
 *           the request's method), so the times are the clients' own work.
 * Per run: wall time (connect -> dump applied), CPU time of the client process (the machine is shared: CPU
 * time is the steadier measure of work), memory retained per row (node: heapUsed after full GCs minus the
 * baseline, the loaded client alive; python: resident set growth after gc.collect()), resident set growth.
 *
 * Run: bash scripts/bench.sh cache-load   (or node --conditions=ovnkit-source --import tsx --expose-gc
 *      bench/cache-load.bench.ts [--rows N] [--rounds N] [--modes real,replay]
 *      [--only bare,ovnkit,ovnkit-typed,python] [--cpu-prof-dir DIR (a V8 CPU profile of each node-side run)])
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { Monitor, OvsdbClient, parseSchema, type DatabaseSchema } from "@ovnkit/ovsdb";
import type { OvsdbServer } from "@ovnkit/sandbox";
import { captureReply, monitorCondSinceRequest, monitorReplyParts } from "./lib/capture.js";
import { arg, gcFn, median } from "./lib/cli.js";
import { startLspNb } from "./lib/nb-lsp.js";
import { startReplayServer, type ReplayServer } from "./lib/replay-server.js";

const DB = "OVN_Northbound";
const TABLE = "Logical_Switch_Port";
const PYTHON = "/usr/bin/python3";
const PEER = "bench/peers/python-idl-load.py";

const KINDS = ["bare", "ovnkit", "ovnkit-typed", "python"] as const;
type Kind = (typeof KINDS)[number];
const LABEL: Record<Kind, string> = {
  bare: "bare socket read + toString + JSON.parse",
  ovnkit: "ovnkit Monitor, cache loaded (typed on access)",
  "ovnkit-typed": "ovnkit Monitor, every typed row decoded",
  python: "python IDL (python3-openvswitch)",
};
type Mode = "real" | "replay";

interface Sample {
  wallMs: number;
  cpuMs: number;
  /** node: main-thread GC pauses within the timed span; python: not measured (NaN) */
  gcMs: number;
  /** node: heap retained (heapUsed delta after full GCs); python: resident set growth after gc.collect() */
  retainedBytes: number;
  /** resident set growth */
  rssBytes: number;
}

const gc = gcFn();

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Main-thread GC pauses as the perf_hooks "gc" entries report them (delivered asynchronously). */
const gcPauses: { start: number; ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ["gc"] });

/**
 * GC pause time that started within [t0, t1]. The entries arrive late: call this after a GC that started
 * after t1 (heapAfterGc), and it waits until that one is reported.
 */
async function gcMsBetween(t0: number, t1: number): Promise<number> {
  for (let waited = 0; !gcPauses.some((p) => p.start > t1); waited += 10) {
    if (waited > 5000) throw new Error("no GC entry reported after the run");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  let ms = 0;
  for (const p of gcPauses) if (p.start >= t0 && p.start <= t1) ms += p.ms;
  gcPauses.length = 0;
  return ms;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** Brackets the timed span of a run (the V8 CPU profiler for --cpu-prof-dir; else nothing). */
interface Probe {
  begin(): Promise<void>;
  end(): Promise<void>;
}

const NO_PROBE: Probe = { begin: async () => undefined, end: async () => undefined };

/** A V8 CPU profile of the timed span only (the GCs around it and the profile's serialization excluded). */
function cpuProfileProbe(file: string): Probe {
  const session = new Session();
  return {
    begin: async () => {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 200 });
      await session.post("Profiler.start");
    },
    end: async () => {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      await writeFile(file, JSON.stringify(profile));
    },
  };
}

/** bare: one socket, the request, every byte of the reply (its length is known), one JSON.parse. */
async function runBare(socketPath: string, request: string, replyBytes: number, rows: number, probe: Probe): Promise<Sample> {
  const heap0 = heapAfterGc();
  const rss0 = process.memoryUsage().rss;
  await probe.begin();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const sock = createConnection({ path: socketPath });
    const got: Buffer[] = [];
    let n = 0;
    sock.on("error", reject);
    sock.on("close", () => reject(new Error(`bare: connection closed after ${n} of ${replyBytes} bytes`)));
    sock.on("connect", () => sock.write(request));
    sock.on("data", (c: Buffer) => {
      got.push(c);
      n += c.length;
      if (n >= replyBytes) {
        sock.removeAllListeners("close");
        sock.destroy();
        if (n !== replyBytes) reject(new Error(`bare: reply of ${n} bytes, captured ${replyBytes}`));
        else resolve(got);
      }
    });
  });
  const value = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { result: [boolean, string, Record<string, Record<string, unknown>>] };
  const t1 = performance.now();
  const cpuMs = cpuMsSince(c0);
  await probe.end();
  const retainedBytes = heapAfterGc() - heap0;
  const gcMs = await gcMsBetween(t0, t1);
  const rssBytes = process.memoryUsage().rss - rss0;
  const n = Object.keys(value.result[2][TABLE] ?? {}).length;
  if (n !== rows) throw new Error(`bare: ${n} rows, expected ${rows}`);
  return { wallMs: t1 - t0, cpuMs, gcMs, retainedBytes, rssBytes };
}

/** ovnkit: connect, Monitor.start() (monitor_cond_since), optionally decode every typed row. */
async function runOvnkit(
  remote: string,
  schema: DatabaseSchema,
  columns: readonly string[],
  rows: number,
  decodeAll: boolean,
  probe: Probe,
): Promise<Sample> {
  const heap0 = heapAfterGc();
  const rss0 = process.memoryUsage().rss;
  await probe.begin();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const client = await OvsdbClient.connect(remote);
  const monitor = new Monitor(client, schema, { tables: { [TABLE]: { columns } } });
  await monitor.start();
  let decoded = 0;
  if (decodeAll) for (const row of monitor.table(TABLE).values()) if (row._uuid !== undefined) decoded++;
  const t1 = performance.now();
  const cpuMs = cpuMsSince(c0);
  await probe.end();
  const retainedBytes = heapAfterGc() - heap0;
  const gcMs = await gcMsBetween(t0, t1);
  const rssBytes = process.memoryUsage().rss - rss0;
  const size = monitor.table(TABLE).size;
  await monitor.cancel();
  await client.close();
  if (size !== rows || (decodeAll && decoded !== rows)) throw new Error(`ovnkit: ${size} rows (${decoded} decoded), expected ${rows}`);
  return { wallMs: t1 - t0, cpuMs, gcMs, retainedBytes, rssBytes };
}

interface PythonResult {
  seconds: number;
  cpu_seconds: number;
  rows: number;
  rss_before_kb: number;
  rss_after_kb: number;
  max_rss_kb: number;
}

/** python IDL in its own process (its own clock: connect -> loaded, imports excluded). */
function runPython(remote: string, schemaFile: string, rows: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [PEER, remote, schemaFile, TABLE], { timeout: 600_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python IDL peer failed: ${err.message}\n${stderr}`));
      const r = JSON.parse(stdout.trim().split("\n").at(-1)!) as PythonResult;
      if (r.rows !== rows) return reject(new Error(`python IDL: ${r.rows} rows, expected ${rows}`));
      const rss = (r.rss_after_kb - r.rss_before_kb) * 1024;
      resolve({ wallMs: r.seconds * 1000, cpuMs: r.cpu_seconds * 1000, gcMs: NaN, retainedBytes: rss, rssBytes: rss });
    });
  });
}

function pythonAvailable(): Promise<boolean> {
  return new Promise((resolve) => execFile(PYTHON, ["-c", "import ovs.db.idl"], (err) => resolve(!err)));
}

// ---- report ---------------------------------------------------------------------------------------------

type Results = Record<Mode, Partial<Record<Kind, Sample[]>>>;

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}

function printTable(mode: Mode, samples: Partial<Record<Kind, Sample[]>>, rows: number, mb: number): void {
  const med = (k: Kind, f: (s: Sample) => number): number => (samples[k]?.length ? median(samples[k]!.map(f)) : NaN);
  const title =
    mode === "real"
      ? "REAL ovsdb-server (end to end: includes the server producing the dump)"
      : "REPLAY server (captured reply bytes written at memory speed: the clients' own work)";
  console.log("");
  console.log(`${title}; medians of ${samples.bare?.length ?? samples.ovnkit?.length ?? 0} rounds`);
  const head = ["client", "wall s", "cpu s", "rows/s", "MB/s", "wall/bare", "cpu/bare", "py/x wall", "py/x cpu", "heap B/row", "RSS B/row"];
  const w = [48, 7, 7, 9, 6, 9, 8, 9, 8, 10, 9];
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${w.map((n, i) => (i === 0 ? "-".repeat(n + 2) : `${"-".repeat(n + 1)}:`)).join("|")}|`);
  const bareWall = med("bare", (s) => s.wallMs);
  const bareCpu = med("bare", (s) => s.cpuMs);
  const pyWall = med("python", (s) => s.wallMs);
  const pyCpu = med("python", (s) => s.cpuMs);
  for (const k of KINDS) {
    if (!samples[k]?.length) continue;
    const wall = med(k, (s) => s.wallMs);
    const cpu = med(k, (s) => s.cpuMs);
    const mem = med(k, (s) => s.retainedBytes) / rows;
    const rss = med(k, (s) => s.rssBytes) / rows;
    console.log(
      line([
        k === "python" ? `${LABEL[k]} (RSS growth)` : LABEL[k],
        fmt(wall / 1000, 2),
        fmt(cpu / 1000, 2),
        fmt(rows / (wall / 1000), 0),
        fmt(mb / (wall / 1000), 1),
        `${fmt(wall / bareWall, 2)}x`,
        `${fmt(cpu / bareCpu, 2)}x`,
        `${fmt(pyWall / wall, 1)}x`,
        `${fmt(pyCpu / cpu, 1)}x`,
        fmt(mem, 0),
        fmt(rss, 0),
      ]),
    );
  }
  console.log("samples per round, wall ms (cpu ms, of which main-thread GC pauses ms):");
  for (const k of KINDS) {
    if (!samples[k]?.length) continue;
    const one = (s: Sample): string => `${s.wallMs.toFixed(0)} (${s.cpuMs.toFixed(0)}${Number.isNaN(s.gcMs) ? "" : `, gc ${s.gcMs.toFixed(0)}`})`;
    console.log(`  ${k.padEnd(13)} ${samples[k]!.map(one).join("  ")}`);
  }
  const verdict = (ok: boolean): string => (ok ? "met" : "NOT met");
  console.log(`targets (${mode}):`);
  for (const k of ["ovnkit", "ovnkit-typed"] as const) {
    if (!samples[k]?.length) continue;
    const wall = med(k, (s) => s.wallMs);
    const cpu = med(k, (s) => s.cpuMs);
    if (samples.bare?.length) {
      console.log(
        `  ${LABEL[k]} within 2x of bare:  wall ${fmt(wall / bareWall, 2)}x ${verdict(wall / bareWall <= 2)}, cpu ${fmt(cpu / bareCpu, 2)}x ${verdict(cpu / bareCpu <= 2)}`,
      );
    }
    if (samples.python?.length) {
      console.log(
        `  ${LABEL[k]} >= 10x faster than python IDL:  wall ${fmt(pyWall / wall, 1)}x ${verdict(pyWall / wall >= 10)}, cpu ${fmt(pyCpu / cpu, 1)}x ${verdict(pyCpu / cpu >= 10)}`,
      );
    }
  }
}

/** Rows of TABLE in a <table-updates2> (parsed here and dropped: the timed runs must not share a heap with it). */
function rowsIn(updates: Buffer): number {
  const parsed = JSON.parse(updates.toString("utf8")) as Record<string, Record<string, unknown>>;
  return Object.keys(parsed[TABLE] ?? {}).length;
}

// ---- main -----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const rows = Number(arg("rows", "100000"));
  const rounds = Number(arg("rounds", "3"));
  const modes = arg("modes", "real,replay").split(",") as Mode[];
  const profileDir = arg("cpu-prof-dir", "") || undefined;
  if (profileDir !== undefined) await mkdir(profileDir, { recursive: true });
  let kinds = arg("only", KINDS.join(",")).split(",") as Kind[];
  for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`unknown --only kind ${k}`);
  if (kinds.includes("python") && !(await pythonAvailable())) {
    console.log(`python IDL: ${PYTHON} cannot import ovs.db.idl (python3-openvswitch); not measured`);
    kinds = kinds.filter((k) => k !== "python");
  }

  const dir = await mkdtemp(join(tmpdir(), "ovnkit-bench-cache-load-"));
  let server: OvsdbServer | undefined;
  let replay: ReplayServer | undefined;
  try {
    const t0 = performance.now();
    server = await startLspNb(rows);
    console.log(`real NB ovsdb-server: ${rows} ${TABLE} rows inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // the schema file the server runs; both clients load it before their timer starts
    const schemaFile = server.schemaPath;
    const schema = parseSchema(JSON.parse(await readFile(schemaFile, "utf8")));
    const columns = [...schema.tables.get(TABLE)!.columns.keys()].filter((c) => c !== "_uuid" && c !== "_version");

    // the reply every client will get: monitor_cond_since with the column list, read off a raw socket
    const request = monitorCondSinceRequest(DB, TABLE, columns);
    const tc = performance.now();
    const reply = await captureReply(server.unixSocket, request);
    const captureMs = performance.now() - tc;
    if (rowsIn(monitorReplyParts(reply).updates) !== rows) throw new Error("the captured reply does not hold every row");
    const replyFile = join(dir, "monitor-reply.json");
    await writeFile(replyFile, reply);
    const mb = reply.length / 1e6;
    console.log(`monitor_cond_since reply: ${mb.toFixed(1)} MB (${(reply.length / rows).toFixed(0)} B/row), ${columns.length} columns; ovsdb-server took ${(captureMs / 1000).toFixed(2)} s to send it to a raw socket`);

    const listen = join(dir, "replay.sock");
    if (modes.includes("replay")) {
      replay = await startReplayServer({ upstream: server.unixSocket, listen, replyFile, db: DB, table: TABLE, columns });
    }

    const results: Results = { real: {}, replay: {} };
    const t1 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const mode of modes) {
        const remote = mode === "real" ? server.unixRemote : replay!.remote;
        const socketPath = mode === "real" ? server.unixSocket : listen;
        // alternate the order: each kind runs early and late, on a warmer and a colder machine
        const rotated = kinds.map((_, i) => kinds[(i + r) % kinds.length]!);
        const order = r % 2 === 0 ? rotated : rotated.reverse();
        for (const kind of order) {
          const before = replay?.replays ?? 0;
          const probe = profileDir !== undefined ? cpuProfileProbe(join(profileDir, `${mode}-${kind}-${r + 1}.cpuprofile`)) : NO_PROBE;
          let s: Sample;
          switch (kind) {
            case "bare":
              s = await runBare(socketPath, request, reply.length, rows, probe);
              break;
            case "ovnkit":
            case "ovnkit-typed":
              s = await runOvnkit(remote, schema, columns, rows, kind === "ovnkit-typed", probe);
              break;
            case "python":
              s = await runPython(remote, schemaFile, rows);
              break;
          }
          if (mode === "replay" && replay!.replays !== before + 1) {
            throw new Error(`replay: ${kind} was not answered from the captured reply (${replay!.log.slice(-3).join("; ")})`);
          }
          (results[mode][kind] ??= []).push(s);
          process.stdout.write(`round ${r + 1}/${rounds} ${mode.padEnd(6)} ${kind.padEnd(13)} ${(s.wallMs / 1000).toFixed(2)} s wall, ${(s.cpuMs / 1000).toFixed(2)} s cpu\n`);
        }
      }
    }
    console.log(`(rounds took ${((performance.now() - t1) / 1000).toFixed(0)} s)`);
    for (const mode of modes) printTable(mode, results[mode], rows, mb);
    console.log("");
    console.log(
      "wall = connect -> initial dump applied; cpu = the client process's user+system time over that span; heap B/row = " +
        "heap retained per row with the loaded client alive (python: its resident set growth); RSS B/row = resident set growth. " +
        "py/x = python's time / this client's time (how many times faster than the python IDL).",
    );
  } finally {
    await replay?.stop();
    await server?.stop({ removeDir: true });
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
