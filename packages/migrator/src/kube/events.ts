/**
 * Kubernetes Events (events.k8s.io/v1) about the VMIs the migrator acts on ("MigrationArmed",
 * "MigrationCompleted", "MigrationConflict", "PortDrift"...). Recording never throws and never blocks a
 * reconcile: writes are queued, failures are logged. The same event (object, type, reason, note) repeated
 * within the aggregation window becomes a series (count, lastObservedTime) on the first one, as client-go does.
 */
import { randomBytes } from "node:crypto";
import * as k8s from "@kubernetes/client-node";
import { kubeApiError } from "../errors.js";
import type { Logger } from "../observability/logger.js";

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export type EventType = "Normal" | "Warning";

export interface EventSink {
  record(regarding: ObjectRef, type: EventType, reason: string, note: string, options?: { action?: string; related?: ObjectRef }): void;
}

/** Keeps events in memory (tests, or when event recording is disabled). */
export class MemoryEventSink implements EventSink {
  readonly events: { regarding: ObjectRef; type: EventType; reason: string; note: string; action?: string }[] = [];

  record(regarding: ObjectRef, type: EventType, reason: string, note: string, options: { action?: string } = {}): void {
    this.events.push({ regarding, type, reason, note, ...(options.action ? { action: options.action } : {}) });
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

export interface EventRecorderOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** reportingController. Default "ovnkit.io/migrator". */
  readonly controller?: string;
  /** reportingInstance (this replica). */
  readonly instance: string;
  readonly log: Logger;
  /** Default 600 000 ms. */
  readonly aggregateWindowMs?: number;
}

interface Seen {
  readonly namespace: string;
  readonly name: string;
  count: number;
  last: number;
}

const MAX_NOTE = 1024;

export class KubeEventRecorder implements EventSink {
  private readonly api: k8s.EventsV1Api;
  private readonly seen = new Map<string, Seen>();
  private pending: Promise<void> = Promise.resolve();
  private readonly window: number;

  constructor(private readonly options: EventRecorderOptions) {
    this.api = options.kubeConfig.makeApiClient(k8s.EventsV1Api);
    this.window = options.aggregateWindowMs ?? 600_000;
  }

  record(regarding: ObjectRef, type: EventType, reason: string, note: string, options: { action?: string; related?: ObjectRef } = {}): void {
    const text = note.length > MAX_NOTE ? note.slice(0, MAX_NOTE - 3) + "..." : note;
    const key = [regarding.namespace, regarding.name, regarding.uid ?? "", type, reason, text].join("\u0000");
    this.pending = this.pending.then(() => this.write(key, regarding, type, reason, text, options)).catch(() => undefined);
  }

  /** Resolves once every event recorded so far was written (or failed). */
  flush(): Promise<void> {
    return this.pending;
  }

  private async write(key: string, regarding: ObjectRef, type: EventType, reason: string, note: string, options: { action?: string; related?: ObjectRef }): Promise<void> {
    const now = Date.now();
    for (const [k, s] of this.seen) if (now - s.last > this.window) this.seen.delete(k);
    const prior = this.seen.get(key);
    try {
      if (prior !== undefined) {
        prior.count++;
        prior.last = now;
        await this.api.patchNamespacedEvent(
          { namespace: prior.namespace, name: prior.name, body: { series: { count: prior.count, lastObservedTime: new k8s.V1MicroTime(now) } } },
          k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        );
        return;
      }
      const name = `${regarding.name}.${randomBytes(8).toString("hex")}`;
      await this.api.createNamespacedEvent({
        namespace: regarding.namespace,
        body: {
          metadata: { name, namespace: regarding.namespace },
          eventTime: new k8s.V1MicroTime(now),
          reportingController: this.options.controller ?? "ovnkit.io/migrator",
          reportingInstance: this.options.instance,
          action: options.action ?? reason,
          reason,
          type,
          note,
          regarding: { ...regarding },
          ...(options.related ? { related: { ...options.related } } : {}),
        },
      });
      this.seen.set(key, { namespace: regarding.namespace, name, count: 1, last: now });
    } catch (e) {
      if (prior !== undefined) this.seen.delete(key);
      this.options.log.warn({ err: kubeApiError("event", e), reason }, "could not record an event");
    }
  }
}

/** The ObjectRef of a namespaced object (apiVersion/kind given, as informer objects may lack them). */
export function refOf(apiVersion: string, kind: string, o: { metadata?: { namespace?: string; name?: string; uid?: string } }): ObjectRef {
  return { apiVersion, kind, namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "", ...(o.metadata?.uid ? { uid: o.metadata.uid } : {}) };
}
