/**
 * The runtime descriptor of one table that generated code builds with defineTable(): its protocol name, column
 * metadata, typed condition and mutation helpers, typed row encoding/decoding and operation builders. Every
 * value is validated against the schema before anything is built (OvsdbError "VALIDATION_ERROR").
 */
import { OvsdbError } from "../protocol/errors.js";
import { decodeRow, encodeRow } from "../protocol/datum.js";
import type { TypedRow } from "../protocol/datum.js";
import { NamedUuid, isUuidString } from "../protocol/notation.js";
import type { WireRow } from "../protocol/notation.js";
import { deleteOp, insertOp, mutateOp, selectOp, updateOp, waitOp } from "../protocol/operations.js";
import type {
  Condition,
  ConditionFunction,
  DeleteOp,
  InsertOp,
  InsertOpOptions,
  Mutation,
  MutateOp,
  Mutator,
  SelectOp,
  UpdateOp,
  WaitOp,
} from "../protocol/operations.js";
import { columnOf } from "../protocol/schema.js";
import type { ColumnSchema, DatabaseSchema, TableSchema } from "../protocol/schema.js";
import { typedCondition } from "../protocol/conditions.js";
import { typedMutation } from "../protocol/mutations.js";
import { columnConditions } from "./conditions.js";
import type { WhereHelpers } from "./conditions.js";
import { columnMutations } from "./mutations.js";
import type { MutateHelpers } from "./mutations.js";
import { strictRecord } from "./strict-record.js";

/** Column names of a row type, _uuid and _version included. */
export type ColumnName<Row> = keyof Row & string;

export interface ModelInsertOptions {
  /** The "uuid-name" later operations of the transaction use to refer to the new row. */
  uuidName?: string | NamedUuid;
  /** OVS extension: the uuid the new row gets (instead of a server-chosen one). */
  uuid?: string;
}

/** Operation builders of one table: each returns a validated wire operation (protocol/operations.ts). */
export interface TableOperations<Row, Ins, Upd> {
  insert(row: Ins, options?: ModelInsertOptions): InsertOp;
  select(where: readonly Condition[], columns?: readonly ColumnName<Row>[]): SelectOp;
  update(where: readonly Condition[], row: Upd): UpdateOp;
  mutate(where: readonly Condition[], mutations: readonly Mutation[]): MutateOp;
  delete(where: readonly Condition[]): DeleteOp;
  wait(
    where: readonly Condition[],
    columns: readonly ColumnName<Row>[],
    until: "==" | "!=",
    rows: readonly Ins[],
    timeout?: number,
  ): WaitOp;
}

/** What every generated row type has. */
export interface RowShape {
  readonly _uuid: string;
  readonly _version?: string;
}

/** What every table model has, whatever its row types (for code that handles tables by name). */
export interface TableModelBase {
  /** The table's protocol name (e.g. "Logical_Switch_Port"). */
  readonly table: string;
  readonly schema: TableSchema;
  /** Column names in schema order (without _uuid and _version). */
  readonly columns: readonly string[];
  /** Column metadata by name (_uuid and _version included); VALIDATION_ERROR for an unknown column. */
  column(name: string): ColumnSchema;
  /** Condition helpers by column name. */
  readonly where: { readonly [column: string]: unknown };
  /** Mutation helpers by column name. */
  readonly mutate: { readonly [column: string]: unknown };
  /** A condition on a column named at run time, validated at run time (for code that picks columns dynamically). */
  condition(column: string, fn: ConditionFunction, value: unknown): Condition;
  /** A mutation of a column named at run time, validated at run time. */
  mutation(column: string, mutator: Mutator, value: unknown): Mutation;
  /** Validates and encodes the columns of an insert (a TYPED row: column -> value). */
  encodeInsert(row: object): WireRow;
  /** Validates and encodes the columns of an update (mutable columns only). */
  encodeUpdate(row: object): WireRow;
  /** Decodes a complete wire row (every column; `_uuid` from the row or from `uuid`) to a TYPED row. */
  decode(wire: unknown, uuid?: string): RowShape;
  /** Decodes the columns present in a wire row (a select or monitor of some columns). */
  decodePartial(wire: unknown): object;
}

/**
 * The model of one table, typed by its generated row (Row), insert (Ins) and update (Upd) types.
 * `where` holds a condition helper per column, `mutate` a mutation helper per mutable column that has a
 * mutator, `op` the operation builders.
 */
export interface TableModel<Row extends RowShape = RowShape, Ins extends object = Partial<Row>, Upd extends object = Ins>
  extends TableModelBase {
  /** Typed conditions: where.<column>.eq(value) -> ["<column>", "==", <wire value>]. */
  readonly where: WhereHelpers<Ins>;
  /** Typed mutations of mutable columns: mutate.<column>.insert(value) -> ["<column>", "insert", <wire>]. */
  readonly mutate: MutateHelpers<Upd>;
  encodeInsert(row: Ins): WireRow;
  encodeUpdate(row: Upd): WireRow;
  decode(wire: unknown, uuid?: string): Row;
  decodePartial(wire: unknown): Partial<Row>;
  readonly op: TableOperations<Row, Ins, Upd>;
}

function invalid(table: string, message: string, details: Record<string, unknown> = {}): OvsdbError {
  return new OvsdbError("VALIDATION_ERROR", `${table}: ${message}`, { details: { table, ...details } });
}

function plainRow(table: string, row: unknown): Record<string, unknown> {
  if (typeof row !== "object" || row === null || Array.isArray(row) || row instanceof Map) {
    throw invalid(table, "a row must be a plain object");
  }
  return row as Record<string, unknown>;
}

function checkNoImplicit(table: string, row: Record<string, unknown>): void {
  for (const name of ["_uuid", "_version"]) {
    if (row[name] !== undefined) throw invalid(table, `${name} cannot be written`, { column: name });
  }
}

function checkConditions(table: string, where: readonly Condition[]): Condition[] {
  if (!Array.isArray(where)) throw invalid(table, "where must be an array of conditions");
  return [...where];
}

/**
 * Builds the model of table `tableName` of `schema`. Generated code calls this with the row, insert and update
 * types it declares; throws OvsdbError "SCHEMA_ERROR" if the schema has no such table.
 */
export function defineTable<Row extends RowShape, Ins extends object = Partial<Row>, Upd extends object = Ins>(
  schema: DatabaseSchema,
  tableName: string,
): TableModel<Row, Ins, Upd> {
  const ts = schema.tables.get(tableName);
  if (ts === undefined) throw new OvsdbError("SCHEMA_ERROR", `schema ${schema.name} has no table ${tableName}`);
  const columns = Object.freeze([...ts.columns.keys()]);
  const unknown = (name: string) => `${tableName}.${name}: no such column in table ${tableName}`;

  const whereEntries: Record<string, unknown> = {};
  for (const name of ["_uuid", "_version", ...columns]) whereEntries[name] = columnConditions(ts, name);
  const where = strictRecord(whereEntries, unknown, { table: tableName }) as WhereHelpers<Ins>;

  const mutateEntries: Record<string, unknown> = {};
  for (const name of columns) {
    const helpers = columnMutations(ts, name);
    if (helpers !== undefined) mutateEntries[name] = helpers;
  }
  const mutateDescribe = (name: string) =>
    ts.columns.has(name) ? `${tableName}.${name}: the column cannot be mutated` : unknown(name);
  const mutate = strictRecord(mutateEntries, mutateDescribe, { table: tableName }) as MutateHelpers<Upd>;

  const encodeInsert = (row: Ins): WireRow => {
    const r = plainRow(tableName, row);
    checkNoImplicit(tableName, r);
    return encodeRow(ts, r as TypedRow, { partial: true });
  };
  const encodeUpdate = (row: Upd): WireRow => {
    const r = plainRow(tableName, row);
    checkNoImplicit(tableName, r);
    for (const [name, value] of Object.entries(r)) {
      const col = ts.columns.get(name);
      if (col !== undefined && !col.mutable && value !== undefined) {
        throw invalid(tableName, `${name} is immutable and cannot be updated`, { column: name, reason: "immutable column" });
      }
    }
    return encodeRow(ts, r as TypedRow, { partial: true });
  };
  const checkColumns = (names: readonly string[]): string[] => {
    if (!Array.isArray(names)) throw invalid(tableName, "columns must be an array of column names");
    for (const name of names) {
      if (columnOf(ts, name) === undefined) throw invalid(tableName, unknown(name), { column: name, reason: "unknown column" });
    }
    return [...names];
  };

  const op: TableOperations<Row, Ins, Upd> = Object.freeze({
    insert(row: Ins, options: ModelInsertOptions = {}): InsertOp {
      const { uuidName, uuid } = options;
      const opts: InsertOpOptions = {};
      if (uuidName !== undefined) opts.uuidName = uuidName instanceof NamedUuid ? uuidName.name : uuidName;
      if (uuid !== undefined) opts.uuid = uuid;
      return insertOp(tableName, encodeInsert(row), opts);
    },
    select(where: readonly Condition[], columns?: readonly ColumnName<Row>[]): SelectOp {
      return selectOp(tableName, checkConditions(tableName, where), columns === undefined ? undefined : checkColumns(columns));
    },
    update(where: readonly Condition[], row: Upd): UpdateOp {
      return updateOp(tableName, checkConditions(tableName, where), encodeUpdate(row));
    },
    mutate(where: readonly Condition[], mutations: readonly Mutation[]): MutateOp {
      if (!Array.isArray(mutations)) throw invalid(tableName, "mutations must be an array");
      return mutateOp(tableName, checkConditions(tableName, where), [...mutations]);
    },
    delete(where: readonly Condition[]): DeleteOp {
      return deleteOp(tableName, checkConditions(tableName, where));
    },
    wait(
      where: readonly Condition[],
      cols: readonly ColumnName<Row>[],
      until: "==" | "!=",
      rows: readonly Ins[],
      timeout?: number,
    ): WaitOp {
      const wireRows = rows.map((r) => encodeRow(ts, plainRow(tableName, r) as TypedRow, { partial: true }));
      return waitOp(tableName, checkConditions(tableName, where), checkColumns(cols), until, wireRows, timeout === undefined ? {} : { timeout });
    },
  });

  return Object.freeze({
    table: tableName,
    schema: ts,
    columns,
    column(name: string): ColumnSchema {
      const col = columnOf(ts, name);
      if (col === undefined) throw invalid(tableName, unknown(name), { column: name, reason: "unknown column" });
      return col;
    },
    where,
    mutate,
    condition: (column: string, fn: ConditionFunction, value: unknown) => typedCondition(ts, column, fn, value),
    mutation: (column: string, mutator: Mutator, value: unknown) => typedMutation(ts, column, mutator, value),
    encodeInsert,
    encodeUpdate,
    decode(wire: unknown, uuid?: string): Row {
      const row = decodeRow(ts, wire);
      if (row._uuid === undefined) {
        if (uuid === undefined || !isUuidString(uuid)) throw invalid(tableName, "decode: the row has no _uuid and none was given");
        row._uuid = uuid.toLowerCase();
      }
      for (const name of columns) {
        if (!(name in row)) throw invalid(tableName, `decode: column ${name} is missing`, { column: name, reason: "missing column" });
      }
      return row as unknown as Row;
    },
    decodePartial(wire: unknown): Partial<Row> {
      return decodeRow(ts, wire) as Partial<Row>;
    },
    op,
  });
}
