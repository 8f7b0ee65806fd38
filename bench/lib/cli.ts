/** Small helpers shared by the benchmarks: command-line options, statistics, a full GC. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The value of `--name VALUE` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** True when `--name` is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * A full, synchronous garbage collection (global.gc under --expose-gc, else enabled at run time), so that a
 * timed run does not pay for the garbage of the previous one, and heap deltas measure what is retained.
 */
export function gcFn(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
