/**
 * MigrationController: informers -> VM keys -> work queue -> workers running the MigrationReconciler.
 * Keys are queued from the moment the informers start (deduplicated, so bounded by the number of VMs);
 * workers run only while this instance may act (after leader election, when enabled). A periodic resync
 * re-queues every VM, which also catches NB-side drift that no Kubernetes event announces.
 */
import type { MigratorInformers } from "../kube/informers.js";
import type { Logger } from "../observability/logger.js";
import type { MigratorMetrics } from "../observability/metrics.js";
import { Controller, type Reconciler } from "./controller.js";
import { keyOfLauncherPod, keyOfVmi, keyOfVmim } from "./keys.js";
import { ExponentialRateLimiter, type BackoffOptions } from "./rate-limiter.js";
import { WorkQueue } from "./work-queue.js";

export interface MigrationControllerOptions {
  readonly informers: MigratorInformers;
  readonly reconciler: Reconciler;
  readonly log: Logger;
  readonly metrics?: MigratorMetrics;
  /** Default 4. */
  readonly workers?: number;
  /** Re-queue every VM this often (ms); 0 disables. Default 300 000. */
  readonly resyncMs?: number;
  readonly backoff?: BackoffOptions;
}

export class MigrationController {
  readonly queue: WorkQueue<string>;
  readonly controller: Controller;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: MigrationControllerOptions) {
    this.queue = new WorkQueue<string>({ rateLimiter: new ExponentialRateLimiter({ baseMs: 100, maxMs: 300_000, ...options.backoff }) });
    this.controller = new Controller({
      name: "migration",
      queue: this.queue,
      reconciler: options.reconciler,
      log: options.log,
      workers: options.workers ?? 4,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    const { informers } = options;
    const enqueue = (k: string | undefined) => {
      if (k !== undefined) this.controller.enqueue(k);
    };
    for (const verb of ["add", "update", "delete"] as const) {
      informers.vmis.on(verb, (o) => enqueue(keyOfVmi(o)));
      informers.vmims.on(verb, (o) => enqueue(keyOfVmim(o)));
      informers.launcherPods.on(verb, (o) => enqueue(keyOfLauncherPod(o)));
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Every VM the caches know (VMIs, and VMs named by migrations or pods whose VMI is gone). */
  knownKeys(): string[] {
    const { informers } = this.options;
    const keys = new Set<string>();
    for (const o of informers.vmis.list()) if (keyOfVmi(o)) keys.add(keyOfVmi(o)!);
    for (const o of informers.vmims.list()) if (keyOfVmim(o)) keys.add(keyOfVmim(o)!);
    for (const o of informers.launcherPods.list()) if (keyOfLauncherPod(o)) keys.add(keyOfLauncherPod(o)!);
    return [...keys].sort();
  }

  resync(): void {
    for (const k of this.knownKeys()) this.controller.enqueue(k);
  }

  /** Starts the workers (call once the informers synced and, with leader election, once leading). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.resync();
    this.controller.start();
    const every = this.options.resyncMs ?? 300_000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => this.resync(), every);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    if (!this.running) {
      this.queue.shutDown();
      return;
    }
    this.running = false;
    await this.controller.stop();
  }
}
