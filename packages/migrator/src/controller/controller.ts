/**
 * Controller: workers pulling keys from a WorkQueue and running a Reconciler, controller-runtime style.
 *   success -> forget (backoff reset); requeueAfterMs -> delayed re-add; error -> rate-limited re-add.
 * Every reconcile gets an id in its log context; anything thrown becomes an error (a throw that is not an
 * Error, or a programming error such as a TypeError, becomes RECONCILE_PANIC) and never kills a worker.
 */
import { randomBytes } from "node:crypto";
import { MigratorError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { MigratorMetrics } from "../observability/metrics.js";
import type { WorkQueue } from "./work-queue.js";

export interface ReconcileContext {
  /** Unique per reconcile (also in every log line of it). */
  readonly id: string;
  readonly log: Logger;
  /** When the key was first queued since its previous reconcile (ms since the epoch). */
  readonly addedAt: number;
  /** Consecutive failures of this key before this attempt. */
  readonly retries: number;
}

export interface ReconcileResult {
  /** Reconcile again after this long (ms), even though this one succeeded. */
  readonly requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult>;
}

export interface ControllerOptions {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly reconciler: Reconciler;
  readonly log: Logger;
  /** Concurrent workers (different keys only). Default 2. */
  readonly workers?: number;
  readonly metrics?: MigratorMetrics;
}

/** Errors with a stable `code` are expected failures; anything else thrown is a panic. */
export function asReconcileError(e: unknown): Error & { code?: string } {
  if (e instanceof Error && typeof (e as { code?: unknown }).code === "string") return e as Error & { code: string };
  const what = e instanceof Error ? `${e.name}: ${e.message}` : `non-error thrown: ${String(e)}`;
  return new MigratorError("RECONCILE_PANIC", `reconcile panicked: ${what}`, { cause: e });
}

export function newReconcileId(): string {
  return randomBytes(6).toString("hex");
}

export class Controller {
  private readonly workers: Promise<void>[] = [];
  private started = false;

  constructor(private readonly options: ControllerOptions) {}

  get queue(): WorkQueue<string> {
    return this.options.queue;
  }

  enqueue(key: string): void {
    this.options.queue.add(key);
    this.options.metrics?.queueDepth.set(this.options.queue.length);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const n = this.options.workers ?? 2;
    for (let i = 0; i < n; i++) this.workers.push(this.work(i));
    this.options.log.info({ controller: this.options.name, workers: n }, "controller started");
  }

  /** Stops taking keys and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    await this.options.queue.shutDownWithDrain();
    await Promise.all(this.workers);
    this.options.log.info({ controller: this.options.name }, "controller stopped");
  }

  private async work(worker: number): Promise<void> {
    const { queue, metrics } = this.options;
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      metrics?.queueDepth.set(queue.length);
      metrics?.queueInFlight.set(queue.inFlight);
      try {
        await this.processOne(item.key, item.addedAt, worker);
      } finally {
        queue.done(item.key);
        metrics?.queueInFlight.set(queue.inFlight);
        metrics?.queueDepth.set(queue.length);
      }
    }
  }

  private async processOne(key: string, addedAt: number, worker: number): Promise<void> {
    const { queue, metrics, reconciler } = this.options;
    const id = newReconcileId();
    const log = this.options.log.child({ controller: this.options.name, reconcileId: id, key, worker });
    const retries = queue.retries(key);
    const started = process.hrtime.bigint();
    let result: ReconcileResult;
    try {
      // Called inside try: a synchronous throw is caught like a rejection.
      result = await reconciler.reconcile(key, { id, log, addedAt, retries });
    } catch (thrown) {
      const err = asReconcileError(thrown);
      const delay = queue.addRateLimited(key);
      metrics?.reconciles.inc({ result: "error" });
      metrics?.reconcileErrors.inc({ code: err.code ?? "unknown" });
      metrics?.queueRetries.inc();
      log.error({ err, code: err.code, retries: retries + 1, retryInMs: delay }, "reconcile failed");
      return;
    } finally {
      metrics?.reconcileDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
    queue.forget(key);
    if (result.requeueAfterMs !== undefined) {
      queue.addAfter(key, result.requeueAfterMs);
      metrics?.reconciles.inc({ result: "requeue" });
      log.debug({ requeueAfterMs: result.requeueAfterMs }, "reconcile requeued");
    } else {
      metrics?.reconciles.inc({ result: "success" });
      log.debug("reconcile done");
    }
  }
}
