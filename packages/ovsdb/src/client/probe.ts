/**
 * Inactivity probe of one connection, as the OVS IDLs do it, plus a separate limit while an initial dump is
 * awaited.
 *
 *   - Anything received (any byte) proves the server alive.
 *   - After `intervalMs` of silence an "echo" request is sent; if nothing arrives within `timeoutMs` after it,
 *     the connection is declared dead (PROBE_TIMEOUT) and the session reconnects.
 *   - While a monitor request is outstanding (the server may compute a big initial dump for a long time before
 *     the first byte, and the echo reply queues behind the dump), the only limit is `dumpTimeoutMs` of
 *     silence; it adapts upwards to 3x the longest dump received so far. A probe shorter than a big initial dump
 *     otherwise cuts every dump and turns into a reconnect storm.
 *   - Timer lag guard: when a deadline passes, the verdict is taken one turn of the event loop later (after
 *     pending I/O is read), so a process that was busy (a GC pause, parsing a big message) does not blame the
 *     server for its own lateness.
 *
 * The clock and timers are injected (unit tests drive them); `tapTransport` feeds the probe from a Transport.
 */
import { OvsdbError } from "../protocol/errors.js";
import type { Transport } from "../transport/transport.js";

export interface ProbeOptions {
  /** Silence after which an echo is sent. Default 5000 ms; 0 disables the probe. */
  intervalMs?: number;
  /** Silence after the echo before the connection is declared dead. Default: intervalMs. */
  timeoutMs?: number;
  /** Longest silence while an initial dump is awaited. Default 60 s (at least 3x the longest dump seen). */
  dumpTimeoutMs?: number;
}

export interface ProbeTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs fn after pending I/O (setImmediate). */
  defer(fn: () => void): void;
}

export const systemProbeTimers: ProbeTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  defer: (fn) => void setImmediate(fn),
};

export interface ProbeHooks {
  /** Sends an echo request (its reply is activity like any other byte). */
  echo(): Promise<unknown>;
  /** The connection is dead. Called at most once. */
  dead(error: OvsdbError): void;
}

export interface ProbeStats {
  /** Time since anything was received. */
  readonly silentMs: number;
  readonly dumpsInFlight: number;
  readonly echoesSent: number;
  /** Longest initial dump seen (request to reply), including the value the probe started with. */
  readonly longestDumpMs: number;
  /** The silence limit in force now. */
  readonly limitMs: number;
}

const DEFAULT_INTERVAL_MS = 5000;
const DEFAULT_DUMP_TIMEOUT_MS = 60_000;
const DUMP_FACTOR = 3;

export class InactivityProbe {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly dumpTimeoutMs: number;
  private lastRx: number;
  private echoSentAt: number | undefined;
  private dumps = 0;
  private echoes = 0;
  private longestDump: number;
  private timer: unknown;
  private running = false;
  private verdictPending = false;

  constructor(
    options: ProbeOptions,
    private readonly hooks: ProbeHooks,
    private readonly timers: ProbeTimers = systemProbeTimers,
    learnedDumpMs = 0,
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? this.intervalMs;
    this.dumpTimeoutMs = options.dumpTimeoutMs ?? DEFAULT_DUMP_TIMEOUT_MS;
    for (const [k, v] of [["intervalMs", this.intervalMs], ["timeoutMs", this.timeoutMs], ["dumpTimeoutMs", this.dumpTimeoutMs]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`probe: ${k} must be a finite number >= 0, got ${v}`);
    }
    this.longestDump = learnedDumpMs;
    this.lastRx = timers.now();
  }

  get enabled(): boolean {
    return this.intervalMs > 0;
  }

  start(): void {
    if (this.running || !this.enabled) return;
    this.running = true;
    this.lastRx = this.timers.now();
    this.evaluate(false);
  }

  stop(): void {
    this.running = false;
    this.cancelTimer();
  }

  /** Something was received. Cheap: called for every chunk. */
  activity(): void {
    this.lastRx = this.timers.now();
    this.echoSentAt = undefined;
  }

  /** Tracks an initial-dump request: the dump limit applies until it settles. */
  trackDump<T>(request: Promise<T>): Promise<T> {
    const started = this.timers.now();
    this.dumps++;
    this.reschedule();
    const done = (completed: boolean): void => {
      this.dumps--;
      // only a dump that arrived teaches: one cut at the limit would raise the limit without end
      if (completed) this.longestDump = Math.max(this.longestDump, this.timers.now() - started);
      this.activity();
      this.reschedule();
    };
    return request.then(
      (r) => {
        done(true);
        return r;
      },
      (e: unknown) => {
        done(false);
        throw e;
      },
    );
  }

  get stats(): ProbeStats {
    return {
      silentMs: this.timers.now() - this.lastRx,
      dumpsInFlight: this.dumps,
      echoesSent: this.echoes,
      longestDumpMs: this.longestDump,
      limitMs: this.dumps > 0 ? this.dumpLimit() : this.intervalMs + this.timeoutMs,
    };
  }

  private dumpLimit(): number {
    return Math.max(this.dumpTimeoutMs, DUMP_FACTOR * this.longestDump);
  }

  private reschedule(): void {
    if (this.running && !this.verdictPending) this.evaluate(false);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(at: number): void {
    this.cancelTimer();
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.evaluate(false);
    }, Math.max(0, at - this.timers.now()));
  }

  /** Acts on the state at this instant; `confirmed`: a deadline already passed one event-loop turn ago. */
  private evaluate(confirmed: boolean): void {
    if (!this.running) return;
    const now = this.timers.now();
    if (this.dumps > 0) {
      const limit = this.dumpLimit();
      if (now - this.lastRx >= limit) return this.suspect(confirmed, "dump", now - this.lastRx, limit);
      return this.schedule(this.lastRx + limit);
    }
    if (this.echoSentAt === undefined) {
      if (now - this.lastRx < this.intervalMs) return this.schedule(this.lastRx + this.intervalMs);
      this.echoSentAt = now;
      this.echoes++;
      this.hooks.echo().catch(() => undefined); // a failed connection is reported by the connection itself
      return this.schedule(now + this.timeoutMs);
    }
    if (now - this.echoSentAt >= this.timeoutMs) return this.suspect(confirmed, "echo", now - this.lastRx, this.timeoutMs);
    this.schedule(this.echoSentAt + this.timeoutMs);
  }

  private suspect(confirmed: boolean, mode: "echo" | "dump", silentMs: number, limitMs: number): void {
    if (!confirmed) {
      // let the event loop read what may already be waiting, then look again
      this.verdictPending = true;
      this.timers.defer(() => {
        this.verdictPending = false;
        this.evaluate(true);
      });
      return;
    }
    this.stop();
    const what = mode === "echo" ? "the echo request was not answered" : "an initial dump did not start or stalled";
    this.hooks.dead(
      new OvsdbError("PROBE_TIMEOUT", `inactivity probe: nothing received for ${Math.round(silentMs)} ms (${what}; limit ${Math.round(limitMs)} ms)`, {
        details: { mode, silentMs, limitMs, echoesSent: this.echoes },
      }),
    );
  }
}

/** A Transport that reports every received chunk to `onData` before passing it on. */
export function tapTransport(transport: Transport, onData: () => void): Transport {
  return {
    get remote() {
      return transport.remote;
    },
    get closed() {
      return transport.closed;
    },
    attach(handlers) {
      transport.attach({
        data: (chunk) => {
          onData();
          handlers.data(chunk);
        },
        close: (error) => handlers.close(error),
      });
    },
    write: (data) => transport.write(data),
    close: () => transport.close(),
  };
}
