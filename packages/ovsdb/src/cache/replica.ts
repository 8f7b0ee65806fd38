/**
 * An in-memory replica of monitored tables: one TableCache per table, fed with monitor replies and update
 * notifications (update / update2 / update3), emitting row events.
 *
 * Each message is applied atomically: all its row changes are computed first (protocol/updates.ts, pure), and
 * an inconsistent message (insert of an existing row, modify/delete of an unknown row) throws
 * UPDATE_INCONSISTENT having changed nothing; the caller (the Monitor) then resyncs. Events are emitted after
 * the whole message is committed, so a subscriber always reads a replica that is at a transaction boundary.
 *
 * Backpressure: none is needed. The replica is always current and events are delivered synchronously to every
 * subscriber (rxjs Subjects): nothing is queued, so nothing can be dropped. A consumer that works
 * asynchronously buffers on its side (see monitor/event-queue.ts: unbounded, with a high-water-mark warning).
 */
import { Subject, type Observable } from "rxjs";
import type { TypedRow } from "../protocol/datum.js";
import { OvsdbError } from "../protocol/errors.js";
import type { WireRow } from "../protocol/notation.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import { changesFromTableUpdates, changesFromTableUpdates2, type RowChange, type RowSource } from "../protocol/updates.js";
import { schemaIndexSpecs, type IndexSpec } from "./indexes.js";
import { changesFromFullDump, type UpdatesFormat } from "./resync.js";
import { LazyRowEvent, type ChangeBatch, type ChangeBatchKind, type RowEventOf } from "./row-event.js";
import { TableCache } from "./table-cache.js";

export interface ReplicaTableOptions {
  /** Monitored columns; default every column of the table. */
  columns?: readonly string[];
  /** Client indexes (schema indexes over monitored columns are always built). */
  indexes?: readonly IndexSpec[];
}

/** Per table: its replica options (`{}` or `true` for all columns and no client index). */
export type ReplicaTables<Tables> = { [K in keyof Tables & string]?: ReplicaTableOptions | true };

export interface ApplyOptions {
  /** "update2" (update2/update3, monitor_cond*) or "update" (monitor). Default "update2". */
  format?: UpdatesFormat;
  /** The updates are a monitor reply (initial contents). */
  initial?: boolean;
  /** update3 / monitor_cond_since: the transaction id after these updates. */
  lastTxnId?: string;
}

export interface ResyncOptions {
  /** true: `updates` is a full fresh dump; false: it is a delta (monitor_cond_since with found=true). */
  full: boolean;
  format?: UpdatesFormat;
  lastTxnId?: string;
}

export class Replica<Tables = Record<string, TypedRow>> implements RowSource {
  readonly schema: DatabaseSchema;
  private readonly tables = new Map<string, TableCache>();
  private readonly names: string[];
  private readonly rowSubject = new Subject<RowEventOf<Tables>>();
  private readonly batchSubject = new Subject<ChangeBatch<Tables>>();
  private txnId: string | undefined;
  /** Every row event, synchronously, after its message is committed. */
  readonly changes$: Observable<RowEventOf<Tables>> = this.rowSubject.asObservable();
  /** One batch per applied message (monitor reply, notification, resync), after the row events. */
  readonly batches$: Observable<ChangeBatch<Tables>> = this.batchSubject.asObservable();

  constructor(schema: DatabaseSchema, tables: ReplicaTables<NoInfer<Tables>>) {
    this.schema = schema;
    for (const [name, opts] of Object.entries(tables) as [string, ReplicaTableOptions | true | undefined][]) {
      if (opts === undefined) continue;
      const ts = schema.tables.get(name);
      if (ts === undefined) {
        throw new OvsdbError("VALIDATION_ERROR", `database ${schema.name} has no table ${name}`, { details: { table: name } });
      }
      const o = opts === true ? {} : opts;
      const cache = new TableCache(ts, o.columns);
      for (const spec of schemaIndexSpecs(ts, new Set(cache.columns))) cache.addIndex(spec);
      for (const spec of o.indexes ?? []) cache.addIndex(spec);
      this.tables.set(name, cache);
    }
    this.names = [...this.tables.keys()];
  }

  /** The replicated table `name`. */
  table<K extends keyof Tables & string>(name: K): TableCache<Tables[K]> {
    const t = this.tables.get(name);
    if (t === undefined) {
      throw new OvsdbError("VALIDATION_ERROR", `table ${name} is not replicated`, { details: { table: name } });
    }
    return t as unknown as TableCache<Tables[K]>;
  }

  tableNames(): readonly string[] {
    return this.names;
  }

  /** RowSource: the stored wire rows of a replicated table. */
  tableRows(table: string): ReadonlyMap<string, WireRow> | undefined {
    return this.tables.get(table)?.wireRows();
  }

  /** The transaction id of the last applied update3 / monitor_cond_since reply (undefined before any). */
  get lastTxnId(): string | undefined {
    return this.txnId;
  }

  /** Total number of rows over all tables. */
  get rowCount(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }

  /**
   * Applies a monitor reply or an update notification's <table-updates(2)>. Throws UPDATE_INCONSISTENT (the
   * replica unchanged) when the updates do not fit; INVALID_MESSAGE when they are malformed.
   */
  applyUpdates(updates: unknown, options: ApplyOptions = {}): readonly RowChange[] {
    const changes =
      options.format === "update"
        ? changesFromTableUpdates(this.schema, this, updates, options.initial === true)
        : changesFromTableUpdates2(this.schema, this, updates);
    this.commit(changes, options.initial === true ? "initial" : "update", options.lastTxnId);
    return changes;
  }

  /**
   * Brings the replica to `updates` and emits exactly the deltas. With `full`, `updates` is a complete fresh
   * dump: rows not in it are deleted, new ones inserted, changed ones modified, unchanged ones left alone
   * (no event). Without `full` it is a delta since the replica's last transaction id, applied as updates.
   */
  resync(updates: unknown, options: ResyncOptions): readonly RowChange[] {
    const format = options.format ?? "update2";
    const changes = options.full
      ? changesFromFullDump(this.schema, this, this.names, updates, format)
      : format === "update"
        ? changesFromTableUpdates(this.schema, this, updates)
        : changesFromTableUpdates2(this.schema, this, updates);
    this.commit(changes, "resync", options.lastTxnId);
    return changes;
  }

  /** Ends the event streams (the replica keeps its rows). */
  close(): void {
    this.rowSubject.complete();
    this.batchSubject.complete();
  }

  private commit(changes: readonly RowChange[], kind: ChangeBatchKind, lastTxnId: string | undefined): void {
    if (lastTxnId !== undefined) this.txnId = lastTxnId;
    const wantEvents = this.rowSubject.observed || this.batchSubject.observed;
    const events: LazyRowEvent[] | undefined = wantEvents ? [] : undefined;
    let cache: TableCache | undefined;
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i] as RowChange;
      if (cache === undefined || cache.name !== c.table) cache = this.tables.get(c.table) as TableCache;
      let oldTyped: TypedRow | undefined;
      switch (c.kind) {
        case "initial":
        case "insert":
          cache.insertRow(c.uuid, c.new as WireRow);
          break;
        case "modify":
          oldTyped = cache.modifyRow(c.uuid, c.old as WireRow, c.new as WireRow);
          break;
        case "delete":
          oldTyped = cache.deleteRow(c.uuid, c.old as WireRow);
          break;
      }
      if (events !== undefined) events.push(new LazyRowEvent(cache, c.uuid, c.kind, c.old, c.new, oldTyped));
    }
    if (events === undefined) return;
    const typed = events as unknown as RowEventOf<Tables>[];
    if (this.rowSubject.observed) for (const e of typed) this.rowSubject.next(e);
    if (this.batchSubject.observed && (typed.length > 0 || kind !== "update")) {
      this.batchSubject.next({ kind, events: typed, lastTxnId: this.txnId });
    }
  }
}
