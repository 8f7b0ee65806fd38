/**
 * Per-item exponential backoff (client-go's ItemExponentialFailureRateLimiter): the n-th consecutive failure
 * of a key waits base * 2^n, capped at max; forget() resets the key after a success.
 */

export interface RateLimiter<K> {
  /** The delay before retrying `key` now that it failed once more. */
  when(key: K): number;
  /** How many times `key` failed in a row. */
  retries(key: K): number;
  forget(key: K): void;
}

export interface BackoffOptions {
  /** First delay (ms). Default 100. */
  readonly baseMs?: number;
  /** Cap (ms). Default 300_000 (5 min). */
  readonly maxMs?: number;
}

export class ExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  readonly baseMs: number;
  readonly maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 100;
    this.maxMs = options.maxMs ?? 300_000;
  }

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 52));
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}

/** A standalone backoff sequence (informer restarts, leader election retries). */
export class Backoff {
  private n = 0;

  constructor(private readonly options: BackoffOptions & { jitter?: number } = {}) {}

  /** The next delay; with jitter j, a random extra of up to j * delay. */
  next(): number {
    const base = this.options.baseMs ?? 100;
    const max = this.options.maxMs ?? 30_000;
    const d = Math.min(max, base * 2 ** Math.min(this.n++, 52));
    const j = this.options.jitter ?? 0;
    return j > 0 ? Math.round(d * (1 + Math.random() * j)) : d;
  }

  get attempts(): number {
    return this.n;
  }

  reset(): void {
    this.n = 0;
  }
}
