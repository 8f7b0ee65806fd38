/**
 * ResilientInformer: a client-node 1.4 ListWatch (cache + add/update/delete callbacks) made to survive.
 *   - client-node relists on 410 and re-watches on a clean close, but STOPS on any other error (connection
 *     reset / "Premature close", 5xx, failed list): we restart it with exponential backoff. A restart resumes
 *     the watch from the last resourceVersion (a 410 then makes it relist).
 *   - client-node has no watch timeout: a watchdog aborts a watch that delivered nothing (no event, no
 *     BOOKMARK) for watchIdleTimeoutMs, which goes through the same restart path. Watches ask for bookmarks
 *     and a server-side timeoutSeconds, so healthy quiet watches keep showing signs of life.
 *   - the backoff resets once a watch has been up for healthyAfterMs or delivered something.
 */
import * as k8s from "@kubernetes/client-node";
import { Backoff, type BackoffOptions } from "../controller/rate-limiter.js";
import type { Logger } from "../observability/logger.js";
import type { MigratorMetrics } from "../observability/metrics.js";

export type InformerVerb = "add" | "update" | "delete";

export interface InformerOptions<T> {
  /** Resource name for logs and metrics ("pods"). */
  readonly resource: string;
  readonly kubeConfig: k8s.KubeConfig;
  /** Collection path, e.g. /api/v1/pods or /apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances. */
  readonly path: string;
  readonly list: () => Promise<{ metadata?: { resourceVersion?: string }; items: T[] }>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly log: Logger;
  readonly metrics?: MigratorMetrics;
  /** Restart backoff. Default 200 ms doubling to 30 s (with 20 % jitter). */
  readonly restartBackoff?: BackoffOptions;
  /** Default 150 000 ms. */
  readonly watchIdleTimeoutMs?: number;
  /** timeoutSeconds asked of the server for each watch. Default 300. */
  readonly watchTimeoutSeconds?: number;
  /** Default 10 000 ms. */
  readonly healthyAfterMs?: number;
}

interface OpenWatch {
  readonly controller: AbortController;
  readonly connectedAt: number;
  lastActivity: number;
}

/** client-node's Watch, adding bookmarks/timeoutSeconds and reporting activity to the informer. */
class WatchdogWatch extends k8s.Watch {
  constructor(
    config: k8s.KubeConfig,
    private readonly owner: ResilientInformer<never>,
    private readonly timeoutSeconds: number,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.owner.listed();
    let ended = false;
    const params = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds };
    const controller = await super.watch(
      path,
      params,
      (phase, obj, raw) => {
        this.owner.activity();
        callback(phase, obj, raw);
      },
      (err) => {
        ended = true;
        this.owner.watchEnded();
        done(err);
      },
    );
    if (!ended) this.owner.watchOpened(controller);
    return controller;
  }
}

export class ResilientInformer<T extends { metadata?: object }> {
  private readonly lw: k8s.ListWatch<k8s.KubernetesObject>;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private stopped = true;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private open: OpenWatch | undefined;
  private restartCount = 0;
  private stallAbort = false;
  readonly idleTimeoutMs: number;
  readonly healthyAfterMs: number;

  constructor(private readonly options: InformerOptions<T>) {
    this.log = options.log.child({ informer: options.resource });
    this.backoff = new Backoff({ baseMs: 200, maxMs: 30_000, jitter: 0.2, ...options.restartBackoff });
    this.idleTimeoutMs = options.watchIdleTimeoutMs ?? 150_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 10_000;
    const watch = new WatchdogWatch(options.kubeConfig, this as unknown as ResilientInformer<never>, options.watchTimeoutSeconds ?? 300);
    const list = options.list as unknown as () => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
    this.lw = new k8s.ListWatch(options.path, watch, list, false, options.labelSelector, options.fieldSelector);
    this.lw.on("error", (err) => this.failed(err));
  }

  get resource(): string {
    return this.options.resource;
  }

  /** How many times the informer was restarted after an error or a stall. */
  get restarts(): number {
    return this.restartCount;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  on(verb: InformerVerb, cb: (obj: T) => void): void {
    this.lw.on(verb, cb as unknown as (o: k8s.KubernetesObject) => void);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace) as unknown as readonly T[];
  }

  /** Starts listing and watching; resolves after the first attempt (see waitForSync). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const period = Math.max(10, Math.min(1000, Math.floor(this.idleTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.tick(), period);
    this.watchdog.unref();
    await this.lw.start();
  }

  /** Resolves once the first list is in the cache (rejects after timeoutMs). */
  waitForSync(timeoutMs = 60_000): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`informer ${this.options.resource} did not sync within ${timeoutMs} ms`)), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    this.restartTimer = undefined;
    this.open = undefined;
    await this.lw.stop();
  }

  /** @internal the list completed and is in the cache (the watch is about to start). */
  listed(): void {
    if (this.synced) return;
    this.synced = true;
    this.options.metrics?.informerSynced.set({ resource: this.options.resource }, 1);
    for (const w of this.syncWaiters.splice(0)) w();
  }

  /** @internal */
  watchOpened(controller: AbortController): void {
    const now = Date.now();
    this.open = { controller, connectedAt: now, lastActivity: now };
  }

  /** @internal a line (event or bookmark) arrived. */
  activity(): void {
    if (this.open === undefined) return;
    this.open.lastActivity = Date.now();
    this.backoff.reset();
  }

  /** @internal */
  watchEnded(): void {
    this.open = undefined;
  }

  private tick(): void {
    const w = this.open;
    if (w === undefined || this.stopped) return;
    const now = Date.now();
    if (now - w.connectedAt >= this.healthyAfterMs) this.backoff.reset();
    if (now - w.lastActivity > this.idleTimeoutMs) {
      this.log.warn({ idleMs: now - w.lastActivity }, "watch stalled: aborting it");
      this.options.metrics?.informerRestarts.inc({ resource: this.options.resource, reason: "stalled" });
      this.open = undefined;
      this.stallAbort = true;
      w.controller.abort();
    }
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.open = undefined;
    if (this.restartTimer !== undefined) return;
    const delay = this.backoff.next();
    if (!this.stallAbort) this.options.metrics?.informerRestarts.inc({ resource: this.options.resource, reason: "error" });
    this.stallAbort = false;
    this.log.warn({ err, retryInMs: delay }, "informer stopped on an error: restarting");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.restartCount++;
      this.lw.start().catch((e: unknown) => this.failed(e));
    }, delay);
    this.restartTimer.unref();
  }
}
