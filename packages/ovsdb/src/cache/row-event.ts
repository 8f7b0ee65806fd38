/**
 * Row events of a replica: {table, uuid, kind, old?, new?} with TYPED rows decoded lazily (on first access of
 * `old` / `new`, then memoized; the current row shares the table cache's memo). `oldWire` / `newWire` give the
 * wire rows without decoding.
 */
import type { TypedRow } from "../protocol/datum.js";
import type { WireRow } from "../protocol/notation.js";
import type { RowChangeKind } from "../protocol/updates.js";
import type { TableCache } from "./table-cache.js";

interface RowEventBase<T extends string> {
  readonly table: T;
  readonly uuid: string;
}
/** A row present in the initial contents (monitor reply) or inserted. */
export interface RowAdded<R, T extends string = string> extends RowEventBase<T> {
  readonly kind: "initial" | "insert";
  readonly old: undefined;
  readonly new: R;
  readonly oldWire: undefined;
  readonly newWire: WireRow;
}
export interface RowModified<R, T extends string = string> extends RowEventBase<T> {
  readonly kind: "modify";
  readonly old: R;
  readonly new: R;
  readonly oldWire: WireRow;
  readonly newWire: WireRow;
}
export interface RowDeleted<R, T extends string = string> extends RowEventBase<T> {
  readonly kind: "delete";
  readonly old: R;
  readonly new: undefined;
  readonly oldWire: WireRow;
  readonly newWire: undefined;
}
export type RowEvent<R = TypedRow, T extends string = string> = RowAdded<R, T> | RowModified<R, T> | RowDeleted<R, T>;

/** A row event of any table of `Tables` (a map table name -> TYPED row type), discriminated by `table`. */
export type RowEventOf<Tables> = {
  [K in keyof Tables & string]: RowEvent<Tables[K], K>;
}[keyof Tables & string];

/** What produced a batch of events: a monitor reply, an update notification, or a resync. */
export type ChangeBatchKind = "initial" | "update" | "resync";

/** The events of one applied message (one transaction, one monitor reply or one resync), in order. */
export interface ChangeBatch<Tables = Record<string, TypedRow>> {
  readonly kind: ChangeBatchKind;
  readonly events: readonly RowEventOf<Tables>[];
  /** update3 / monitor_cond_since: the transaction id the replica is at after this batch. */
  readonly lastTxnId: string | undefined;
}

export class LazyRowEvent {
  readonly table: string;
  readonly uuid: string;
  readonly kind: RowChangeKind;
  readonly oldWire: WireRow | undefined;
  readonly newWire: WireRow | undefined;
  private readonly cache: TableCache;
  private oldTyped: TypedRow | undefined;
  private newTyped: TypedRow | undefined;

  constructor(
    cache: TableCache,
    uuid: string,
    kind: RowChangeKind,
    oldWire: WireRow | undefined,
    newWire: WireRow | undefined,
    oldTyped: TypedRow | undefined,
  ) {
    this.table = cache.name;
    this.uuid = uuid;
    this.kind = kind;
    this.oldWire = oldWire;
    this.newWire = newWire;
    this.cache = cache;
    this.oldTyped = oldTyped;
    this.newTyped = undefined;
  }

  get old(): TypedRow | undefined {
    if (this.oldTyped === undefined && this.oldWire !== undefined) {
      this.oldTyped = this.cache.decode(this.uuid, this.oldWire);
    }
    return this.oldTyped;
  }

  get new(): TypedRow | undefined {
    if (this.newTyped === undefined && this.newWire !== undefined) {
      const cache = this.cache;
      if (cache.getWire(this.uuid) === this.newWire) this.newTyped = cache.get(this.uuid);
      else this.newTyped = cache.decode(this.uuid, this.newWire);
    }
    return this.newTyped;
  }

  toJSON(): unknown {
    return { table: this.table, uuid: this.uuid, kind: this.kind, old: this.old, new: this.new };
  }
}
