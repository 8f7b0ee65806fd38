/**
 * A live monitor (monitor, monitor_cond or monitor_cond_since) feeding a Replica, exposed as Observables of
 * TYPED row events.
 *
 *   const m = new Monitor<Rows>(client, schema, { tables: { Logical_Switch_Port: { where: [...] } } });
 *   m.changes$.subscribe((e) => ...);            // initial, insert, modify (old + new), delete
 *   await m.start();                             // resolves when the initial contents are applied
 *   m.table("Logical_Switch_Port").index("name").one("vm1");
 *   await m.setConditions({ Logical_Switch_Port: [...] });   // monitor_cond_change
 *
 * Ordering: notifications are applied synchronously as the client delivers them (in arrival order); those
 * that arrive while a monitor request is pending (before its reply is applied) are buffered and applied
 * right after it. ovsdb-server sends the updates of a transaction before the transact reply, so a transact
 * that resolved is visible in a live replica (read-your-writes).
 *
 * Inconsistency (an update that does not fit the replica) never diverges silently: the monitor is replaced by
 * a fresh one (new monitor id; monitor_cancel of the old) and the replica is resynced from the full dump,
 * emitting exactly the deltas. The same path, with the last transaction id, serves reconnection:
 * `resubscribe({ client })` asks monitor_cond_since for the changes since `lastTxnId` (no purge).
 */
import { randomUUID } from "node:crypto";
import { BehaviorSubject, filter, type Observable, type Subscription } from "rxjs";
import { Replica } from "../cache/replica.js";
import type { ChangeBatch, RowEventOf } from "../cache/row-event.js";
import type { TableCache } from "../cache/table-cache.js";
import type { TypedRow } from "../protocol/datum.js";
import { OvsdbError, isOvsdbError } from "../protocol/errors.js";
import type { Condition } from "../protocol/operations.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import type { TableUpdates, TableUpdates2 } from "../protocol/updates.js";
import type {
  MonitorCondChangeRequests,
  MonitorCondRequests,
  MonitorCondSinceResult,
  MonitorId,
  MonitorRequests,
  OvsdbNotification,
} from "../rpc/methods.js";
import {
  checkMonitorTables,
  replicaTables,
  wireConditionChange,
  wireMonitorRequests,
  type MonitorMethod,
  type MonitorTableRequest,
  type MonitorTables,
} from "./requests.js";

/** What a Monitor needs from a client (OvsdbClient has it). */
export interface MonitorClient {
  /** Server notifications, synchronously and in arrival order. */
  readonly notifications$: Observable<OvsdbNotification>;
  monitor(db: string, monitorId: MonitorId, requests: MonitorRequests): Promise<TableUpdates>;
  monitorCond(db: string, monitorId: MonitorId, requests: MonitorCondRequests): Promise<TableUpdates2>;
  monitorCondSince(db: string, monitorId: MonitorId, requests: MonitorCondRequests, lastTxnId?: string): Promise<MonitorCondSinceResult>;
  monitorCondChange(monitorId: MonitorId, newMonitorId: MonitorId, requests: MonitorCondChangeRequests): Promise<void>;
  monitorCancel(monitorId: MonitorId): Promise<void>;
}

export type MonitorStatus =
  | { readonly state: "starting" }
  | { readonly state: "live" }
  /** A new monitor request is in flight; `reason` is the inconsistency or server cancel that caused it. */
  | { readonly state: "resyncing"; readonly reason: OvsdbError | undefined }
  /** A monitor request failed or the client's notifications ended; the replica keeps its (stale) rows. */
  | { readonly state: "failed"; readonly error: OvsdbError }
  | { readonly state: "cancelled" };

export interface MonitorOptions<Tables> {
  tables: MonitorTables<Tables>;
  /** Default "monitor_cond_since" (keeps the last transaction id for a cheap resync). */
  method?: MonitorMethod;
  /** Database name; default the schema's name. */
  db?: string;
  /** Give up (status "failed") after this many resyncs in a row without a consistent update. Default 3. */
  maxConsecutiveResyncs?: number;
}

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

function sameId(a: MonitorId, b: string | undefined): boolean {
  return b !== undefined && (a === b || (typeof a !== "string" && JSON.stringify(a) === JSON.stringify(b)));
}

function asOvsdbError(e: unknown): OvsdbError {
  return isOvsdbError(e) ? e : new OvsdbError("INVALID_MESSAGE", String(e), { cause: e });
}

export class Monitor<Tables = Record<string, TypedRow>> {
  readonly schema: DatabaseSchema;
  readonly db: string;
  readonly method: MonitorMethod;
  readonly replica: Replica<Tables>;
  private client: MonitorClient;
  private readonly requestsByTable: Map<string, MonitorTableRequest>;
  private readonly statusSubject = new BehaviorSubject<MonitorStatus>({ state: "starting" });
  private readonly idPrefix = `ovnkit-${randomUUID().slice(0, 8)}`;
  private readonly maxConsecutiveResyncs: number;
  private notificationSub: Subscription | undefined;
  /** The id whose notifications are applied (undefined while none is live). */
  private currentId: string | undefined;
  /** The id of the monitor that exists on the server (still set while a resync replaces it). */
  private serverId: string | undefined;
  private buffer: OvsdbNotification[] | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private loaded = false;
  private cancelled = false;
  private consecutiveResyncs = 0;
  private resyncTotal = 0;
  /** Monitor state, replaying the current one on subscribe. */
  readonly status$: Observable<MonitorStatus> = this.statusSubject.asObservable();

  constructor(client: MonitorClient, schema: DatabaseSchema, options: MonitorOptions<NoInfer<Tables>>) {
    this.client = client;
    this.schema = schema;
    this.db = options.db ?? schema.name;
    this.method = options.method ?? "monitor_cond_since";
    this.maxConsecutiveResyncs = options.maxConsecutiveResyncs ?? 3;
    this.requestsByTable = checkMonitorTables(schema, this.method, options.tables as Record<string, MonitorTableRequest | true>);
    this.replica = new Replica<Tables>(schema, replicaTables(this.requestsByTable) as never);
  }

  /** Every row event, synchronously, after its message is applied (initial contents included). */
  get changes$(): Observable<RowEventOf<Tables>> {
    return this.replica.changes$;
  }

  /** One batch per applied message (monitor reply, notification, resync). */
  get batches$(): Observable<ChangeBatch<Tables>> {
    return this.replica.batches$;
  }

  /** Row events of one table. */
  changesOf<K extends keyof Tables & string>(table: K): Observable<Extract<RowEventOf<Tables>, { table: K }>> {
    return this.replica.changes$.pipe(filter((e): e is Extract<RowEventOf<Tables>, { table: K }> => e.table === table));
  }

  table<K extends keyof Tables & string>(name: K): TableCache<Tables[K]> {
    return this.replica.table(name);
  }

  get status(): MonitorStatus {
    return this.statusSubject.getValue();
  }

  /** The monitor id (<json-value>) of the current server-side monitor. */
  get id(): string | undefined {
    return this.currentId;
  }

  /** update3 / monitor_cond_since: the id of the last transaction applied (all zeros on a standalone server). */
  get lastTxnId(): string | undefined {
    return this.replica.lastTxnId;
  }

  /** How many times the replica was resynced (inconsistency, server cancel, resubscribe). */
  get resyncCount(): number {
    return this.resyncTotal;
  }

  /** The current per-table requests (conditions as last changed). */
  requests(): ReadonlyMap<string, Readonly<MonitorTableRequest>> {
    return this.requestsByTable;
  }

  /** Sends the monitor request; resolves when the initial contents are in the replica. */
  start(): Promise<this> {
    return this.enqueue(async () => {
      if (this.cancelled) throw new OvsdbError("CANCELLED", "monitor: cancelled");
      if (this.loaded || this.seq > 0) throw new OvsdbError("VALIDATION_ERROR", "monitor: start() called twice");
      this.listen(this.client);
      await this.subscribe(false);
      return this;
    });
  }

  /**
   * monitor_cond_change: new conditions for some tables (others keep theirs). Rows that now match arrive as
   * inserts and rows that no longer match as deletes, before this resolves. When no server-side monitor is
   * live (not started yet, resyncing, failed), the conditions are kept for the next (re)subscription.
   */
  setConditions(where: { [K in keyof Tables & string]?: readonly Condition[] }): Promise<void> {
    return this.enqueue(async () => {
      if (this.method === "monitor") throw new OvsdbError("VALIDATION_ERROR", "monitor_cond_change needs monitor_cond or monitor_cond_since");
      if (this.cancelled) throw new OvsdbError("CANCELLED", "monitor: cancelled");
      const byTable = where as Record<string, readonly Condition[]>;
      const change = wireConditionChange(this.requestsByTable, byTable);
      const id = this.currentId;
      if (id !== undefined) await this.client.monitorCondChange(id, id, change);
      for (const [table, conds] of Object.entries(byTable)) {
        this.requestsByTable.set(table, { ...this.requestsByTable.get(table), where: [...conds] });
      }
    });
  }

  /**
   * Replaces the server-side monitor (on `client`, e.g. a reconnected one; default the current client) and
   * brings the replica up to date, emitting only the deltas. monitor_cond_since asks for the changes since
   * `lastTxnId` unless `full`; the other methods always get a full dump. The replica is never purged.
   */
  resubscribe(options: { client?: MonitorClient; full?: boolean } = {}): Promise<void> {
    return this.enqueue(async () => {
      if (this.cancelled) throw new OvsdbError("CANCELLED", "monitor: cancelled");
      await this.replace(options.client ?? this.client, options.full === true, undefined);
    });
  }

  /**
   * The client's connection was lost (an OvsdbSession reconnects): a live monitor reports "resyncing" with
   * `reason` until the next resubscribe is applied. The replica keeps its rows.
   */
  connectionLost(reason: OvsdbError): void {
    if (this.status.state === "live") this.setStatus({ state: "resyncing", reason });
  }

  /** monitor_cancel; completes the event streams (the replica keeps its rows). */
  cancel(): Promise<void> {
    return this.enqueue(async () => {
      if (this.cancelled) return;
      this.cancelled = true;
      const id = this.serverId;
      this.currentId = undefined;
      this.serverId = undefined;
      this.buffer = undefined;
      this.notificationSub?.unsubscribe();
      this.statusSubject.next({ state: "cancelled" });
      this.statusSubject.complete();
      this.replica.close();
      if (id !== undefined) await this.client.monitorCancel(id).catch(() => undefined);
    });
  }

  // -- internals -------------------------------------------------------------------------------------------

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const p = this.chain.then(op);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private listen(client: MonitorClient): void {
    this.notificationSub?.unsubscribe();
    this.client = client;
    this.notificationSub = client.notifications$.subscribe({
      next: (n) => this.onNotification(n),
      complete: () => {
        if (this.cancelled || this.client !== client) return;
        this.currentId = undefined;
        this.serverId = undefined;
        this.buffer = undefined;
        this.setStatus({ state: "failed", error: new OvsdbError("CONNECTION_CLOSED", "monitor: the client's notifications ended") });
      },
    });
  }

  private onNotification(n: OvsdbNotification): void {
    if (n.method === "monitor_canceled") {
      if (sameId(n.monitorId, this.currentId)) {
        this.serverId = undefined; // gone on the server already: nothing to cancel
        this.triggerResync(new OvsdbError("CANCELLED", "the server cancelled the monitor (monitor_canceled)"));
      }
      return;
    }
    if (n.method !== "update" && n.method !== "update2" && n.method !== "update3") return;
    if (!sameId(n.monitorId, this.currentId)) return;
    if (this.buffer !== undefined) this.buffer.push(n);
    else this.apply(n);
  }

  private apply(n: Extract<OvsdbNotification, { method: "update" | "update2" | "update3" }>): void {
    try {
      this.replica.applyUpdates(n.updates, {
        format: n.method === "update" ? "update" : "update2",
        lastTxnId: n.method === "update3" ? n.lastTxnId : undefined,
      } as const);
      this.consecutiveResyncs = 0;
    } catch (e) {
      if (isOvsdbError(e, "UPDATE_INCONSISTENT")) this.triggerResync(e);
      else this.fail(asOvsdbError(e));
    }
  }

  private triggerResync(reason: OvsdbError): void {
    // Stop applying the old monitor's updates at once: the full dump of the new one covers them.
    this.currentId = undefined;
    this.buffer = undefined;
    if (++this.consecutiveResyncs > this.maxConsecutiveResyncs) {
      this.fail(new OvsdbError("UPDATE_INCONSISTENT", `monitor: still inconsistent after ${this.maxConsecutiveResyncs} resyncs`, { cause: reason }));
      return;
    }
    this.setStatus({ state: "resyncing", reason });
    void this.enqueue(() => this.replace(this.client, true, reason)).catch(() => undefined);
  }

  private fail(error: OvsdbError): void {
    this.currentId = undefined;
    this.buffer = undefined;
    this.setStatus({ state: "failed", error });
  }

  private setStatus(s: MonitorStatus): void {
    if (!this.cancelled) this.statusSubject.next(s);
  }

  private async replace(client: MonitorClient, full: boolean, reason: OvsdbError | undefined): Promise<void> {
    if (this.cancelled) return;
    const old = this.serverId;
    this.currentId = undefined;
    this.serverId = undefined;
    if (old !== undefined && client === this.client) await this.client.monitorCancel(old).catch(() => undefined);
    if (client !== this.client || this.notificationSub === undefined) this.listen(client);
    if (this.status.state !== "resyncing") this.setStatus({ state: "resyncing", reason });
    this.resyncTotal++;
    await this.subscribe(full);
  }

  /** Sends a monitor request under a fresh id, buffering its notifications until the reply is applied. */
  private async subscribe(full: boolean): Promise<void> {
    const id = `${this.idPrefix}-${++this.seq}`;
    const requests = wireMonitorRequests(this.requestsByTable);
    this.currentId = id;
    this.serverId = id;
    this.buffer = [];
    let updates: unknown;
    let found = false;
    let lastTxnId: string | undefined;
    try {
      switch (this.method) {
        case "monitor":
          updates = await this.client.monitor(this.db, id, requests);
          break;
        case "monitor_cond":
          updates = await this.client.monitorCond(this.db, id, requests);
          break;
        case "monitor_cond_since": {
          const since = full || !this.loaded ? ZERO_UUID : (this.replica.lastTxnId ?? ZERO_UUID);
          const r = await this.client.monitorCondSince(this.db, id, requests, since);
          updates = r.updates;
          found = r.found && this.loaded && !full;
          lastTxnId = r.lastTxnId;
          break;
        }
      }
    } catch (e) {
      if (this.currentId === id) this.fail(asOvsdbError(e));
      throw e;
    }
    if (this.currentId !== id || this.cancelled) return; // superseded while in flight
    const format = this.method === "monitor" ? "update" : "update2";
    try {
      if (!this.loaded) this.replica.applyUpdates(updates, { format, initial: true, lastTxnId });
      else this.replica.resync(updates, { full: !found, format, lastTxnId });
    } catch (e) {
      const err = asOvsdbError(e);
      if (err.code === "UPDATE_INCONSISTENT") this.triggerResync(err);
      else this.fail(err);
      throw err;
    }
    this.loaded = true;
    this.setStatus({ state: "live" });
    const buffered = this.buffer ?? [];
    this.buffer = undefined;
    for (const n of buffered) {
      if (this.currentId !== id) break; // an inconsistency started another resync
      this.apply(n as Extract<OvsdbNotification, { method: "update" | "update2" | "update3" }>);
    }
  }
}
