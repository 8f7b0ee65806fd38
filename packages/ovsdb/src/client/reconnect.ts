/**
 * When and where the session dials next: exponential backoff with jitter over a rotation of remotes. Pure (the
 * clock and the random source are injected); the dial loop itself is in session.ts.
 *
 * Rules:
 * - The first attempt, and the first attempt after losing a connection that had been up for at least
 *   `stableMs` or that the server handed over (it lost leadership), start at once (delay 0). A leader-only
 *   client that follows a leadership transfer therefore pays no backoff.
 * - Every failed attempt (refused, timed out, server refused by the _Server check) and every loss of a
 *   connection that was up for less than `stableMs` (a flapping server) adds one failure. The delay before
 *   the next attempt is then `min(maxMs, initialMs * multiplier^(failures - 1))`, of which the fraction
 *   `jitter` is random ("equal jitter": the delay never drops below (1 - jitter) of it, so many clients that
 *   lost the same server spread out and none hammers it).
 * - Remotes are tried in rotation, starting after the one used last: after losing a server (or its
 *   leadership), the next attempt goes to another member. With `shuffle`, the rotation starts at a random
 *   remote, so a fleet of clients given the same list spreads over it.
 */

export interface BackoffOptions {
  /** Delay after the first failure. Default 100 ms. */
  initialMs?: number;
  /** Largest delay. Default 8000 ms (ovsdb-server's own IDLs back off to 8 s). */
  maxMs?: number;
  /** Growth per failure. Default 2. */
  multiplier?: number;
  /** Random fraction of each delay, 0..1. Default 0.5. */
  jitter?: number;
  /** A connection up at least this long resets the backoff when it is lost. Default 5000 ms. */
  stableMs?: number;
  /** Start the rotation at a random remote. Default true. */
  shuffle?: boolean;
}

export interface ReconnectClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemReconnectClock: ReconnectClock = { now: () => performance.now(), random: Math.random };

export interface NextAttempt<R> {
  readonly remote: R;
  /** Wait this long before dialing. */
  readonly delayMs: number;
  /** 1-based attempt number since the last accepted connection (or since the start). */
  readonly attempt: number;
  /** Consecutive failures counted for the backoff. */
  readonly failures: number;
}

function positive(name: string, v: number, min: number): number {
  if (!Number.isFinite(v) || v < min) throw new RangeError(`reconnect: ${name} must be a finite number >= ${min}, got ${v}`);
  return v;
}

/** The delay before the next attempt after `failures` consecutive failures (0 failures: none). */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number): number {
  if (failures <= 0) return 0;
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 8000;
  const multiplier = options.multiplier ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  // the exponent is capped so a long outage cannot overflow to Infinity
  const base = Math.min(max, initial * multiplier ** Math.min(failures - 1, 64));
  return base * (1 - jitter) + base * jitter * random();
}

export class ReconnectPolicy<R> {
  private readonly remotes: readonly R[];
  private readonly options: BackoffOptions;
  private readonly clock: ReconnectClock;
  private next_ = 0;
  private failures_ = 0;
  private attempt_ = 0;
  private connectedAt: number | undefined;

  constructor(remotes: readonly R[], options: BackoffOptions = {}, clock: ReconnectClock = systemReconnectClock) {
    if (remotes.length === 0) throw new RangeError("reconnect: no remote");
    positive("initialMs", options.initialMs ?? 100, 0);
    positive("maxMs", options.maxMs ?? 8000, 0);
    positive("multiplier", options.multiplier ?? 2, 1);
    positive("stableMs", options.stableMs ?? 5000, 0);
    this.remotes = remotes;
    this.options = options;
    this.clock = clock;
    if ((options.shuffle ?? true) && remotes.length > 1) this.next_ = Math.floor(clock.random() * remotes.length) % remotes.length;
  }

  /** Consecutive failures counted for the backoff. */
  get failures(): number {
    return this.failures_;
  }

  /** The next remote in rotation and the delay to wait before dialing it. */
  next(): NextAttempt<R> {
    const remote = this.remotes[this.next_] as R;
    this.next_ = (this.next_ + 1) % this.remotes.length;
    this.attempt_++;
    return { remote, delayMs: backoffDelay(this.failures_, this.options, this.clock.random), attempt: this.attempt_, failures: this.failures_ };
  }

  /** The attempt failed (dial error, or the server was refused). */
  failed(): void {
    this.failures_++;
  }

  /** The attempt was accepted: the connection is up. */
  connected(): void {
    this.connectedAt = this.clock.now();
    this.attempt_ = 0;
  }

  /**
   * An accepted connection was lost. `handover`: the server said it is no longer fit (lost leadership, left
   * the cluster) rather than failing; like a stable connection, that costs no backoff.
   */
  lost(options: { handover?: boolean } = {}): void {
    const upFor = this.connectedAt === undefined ? 0 : this.clock.now() - this.connectedAt;
    this.connectedAt = undefined;
    if (options.handover === true || upFor >= (this.options.stableMs ?? 5000)) this.failures_ = 0;
    else this.failures_++;
  }
}
