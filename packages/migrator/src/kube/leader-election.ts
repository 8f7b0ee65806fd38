/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules:
 *   - a lease held by someone else is taken only after it was not renewed for leaseDuration, measured on OUR
 *     clock from when we last saw the record change (no trust in the holder's timestamps: no clock skew);
 *   - every write carries the lease's resourceVersion (a concurrent writer gets 409 and loses the round);
 *   - the leader renews every retryPeriod and steps down when it could not renew for renewDeadline
 *     (even if a request hangs);
 *   - on stop, a leader releases the lease (holder "", duration 1 s) so a successor need not wait.
 */
import * as k8s from "@kubernetes/client-node";
import { kubeApiError, kubeStatusOf } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { MigratorMetrics } from "../observability/metrics.js";

export interface LeaderElectionOptions {
  readonly kubeConfig: k8s.KubeConfig;
  readonly namespace: string;
  /** Lease name. */
  readonly name: string;
  /** This instance (e.g. pod name + random suffix). */
  readonly identity: string;
  /** Default 15 000. */
  readonly leaseDurationMs?: number;
  /** Default 10 000 (must be < leaseDuration). */
  readonly renewDeadlineMs?: number;
  /** Default 2 000 (must be < renewDeadline). */
  readonly retryPeriodMs?: number;
  /** Release the lease on stop(). Default true. */
  readonly releaseOnStop?: boolean;
  readonly log: Logger;
  readonly metrics?: MigratorMetrics;
  readonly onStartedLeading: () => void | Promise<void>;
  readonly onStoppedLeading: () => void | Promise<void>;
  /** Called when the observed holder changes (including to ourselves). */
  readonly onNewLeader?: (identity: string) => void;
}

interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: unknown;
  renewTime?: unknown;
  leaseTransitions?: number;
}

function microTime(ms: number): k8s.V1MicroTime {
  return new k8s.V1MicroTime(ms);
}

export class LeaderElector {
  private readonly api: k8s.CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private observed: string | undefined;
  private observedAt = 0;
  private observedHolder: string | undefined;
  private leading = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.api = options.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.retryPeriodMs < this.renewDeadlineMs && this.renewDeadlineMs < this.leaseDurationMs)) {
      throw new RangeError("leader election needs retryPeriod < renewDeadline < leaseDuration");
    }
    this.log = options.log.child({ component: "leader-election", lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the lease. */
  get leader(): string | undefined {
    return this.observedHolder;
  }

  /** Campaigns, leads until the lease is lost or stop() is called; resolves then. */
  run(): Promise<void> {
    this.loop ??= this.campaign();
    return this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async campaign(): Promise<void> {
    while (!this.stopped) {
      if (await this.attempt()) break;
      await this.sleep(this.retryPeriodMs * (1 + Math.random() * 0.2));
    }
    if (this.stopped) return;
    this.leading = true;
    this.options.metrics?.leader.set(1);
    this.log.info("became leader");
    await this.options.onStartedLeading();
    let lastRenew = Date.now();
    while (!this.stopped) {
      await this.sleep(this.retryPeriodMs);
      if (this.stopped) break;
      const left = this.renewDeadlineMs - (Date.now() - lastRenew);
      const ok = left > 0 && (await this.withTimeout(this.attempt(), left));
      if (ok) lastRenew = Date.now();
      else if (Date.now() - lastRenew >= this.renewDeadlineMs) {
        this.log.error({ sinceRenewMs: Date.now() - lastRenew }, "could not renew the lease within renewDeadline: stepping down");
        break;
      }
    }
    if (this.stopped && (this.options.releaseOnStop ?? true)) await this.release();
    this.leading = false;
    this.options.metrics?.leader.set(0);
    this.log.info("stopped leading");
    await this.options.onStoppedLeading();
  }

  /** One tryAcquireOrRenew round; false when someone else holds a live lease or the write lost a race. */
  private async attempt(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = Date.now();
    let lease: k8s.V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (e) {
      if (kubeStatusOf(e) !== 404) return this.failedRound("read", e);
      const spec: LeaseRecord = { holderIdentity: identity, leaseDurationSeconds: this.leaseSeconds(), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      try {
        await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: spec as k8s.V1LeaseSpec } });
      } catch (e2) {
        return this.failedRound("create", e2);
      }
      this.observe(spec, now);
      return true;
    }
    const rec = (lease.spec ?? {}) as LeaseRecord;
    this.observe(rec, now);
    const holder = rec.holderIdentity ?? "";
    if (holder !== "" && holder !== identity && this.observedAt + (rec.leaseDurationSeconds ?? 0) * 1000 > now) return false;
    const mine = holder === identity;
    const next: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: this.leaseSeconds(),
      acquireTime: mine && rec.acquireTime !== undefined ? rec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (rec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: next as k8s.V1LeaseSpec } });
    } catch (e) {
      return this.failedRound("update", e);
    }
    this.observe(next, Date.now());
    return true;
  }

  private leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
  }

  private observe(rec: LeaseRecord, now: number): void {
    const text = JSON.stringify(rec);
    if (text !== this.observed) {
      this.observed = text;
      this.observedAt = now;
    }
    const holder = rec.holderIdentity ?? "";
    if (holder !== "" && holder !== this.observedHolder) {
      this.observedHolder = holder;
      this.log.info({ leader: holder }, "new leader observed");
      this.options.onNewLeader?.(holder);
    }
  }

  private failedRound(what: string, e: unknown): false {
    const err = kubeApiError(`lease ${what}`, e);
    const level = kubeStatusOf(e) === 409 ? "debug" : "warn";
    this.log[level]({ err, code: err.code, status: err.details.status }, `lease ${what} failed`);
    return false;
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(Date.now());
      await this.api.replaceNamespacedLease({
        namespace, name, body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now } },
      });
      this.log.info("lease released");
    } catch (e) {
      this.log.warn({ err: kubeApiError("lease release", e) }, "could not release the lease");
    }
  }

  private async withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      t = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(t);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
