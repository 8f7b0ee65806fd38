/**
 * Framing + decoding throughput of a large real monitor reply: ovnkit's Framer + decodeFrame (bytes fed in
 * 64 KiB chunks, as a socket delivers them) against a bare Buffer.concat + toString + JSON.parse of the same
 * bytes (the floor: what any client must at least pay). Target: ratio <= 1.5.
 *
 * The reply is built the real way: a real NB ovsdb-server, 100,000 Logical_Switch_Port rows inserted in big
 * transactions with realistic columns (name, addresses, port_security, external_ids, options), then a
 * monitor_cond on Logical_Switch_Port whose raw reply bytes are captured from the socket to a temp file.
 *
 * Run: pnpm -s exec tsx --conditions=ovnkit-source bench/framing.bench.ts [--rows N] [--rounds N]
 *        [--reply FILE (reuse a captured reply)] [--save FILE (keep the captured reply)]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Framer, decodeFrame } from "@ovnkit/ovsdb";
import { captureReply } from "./lib/capture.js";
import { arg, gcFn, median } from "./lib/cli.js";
import { startLspNb, widePortRow } from "./lib/nb-lsp.js";

const CHUNK = 64 * 1024;

/** Starts an NB server, inserts `rows` ports, and captures the raw bytes of a monitor_cond reply. */
async function captureMonitorReply(rows: number, file: string): Promise<void> {
  const t0 = performance.now();
  const server = await startLspNb(rows, widePortRow);
  try {
    console.log(`inserted ${rows} Logical_Switch_Port rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const request = JSON.stringify({ method: "monitor_cond", params: ["OVN_Northbound", "bench", { Logical_Switch_Port: [{}] }], id: 1 });
    await writeFile(file, await captureReply(server.unixSocket, request));
  } finally {
    await server.stop({ removeDir: true });
  }
}

function chunksOf(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += CHUNK) out.push(buf.subarray(i, i + CHUNK));
  return out;
}

function runOvnkit(chunks: Buffer[]): unknown {
  let value: unknown;
  const framer = new Framer({ maxFrameBytes: 2 ** 31 - 1 });
  for (const c of chunks) framer.push(c, (frame, long) => void (value = decodeFrame(frame, long)));
  return value;
}

function runFramerOnly(chunks: Buffer[]): unknown {
  let frames = 0;
  const framer = new Framer({ maxFrameBytes: 2 ** 31 - 1 });
  for (const c of chunks) framer.push(c, () => void frames++);
  return frames;
}

function runBare(chunks: Buffer[]): unknown {
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function main(): Promise<void> {
  const rows = Number(arg("rows", "100000"));
  const rounds = Number(arg("rounds", "7"));
  const dir = await mkdtemp(join(tmpdir(), "ovnkit-bench-framing-"));
  try {
    const given = arg("reply", "");
    const file = given || arg("save", "") || join(dir, "monitor-reply.json");
    if (!given) await captureMonitorReply(rows, file);
    const bytes = await readFile(file);
    const chunks = chunksOf(bytes);
    const mb = bytes.length / 1e6;
    // sanity: both paths decode the same reply
    const a = runOvnkit(chunks) as { id: number; result: Record<string, Record<string, unknown>> };
    const b = runBare(chunks) as typeof a;
    const n = Object.keys(a.result.Logical_Switch_Port ?? {}).length;
    if (n !== Object.keys(b.result.Logical_Switch_Port ?? {}).length || a.id !== b.id) throw new Error("the two decoders disagree");
    console.log(`monitor_cond reply: ${mb.toFixed(1)} MB, ${n} rows, ${chunks.length} chunks of 64 KiB (${file})`);

    const gc = gcFn(); // a full collection before each timed round: neither side pays for the other's garbage
    const times = { ovnkit: [] as number[], bare: [] as number[], framer: [] as number[] };
    const run = { ovnkit: runOvnkit, bare: runBare, framer: runFramerOnly };
    for (let r = 0; r < rounds; r++) {
      // alternate the order so that neither side always runs on a warmer heap
      const order: (keyof typeof run)[] = r % 2 === 0 ? ["ovnkit", "bare", "framer"] : ["bare", "ovnkit", "framer"];
      for (const which of order) {
        gc();
        const t = performance.now();
        run[which](chunks);
        times[which].push(performance.now() - t);
      }
    }
    const row = (name: string, ms: number[]): string =>
      `| ${name.padEnd(44)} | ${median(ms).toFixed(1).padStart(10)} | ${Math.min(...ms).toFixed(1).padStart(8)} | ${(mb / (median(ms) / 1000)).toFixed(0).padStart(8)} |`;
    console.log("");
    console.log(`| ${"decoder (same bytes, 64 KiB chunks)".padEnd(44)} | median ms  |  best ms |   MB/s   |`);
    console.log(`|${"-".repeat(46)}|${"-".repeat(12)}|${"-".repeat(10)}|${"-".repeat(10)}|`);
    console.log(row("ovnkit Framer + decodeFrame", times.ovnkit));
    console.log(row("bare Buffer.concat + toString + JSON.parse", times.bare));
    console.log(row("(ovnkit Framer alone: the scan it adds)", times.framer));
    const ratio = median(times.ovnkit) / median(times.bare);
    const bestRatio = Math.min(...times.ovnkit) / Math.min(...times.bare);
    console.log("");
    console.log(`ratio ovnkit / bare: ${ratio.toFixed(2)}x median of ${rounds} alternating rounds, ${bestRatio.toFixed(2)}x best vs best`);
    console.log(`target <= 1.5x: ${ratio <= 1.5 ? "met" : "NOT met"}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
