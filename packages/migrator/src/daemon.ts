/**
 * MigratorDaemon: wires the pieces. Informers (launcher pods, VMIs, VMIMs) -> MigrationController (work queue,
 * workers) -> MigrationReconciler -> MigrationBackend (OVN NB), with leader election on a Lease, Kubernetes
 * Events, and /healthz /readyz /metrics. Informers run on every replica (warm caches); workers only on the
 * leader. Losing the lease stops the workers and ends the daemon (`done` says why): the process should exit
 * and be restarted, as controller-runtime does.
 */
import * as k8s from "@kubernetes/client-node";
import type { MigratorConfig } from "./config.js";
import { MigrationController } from "./controller/migration-controller.js";
import type { BackoffOptions } from "./controller/rate-limiter.js";
import { KubeEventRecorder, type EventSink } from "./kube/events.js";
import { MigratorInformers, type InformerTuning } from "./kube/informers.js";
import { LeaderElector } from "./kube/leader-election.js";
import type { MigrationBackend } from "./migration/backend.js";
import { OvnNbBackend } from "./migration/ovn-nb-backend.js";
import { MigrationReconciler } from "./migration/reconciler.js";
import { HealthServer } from "./observability/http-server.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { MigratorMetrics } from "./observability/metrics.js";

/** A backend the daemon can ask about readiness and close (both optional). */
export type DaemonBackend = MigrationBackend & {
  readonly ready?: boolean;
  /**
   * Called once at start (e.g. to open and keep connections up). `onVmChange`: the backend saw a VM's ports
   * change (queue it); `onReconnect`: the backend is back after an outage (re-queue every VM).
   */
  start?(options: {
    onError?: (e: unknown) => void;
    onVmChange?: (vmKey: string) => void;
    onReconnect?: (info: { readonly downMs: number; readonly error: string | undefined }) => void;
  }): void;
  close?(): Promise<void>;
};

export interface DaemonTuning {
  readonly informer?: InformerTuning;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly orphanGraceMs?: number;
  readonly noPortsRetryMs?: number;
  readonly driftConfirmMs?: number;
  readonly backoff?: BackoffOptions;
}

export interface DaemonDeps {
  readonly kubeConfig?: k8s.KubeConfig;
  readonly backend?: DaemonBackend;
  readonly log?: Logger;
  readonly metrics?: MigratorMetrics;
  readonly events?: EventSink;
  readonly tuning?: DaemonTuning;
}

export type DaemonEnd = { readonly reason: "stopped" } | { readonly reason: "lost-leadership" };

export function loadKubeConfig(path: string | undefined): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export class MigratorDaemon {
  readonly done: Promise<DaemonEnd>;
  private finish!: (end: DaemonEnd) => void;
  private stopping = false;
  private workers: Promise<void> | undefined;

  private constructor(
    readonly config: MigratorConfig,
    readonly log: Logger,
    readonly metrics: MigratorMetrics,
    readonly informers: MigratorInformers,
    readonly controller: MigrationController,
    readonly reconciler: MigrationReconciler,
    readonly backend: DaemonBackend,
    readonly health: HealthServer,
    private readonly events: EventSink,
    readonly elector: LeaderElector | undefined,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  static async start(config: MigratorConfig, deps: DaemonDeps = {}): Promise<MigratorDaemon> {
    const log = deps.log ?? createLogger({ level: config.logLevel });
    const metrics = deps.metrics ?? new MigratorMetrics({ defaultMetrics: true });
    const kubeConfig = deps.kubeConfig ?? loadKubeConfig(config.kubeconfig);
    const tuning = deps.tuning ?? {};
    const backend = deps.backend ?? OvnNbBackend.forRemotes(config.nb, {
      ...(config.sb ? { sb: config.sb } : {}), vmPortKey: config.vmPortKey, probe: { intervalMs: config.ovsdbProbeIntervalMs },
    });
    const informers = new MigratorInformers({
      kubeConfig, log, metrics, ...(config.namespace ? { namespace: config.namespace } : {}), ...(tuning.informer ? { tuning: tuning.informer } : {}),
    });
    const events = deps.events ?? new KubeEventRecorder({ kubeConfig, instance: config.identity, log });
    const reconciler = new MigrationReconciler({
      state: informers, backend, events, metrics,
      ...(tuning.orphanGraceMs !== undefined ? { orphanGraceMs: tuning.orphanGraceMs } : {}),
      ...(tuning.noPortsRetryMs !== undefined ? { noPortsRetryMs: tuning.noPortsRetryMs } : {}),
      ...(tuning.driftConfirmMs !== undefined ? { driftConfirmMs: tuning.driftConfirmMs } : {}),
      ...(config.completeAfterSourceRelease ? { completeAfterSourceRelease: { graceMs: config.sourceReleaseGraceSeconds * 1000 } } : {}),
    });
    const controller = new MigrationController({
      informers, reconciler, log, metrics, workers: config.workers, resyncMs: config.resyncSeconds * 1000, ...(tuning.backoff ? { backoff: tuning.backoff } : {}),
    });
    const health = await HealthServer.start({
      address: config.metricsAddr,
      metrics,
      checks: {
        informers: () => ({ ok: informers.hasSynced, detail: informers.all.filter((i) => !i.hasSynced).map((i) => i.resource).join(", ") + " not synced" }),
        ovsdb: () => ({ ok: backend.ready ?? true, detail: "no NB connection" }),
      },
    });
    let daemon!: MigratorDaemon;
    const elector = config.leaderElect
      ? new LeaderElector({
          kubeConfig, namespace: config.leaseNamespace, name: config.leaseName, identity: config.identity, log, metrics,
          ...(tuning.leaseDurationMs !== undefined ? { leaseDurationMs: tuning.leaseDurationMs } : {}),
          ...(tuning.renewDeadlineMs !== undefined ? { renewDeadlineMs: tuning.renewDeadlineMs } : {}),
          ...(tuning.retryPeriodMs !== undefined ? { retryPeriodMs: tuning.retryPeriodMs } : {}),
          onStartedLeading: () => daemon.startWorkers(),
          onStoppedLeading: () => daemon.leadershipLost(),
        })
      : undefined;
    daemon = new MigratorDaemon(config, log, metrics, informers, controller, reconciler, backend, health, events, elector);
    backend.start?.({
      onError: (err) => log.warn({ err }, "OVN database connection failed or lost; retrying"),
      onVmChange: (key) => controller.controller.enqueue(key),
      onReconnect: ({ downMs, error }) => {
        log.info({ downMs, lostWith: error }, "OVN NB connection restored: re-queueing every VM");
        controller.resync();
      },
    });
    await informers.start();
    if (elector !== undefined) void elector.run();
    else daemon.startWorkers();
    log.info({ identity: config.identity, nb: config.nb, namespace: config.namespace ?? "(all)", leaderElect: config.leaderElect, metrics: health.url }, "ovnkit-migrator started");
    return daemon;
  }

  /** Starts the workers once the informers have synced (a leader must not act on empty caches). */
  private startWorkers(): void {
    this.workers ??= (async () => {
      while (!this.informers.hasSynced && !this.stopping) await new Promise((r) => setTimeout(r, 20));
      if (this.stopping) return;
      this.controller.start();
    })();
  }

  private async leadershipLost(): Promise<void> {
    await this.workers;
    await this.controller.stop();
    if (!this.stopping) {
      this.log.error("leadership lost: stopping");
      this.finish({ reason: "lost-leadership" });
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.elector?.stop();
    await this.workers;
    await this.controller.stop();
    await this.informers.stop();
    if (this.events instanceof KubeEventRecorder) await this.events.flush();
    await this.backend.close?.();
    await this.health.stop();
    this.log.info("ovnkit-migrator stopped");
    this.finish({ reason: "stopped" });
  }
}
