/**
 * Structured logging (pino): JSON lines with a `component` and, inside a reconcile, `reconcileId` and `key`.
 */
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go (default stdout). Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
  readonly name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = { name: options.name ?? "ovnkit-migrator", level: options.level ?? "info", base: { pid: process.pid } };
  return options.destination !== undefined ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** A logger whose lines are kept in memory, parsed (tests that assert on log context). */
export function memoryLogger(level: LogLevel = "debug"): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = {
    write(msg: string) {
      for (const l of msg.split("\n")) if (l.trim() !== "") lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  };
  return { log: pino({ level }, destination), lines };
}
