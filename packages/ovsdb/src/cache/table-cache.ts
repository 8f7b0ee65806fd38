/**
 * One replicated table: wire rows by uuid (stored as the server sent them, never mutated: a modify stores a
 * new object), TYPED rows decoded lazily on first access and memoized until the row changes, schema and
 * client indexes, typed lookups.
 *
 * A stored wire row may lack a monitored column (update2 omits default values); the typed row always has
 * every monitored column, plus `_uuid` (and `_version` when the server sends it: a monitor of all columns).
 */
import type { TypedRow } from "../protocol/datum.js";
import { OvsdbError } from "../protocol/errors.js";
import type { WireRow } from "../protocol/notation.js";
import type { ColumnSchema, TableSchema } from "../protocol/schema.js";
import { columnOf } from "../protocol/schema.js";
import { RowIndex, type IndexKey, type IndexSpec } from "./indexes.js";
import { columnDecoder, compileRowDecoder, type RowDecoder } from "./typed-decode.js";

/** Read access to one index of a table, with TYPED lookup values (one per index part). */
export interface IndexView<R> {
  readonly name: string;
  readonly unique: boolean;
  /** Every row whose indexed values equal `values`. */
  get(...values: unknown[]): R[];
  /** The row whose indexed values equal `values`, or undefined; throws if several rows match. */
  one(...values: unknown[]): R | undefined;
  /** uuids of the rows whose indexed values equal `values`. */
  uuids(...values: unknown[]): readonly string[];
}

export class TableCache<R = TypedRow> {
  readonly name: string;
  readonly schema: TableSchema;
  /** The monitored columns (every typed row has each of them). */
  readonly columns: readonly string[];
  private readonly columnSchemas: ColumnSchema[];
  private readonly decodeRow: RowDecoder;
  private readonly rows = new Map<string, WireRow>();
  private readonly typed = new Map<string, R>();
  private readonly indexes = new Map<string, RowIndex>();
  private indexList: RowIndex[] = [];

  constructor(schema: TableSchema, columns: readonly string[] | undefined, indexes: readonly IndexSpec[] = []) {
    this.name = schema.name;
    this.schema = schema;
    this.columns = columns === undefined ? [...schema.columns.keys()] : [...columns];
    this.columnSchemas = this.columns.map((c) => {
      const cs = columnOf(schema, c);
      if (cs === undefined || c === "_uuid") {
        throw new OvsdbError("VALIDATION_ERROR", `table ${schema.name} has no column ${c}`, {
          details: { table: schema.name, column: c },
        });
      }
      return cs;
    });
    this.decodeRow = compileRowDecoder(
      this.columns,
      this.columnSchemas.map((c) => columnDecoder(c, schema.name)),
    );
    for (const spec of indexes) this.addIndex(spec);
  }

  get size(): number {
    return this.rows.size;
  }

  has(uuid: string): boolean {
    return this.rows.has(uuid);
  }

  /** The TYPED row (decoded on first access, then memoized until it changes). */
  get(uuid: string): R | undefined {
    const memo = this.typed.get(uuid);
    if (memo !== undefined) return memo;
    const wire = this.rows.get(uuid);
    if (wire === undefined) return undefined;
    const row = this.decode(uuid, wire);
    this.typed.set(uuid, row);
    return row;
  }

  /** The stored wire row (columns with default values may be absent). Do not mutate. */
  getWire(uuid: string): WireRow | undefined {
    return this.rows.get(uuid);
  }

  /** The stored wire rows by uuid. Do not mutate. */
  wireRows(): ReadonlyMap<string, WireRow> {
    return this.rows;
  }

  uuids(): IterableIterator<string> {
    return this.rows.keys();
  }

  /** Every TYPED row. */
  *values(): IterableIterator<R> {
    const typed = this.typed;
    for (const [uuid, wire] of this.rows) {
      let row = typed.get(uuid);
      if (row === undefined) {
        row = this.decode(uuid, wire);
        typed.set(uuid, row);
      }
      yield row;
    }
  }

  [Symbol.iterator](): IterableIterator<R> {
    return this.values();
  }

  /** TYPED rows for which `predicate` holds (a scan: prefer an index for hot lookups). */
  filter(predicate: (row: R) => boolean): R[] {
    const out: R[] = [];
    for (const row of this.values()) if (predicate(row)) out.push(row);
    return out;
  }

  /** Decodes a wire row of this table to its TYPED form (absent monitored columns get their default). */
  decode(uuid: string, wire: WireRow): R {
    return this.decodeRow(uuid, wire) as unknown as R;
  }

  /** Adds an index (built from the current rows). */
  addIndex(spec: IndexSpec): IndexView<R> {
    if (this.indexes.has(spec.name)) {
      throw new OvsdbError("VALIDATION_ERROR", `table ${this.name} already has an index named ${spec.name}`);
    }
    const index = new RowIndex(this.schema, spec);
    for (const c of index.columns) {
      if (!this.columns.includes(c)) {
        throw new OvsdbError("VALIDATION_ERROR", `index ${spec.name}: column ${this.name}.${c} is not monitored`, {
          details: { table: this.name, column: c },
        });
      }
    }
    for (const [uuid, row] of this.rows) index.add(uuid, row);
    this.indexes.set(spec.name, index);
    this.indexList = [...this.indexes.values()];
    return this.index(spec.name);
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  indexNames(): string[] {
    return [...this.indexes.keys()];
  }

  /** The index called `name` (schema indexes are named by their columns joined with ","). */
  index(name: string): IndexView<R> {
    const index = this.indexes.get(name);
    if (index === undefined) {
      throw new OvsdbError("VALIDATION_ERROR", `table ${this.name} has no index ${name}`, {
        details: { table: this.name, index: name, indexes: this.indexNames() },
      });
    }
    const uuids = (values: unknown[]): readonly string[] => index.uuidsOf(index.keyOfValues(values));
    return {
      name,
      unique: index.unique,
      uuids: (...values) => uuids(values),
      get: (...values) => uuids(values).map((u) => this.get(u) as R),
      one: (...values) => {
        const us = uuids(values);
        if (us.length > 1) {
          throw new OvsdbError("VALIDATION_ERROR", `index ${name} of ${this.name}: ${us.length} rows share one key`, {
            details: { table: this.name, index: name, uuids: us },
          });
        }
        return us.length === 0 ? undefined : this.get(us[0] as string);
      },
    };
  }

  /** The index key of TYPED values (for tests and diagnostics). */
  indexKey(name: string, values: readonly unknown[]): IndexKey {
    const index = this.indexes.get(name);
    if (index === undefined) throw new OvsdbError("VALIDATION_ERROR", `table ${this.name} has no index ${name}`);
    return index.keyOfValues(values);
  }

  // ---- mutation, for the Replica only: commit already-validated changes ----

  /** Stores a new row. */
  insertRow(uuid: string, row: WireRow): void {
    this.rows.set(uuid, row);
    const list = this.indexList;
    for (let i = 0; i < list.length; i++) (list[i] as RowIndex).add(uuid, row);
  }

  /** Replaces a row; returns the memoized TYPED old row, if it was decoded. */
  modifyRow(uuid: string, old: WireRow, row: WireRow): R | undefined {
    this.rows.set(uuid, row);
    const memo = this.typed.get(uuid);
    if (memo !== undefined) this.typed.delete(uuid);
    const list = this.indexList;
    for (let i = 0; i < list.length; i++) (list[i] as RowIndex).update(uuid, old, row);
    return memo;
  }

  /** Removes a row; returns the memoized TYPED old row, if it was decoded. */
  deleteRow(uuid: string, old: WireRow): R | undefined {
    this.rows.delete(uuid);
    const memo = this.typed.get(uuid);
    if (memo !== undefined) this.typed.delete(uuid);
    const list = this.indexList;
    for (let i = 0; i < list.length; i++) (list[i] as RowIndex).remove(uuid, old);
    return memo;
  }

  /** Memoizes a TYPED row for a uuid (used when an event decoded the current row first). */
  rememberTyped(uuid: string, wire: WireRow, row: R): void {
    if (this.rows.get(uuid) === wire) this.typed.set(uuid, row);
  }
}
