/**
 * A work queue with controller-runtime semantics:
 *   - a key is queued at most once (adds while it waits are merged: dedup);
 *   - a key is never handed to two workers at once: added while processing, it is queued again on done();
 *   - addAfter (requeueAfter) and addRateLimited (per-key exponential backoff; forget() resets it);
 *   - each handed-out item says when it was first added since it was last handed out (for latency metrics).
 */
import { MigratorError } from "../errors.js";
import { ExponentialRateLimiter, type RateLimiter } from "./rate-limiter.js";

export interface WorkItem<K> {
  readonly key: K;
  /** When the key was first added (ms, the queue's clock) since it was last handed out. */
  readonly addedAt: number;
}

export interface WorkQueueOptions<K> {
  readonly rateLimiter?: RateLimiter<K>;
  readonly now?: () => number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly addedAt = new Map<K, number>();
  private readonly delayed = new Map<K, { timer: NodeJS.Timeout; at: number }>();
  private readonly waiters: ((item: WorkItem<K> | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private shuttingDown = false;
  readonly rateLimiter: RateLimiter<K>;
  private readonly now: () => number;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.rateLimiter = options.rateLimiter ?? new ExponentialRateLimiter<K>();
    this.now = options.now ?? Date.now;
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.queue.length;
  }

  /** Keys being processed right now. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Keys waiting for a delayed add. */
  get waitingDelayed(): number {
    return this.delayed.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds `key` after `ms` (at once when ms <= 0); an earlier pending delayed add wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.now() + ms;
    const pending = this.delayed.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { timer, at });
  }

  /** Adds `key` after its backoff delay; returns the delay. */
  addRateLimited(key: K): number {
    const ms = this.rateLimiter.when(key);
    this.addAfter(key, ms);
    return ms;
  }

  /** Resets `key`'s backoff (after a success). */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  retries(key: K): number {
    return this.rateLimiter.retries(key);
  }

  /** The next key (waits for one); undefined once the queue is shut down. */
  get(): Promise<WorkItem<K> | undefined> {
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Stops handing out keys: waiting get() calls resolve undefined; delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** Shuts down and resolves once no key is being processed. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Rejects with QUEUE_SHUT_DOWN when the queue is shut down (for callers that must not wait forever). */
  async mustGet(): Promise<WorkItem<K>> {
    const item = await this.get();
    if (item === undefined) throw new MigratorError("QUEUE_SHUT_DOWN", "the work queue is shut down");
    return item;
  }

  private push(key: K): void {
    const w = this.waiters.shift();
    if (w !== undefined) {
      this.queue.push(key);
      w(this.take());
    } else this.queue.push(key);
  }

  private take(): WorkItem<K> {
    const key = this.queue.shift()!;
    this.processing.add(key);
    this.dirty.delete(key);
    const addedAt = this.addedAt.get(key) ?? this.now();
    this.addedAt.delete(key);
    return { key, addedAt };
  }
}
