/**
 * MigrationReconciler: for one VM key, reads the current state (informer caches + backend.inspect), computes
 * the desired port state (pure), diffs it (pure), makes the one backend call needed, and repeats until
 * nothing is left to do (bounded), so one reconcile can settle an old owner and then arm the new migration.
 *
 * Backend errors that mean "the ports changed under us" (STALE_MIGRATION, MIGRATION_CONFLICT from a
 * concurrent change, NOT_FOUND, CONFLICT) re-read and retry at once; anything else is returned to the
 * controller (rate-limited requeue) with a Warning event.
 */
import type { ReconcileContext, ReconcileResult, Reconciler } from "../controller/controller.js";
import { refOf, type EventSink, type ObjectRef } from "../kube/events.js";
import type { ClusterState } from "../kube/informers.js";
import { KUBEVIRT_GROUP, KUBEVIRT_VERSION } from "../kube/kubevirt-types.js";
import type { MigratorMetrics } from "../observability/metrics.js";
import { parseVmKey, type MigrationBackend, type PortState, type VmRef } from "./backend.js";
import { desiredPortState, portOwners, type Wanted } from "./desired-state.js";
import { planAction } from "./plan.js";

export interface MigrationReconcilerOptions {
  readonly state: ClusterState;
  readonly backend: MigrationBackend;
  readonly events?: EventSink;
  readonly metrics?: MigratorMetrics;
  /** See DesiredInputs.orphanGraceMs. Default 10 000. */
  readonly orphanGraceMs?: number;
  /** Default 2 000. */
  readonly noPortsRetryMs?: number;
  /** Backend calls per reconcile before giving up for now. Default 6. */
  readonly maxSteps?: number;
  /** How many completed migration uids to remember. Default 10 000. */
  readonly rememberCompleted?: number;
  /**
   * Drift is reported only once it persisted this long (ms): informers are separate streams, so right after
   * a completion the VMI may not show its new node yet. Default 5 000.
   */
  readonly driftConfirmMs?: number;
  /**
   * Opt-in: complete a Succeeded migration only once its source virt-launcher pod is gone, or after
   * `graceMs` (requeued with requeueAfter meanwhile). Undefined (default): complete at once.
   */
  readonly completeAfterSourceRelease?: { readonly graceMs: number };
}

const RETRY_AT_ONCE = new Set(["STALE_MIGRATION", "NOT_FOUND", "CONFLICT"]);

function retryAtOnce(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== "string") return false;
  if (RETRY_AT_ONCE.has(code)) return true;
  return code === "MIGRATION_CONFLICT" && (e as { details?: { reason?: unknown } }).details?.reason === "concurrent-change";
}

/** Insertion-ordered set that forgets its oldest entries past `cap`. */
class BoundedSet implements ReadonlySet<string> {
  private readonly set = new Set<string>();
  constructor(private readonly cap: number) {}
  add(v: string): void {
    this.set.delete(v);
    this.set.add(v);
    while (this.set.size > this.cap) this.set.delete(this.set.values().next().value!);
  }
  has(v: string): boolean {
    return this.set.has(v);
  }
  get size(): number {
    return this.set.size;
  }
  forEach(cb: (value: string, value2: string, set: ReadonlySet<string>) => void): void {
    this.set.forEach((v) => cb(v, v, this));
  }
  entries() {
    return this.set.entries();
  }
  keys() {
    return this.set.keys();
  }
  values() {
    return this.set.values();
  }
  [Symbol.iterator]() {
    return this.set.values();
  }
}

export class MigrationReconciler implements Reconciler {
  private readonly completed: BoundedSet;
  private readonly orphanSince = new Map<string, number>();
  /** Since when the completion of a migration uid has been held for its source release. */
  private readonly holdSince = new Map<string, number>();
  private readonly drift = new Map<string, { text: string; since: number; reported: boolean }>();

  constructor(private readonly options: MigrationReconcilerOptions) {
    this.completed = new BoundedSet(options.rememberCompleted ?? 10_000);
  }

  /** Migration uids this instance completed (never armed again). */
  get completedMigrations(): ReadonlySet<string> {
    return this.completed;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const vm = parseVmKey(key);
    const { state, backend } = this.options;
    const maxSteps = this.options.maxSteps ?? 6;
    for (let step = 0; step < maxSteps; step++) {
      const ports = await this.timed("inspect", () => backend.inspect(vm));
      const vmi = state.vmi(vm);
      const migrations = state.migrations(vm.namespace);
      this.trackOrphans(ports, migrations.map((m) => m.metadata?.uid ?? ""));
      const wanted = desiredPortState({
        vm, vmi, migrations, pods: state.pods(vm.namespace), ports,
        completed: this.completed, orphanGraceMs: this.options.orphanGraceMs ?? 10_000,
        orphanAgeMs: (uid) => Date.now() - (this.orphanSince.get(uid) ?? Date.now()),
        ...(this.options.completeAfterSourceRelease ? { completeAfterSourceRelease: this.options.completeAfterSourceRelease } : {}),
        holdAgeMs: (uid) => Date.now() - (this.holdSince.get(uid) ?? Date.now()),
      });
      this.trackHolds(ports, wanted);
      const regarding = vmi !== undefined ? refOf(`${KUBEVIRT_GROUP}/${KUBEVIRT_VERSION}`, "VirtualMachineInstance", vmi) : undefined;
      const confirmIn = this.checkDrift(key, wanted, regarding);
      const action = planAction(vm, wanted, ports, { noPortsRetryMs: this.options.noPortsRetryMs ?? 2000 });
      ctx.log.debug({ step, wanted, action: action.op, ports: ports.length }, "planned");
      if (action.op === "none") return confirmIn === undefined ? {} : { requeueAfterMs: confirmIn };
      if (action.op === "requeue") return { requeueAfterMs: action.afterMs };
      const op = action.op;
      const uid = action.request.migrationUid;
      try {
        if (action.op === "arm") await this.timed("arm", () => backend.arm(action.request));
        else await this.timed("complete", () => backend.complete(action.request));
      } catch (e) {
        if (retryAtOnce(e)) {
          ctx.log.info({ err: e, op, migrationUid: uid }, "ports changed under the operation: re-reading");
          continue;
        }
        if (regarding) this.options.events?.record(regarding, "Warning", op === "arm" ? "MigrationArmFailed" : "MigrationCompleteFailed", `${op} for migration ${uid} failed: ${(e as Error).message}`);
        throw e;
      }
      this.options.metrics?.eventToTransaction.observe({ op }, Math.max(0, Date.now() - ctx.addedAt) / 1000);
      if (action.op === "arm") {
        const { source, target } = action.request;
        ctx.log.info({ migrationUid: uid, source, target, ports: ports.map((p) => p.port) }, "ports armed");
        if (regarding) this.options.events?.record(regarding, "Normal", "MigrationArmed", `ports ${ports.map((p) => p.port).join(", ")} armed for migration ${uid}: requested-chassis=${source},${target}, activation-strategy=rarp`);
      } else {
        const { outcome, chassis } = action.request;
        this.completed.add(uid);
        this.orphanSince.delete(uid);
        this.holdSince.delete(uid);
        ctx.log.info({ migrationUid: uid, outcome, chassis }, "migration completed on the ports");
        if (regarding) this.options.events?.record(regarding, "Normal", "MigrationCompleted", `migration ${uid} ${outcome}: ports requested on ${chassis}`);
      }
    }
    ctx.log.warn({ maxSteps }, "reconcile did not converge; trying again shortly");
    return { requeueAfterMs: 1000 };
  }

  private trackOrphans(ports: readonly PortState[], known: readonly string[]): void {
    const now = Date.now();
    for (const o of portOwners(ports)) {
      if (known.includes(o.uid)) this.orphanSince.delete(o.uid);
      else if (!this.orphanSince.has(o.uid)) this.orphanSince.set(o.uid, now);
    }
  }

  /** Starts the grace clock of a completion held for the source release; forgets it for the other owners. */
  private trackHolds(ports: readonly PortState[], wanted: Wanted): void {
    const held = wanted.kind === "wait" && wanted.reason === "source-pod-present" ? wanted.migrationUid : undefined;
    for (const o of portOwners(ports)) if (o.uid !== held) this.holdSince.delete(o.uid);
    if (held !== undefined && !this.holdSince.has(held)) this.holdSince.set(held, Date.now());
  }

  /** Reports drift that persisted driftConfirmMs; returns when to look again while it is unconfirmed. */
  private checkDrift(key: string, wanted: Wanted, regarding: ObjectRef | undefined): number | undefined {
    const text = wanted.kind === "unmanaged" ? wanted.drift : undefined;
    if (text === undefined) {
      this.drift.delete(key);
      return undefined;
    }
    const now = Date.now();
    let d = this.drift.get(key);
    if (d === undefined || d.text !== text) this.drift.set(key, (d = { text, since: now, reported: false }));
    if (d.reported) return undefined;
    const confirm = this.options.driftConfirmMs ?? 5000;
    if (now - d.since < confirm) return confirm - (now - d.since);
    d.reported = true;
    this.options.metrics?.driftReports.inc();
    if (regarding) this.options.events?.record(regarding, "Warning", "PortDrift", text);
    return undefined;
  }

  private async timed<T>(op: "inspect" | "arm" | "complete", fn: () => Promise<T>): Promise<T> {
    const m = this.options.metrics;
    const end = m?.backendDuration.startTimer({ op });
    try {
      const r = await fn();
      m?.backendOps.inc({ op, result: "ok" });
      return r;
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      m?.backendOps.inc({ op, result: typeof code === "string" ? code : "error" });
      throw e;
    } finally {
      end?.();
    }
  }
}

