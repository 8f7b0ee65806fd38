// Readers for the recorded ovsdb-server 3.1 sessions in test/fixtures/wire-samples/<dir>/ (one directory per
// recording: numbered request/response/notification files plus transcript.jsonl in recorded order).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const WIRE_SAMPLES_DIR = fileURLToPath(new URL("../fixtures/wire-samples/", import.meta.url));

/** The recordings (directory names, sorted). */
export function wireSampleDirs(): string[] {
  return readdirSync(WIRE_SAMPLES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The names of a recording's files (sorted). */
export function wireSampleFiles(dir: string): string[] {
  return readdirSync(join(WIRE_SAMPLES_DIR, dir)).sort();
}

/** One recorded message file, parsed with JSON.parse. */
export function readWireSample<T = { result?: unknown; params?: unknown[] }>(dir: string, file: string): T {
  return JSON.parse(readFileSync(join(WIRE_SAMPLES_DIR, dir, file), "utf8")) as T;
}

/** The messages of a recording's transcript.jsonl, in recorded order. */
export function readTranscript<T = unknown>(dir: string): T[] {
  const lines = readFileSync(join(WIRE_SAMPLES_DIR, dir, "transcript.jsonl"), "utf8").split("\n").filter((l) => l.trim() !== "");
  return lines.map((l) => (JSON.parse(l) as { msg: T }).msg);
}
