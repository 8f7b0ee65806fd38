/**
 * Prometheus metrics of the migrator (prom-client), on a Registry of its own (no global default registry).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class MigratorMetrics {
  readonly registry: Registry;
  /** Reconciles by result: success | requeue | error. */
  readonly reconciles: Counter<"result">;
  /** Reconcile errors by code (the error's `code`, or "unknown"). */
  readonly reconcileErrors: Counter<"code">;
  readonly reconcileDuration: Histogram;
  /** Backend calls (arm/complete/inspect) by op and result (ok | error code). */
  readonly backendOps: Counter<"op" | "result">;
  readonly backendDuration: Histogram<"op">;
  /** From the first Kubernetes event that queued the VM to the arm/complete transaction that followed. */
  readonly eventToTransaction: Histogram<"op">;
  readonly queueDepth: Gauge;
  readonly queueInFlight: Gauge;
  readonly queueRetries: Counter;
  readonly informerRestarts: Counter<"resource" | "reason">;
  readonly informerSynced: Gauge<"resource">;
  readonly leader: Gauge;
  readonly driftReports: Counter;

  constructor(options: { registry?: Registry; defaultMetrics?: boolean } = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "ovnkit_migrator_" });
    this.reconciles = new Counter({ name: "ovnkit_migrator_reconciles_total", help: "Reconciles by result", labelNames: ["result"], registers });
    this.reconcileErrors = new Counter({ name: "ovnkit_migrator_reconcile_errors_total", help: "Reconcile errors by error code", labelNames: ["code"], registers });
    this.reconcileDuration = new Histogram({ name: "ovnkit_migrator_reconcile_duration_seconds", help: "Duration of one reconcile", buckets: LATENCY_BUCKETS, registers });
    this.backendOps = new Counter({ name: "ovnkit_migrator_backend_ops_total", help: "NB migration operations by op and result", labelNames: ["op", "result"], registers });
    this.backendDuration = new Histogram({ name: "ovnkit_migrator_backend_op_duration_seconds", help: "Duration of NB migration operations", labelNames: ["op"], buckets: LATENCY_BUCKETS, registers });
    this.eventToTransaction = new Histogram({
      name: "ovnkit_migrator_event_to_transaction_seconds",
      help: "From the Kubernetes event that queued a VM to its arm/complete transaction",
      labelNames: ["op"], buckets: LATENCY_BUCKETS, registers,
    });
    this.queueDepth = new Gauge({ name: "ovnkit_migrator_workqueue_depth", help: "Keys waiting in the work queue", registers });
    this.queueInFlight = new Gauge({ name: "ovnkit_migrator_workqueue_in_flight", help: "Keys being reconciled", registers });
    this.queueRetries = new Counter({ name: "ovnkit_migrator_workqueue_retries_total", help: "Rate-limited requeues", registers });
    this.informerRestarts = new Counter({ name: "ovnkit_migrator_informer_restarts_total", help: "Informer restarts by resource and reason", labelNames: ["resource", "reason"], registers });
    this.informerSynced = new Gauge({ name: "ovnkit_migrator_informer_synced", help: "1 once the informer has listed", labelNames: ["resource"], registers });
    this.leader = new Gauge({ name: "ovnkit_migrator_leader", help: "1 while this instance leads", registers });
    this.driftReports = new Counter({ name: "ovnkit_migrator_drift_reports_total", help: "Ports found not matching the VM's state and left alone", registers });
  }

  /** The exposition text (what /metrics serves). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
