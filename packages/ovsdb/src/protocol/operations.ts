/**
 * RFC 7047 section 5.2 transaction operations (+ the OVS "comment"/"assert" operations), in their wire shape.
 * Values inside rows/conditions/mutations are wire values (notation.ts WireValue); builders that take JS
 * values and encode them live beside these types.
 */
import { encodeRow, type TypedRow } from "./datum.js";
import { OvsdbError } from "./errors.js";
import { isId, isUuidString, type WireRow, type WireValue } from "./notation.js";
import type { TableSchema } from "./schema.js";

export type ConditionFunction = "<" | "<=" | "==" | "!=" | ">=" | ">" | "includes" | "excludes";
/** [column, function, value] */
export type Condition = [string, ConditionFunction, WireValue] | true | false;

export type Mutator = "+=" | "-=" | "*=" | "/=" | "%=" | "insert" | "delete";
/** [column, mutator, value] */
export type Mutation = [string, Mutator, WireValue];

export interface InsertOp {
  op: "insert";
  table: string;
  row: WireRow;
  "uuid-name"?: string;
  /** OVS extension (ovsdb-server >= 2.13 / 3.x): insert with a caller-chosen uuid. */
  uuid?: string;
}
export interface SelectOp {
  op: "select";
  table: string;
  where: Condition[];
  columns?: string[];
}
export interface UpdateOp {
  op: "update";
  table: string;
  where: Condition[];
  row: WireRow;
}
export interface MutateOp {
  op: "mutate";
  table: string;
  where: Condition[];
  mutations: Mutation[];
}
export interface DeleteOp {
  op: "delete";
  table: string;
  where: Condition[];
}
export interface WaitOp {
  op: "wait";
  table: string;
  where: Condition[];
  columns: string[];
  until: "==" | "!=";
  rows: WireRow[];
  timeout?: number;
}
export interface CommitOp {
  op: "commit";
  durable: boolean;
}
export interface AbortOp {
  op: "abort";
}
export interface CommentOp {
  op: "comment";
  comment: string;
}
export interface AssertOp {
  op: "assert";
  lock: string;
}

export type Operation =
  | InsertOp
  | SelectOp
  | UpdateOp
  | MutateOp
  | DeleteOp
  | WaitOp
  | CommitOp
  | AbortOp
  | CommentOp
  | AssertOp;

/** One element of a transact reply's result array, for a successful operation. */
export interface OperationResult {
  uuid?: WireValue;
  rows?: WireRow[];
  count?: number;
}
/** One element of a transact reply's result array, for a failed operation or the commit error. */
export interface OperationError {
  error: string;
  details?: string;
}
export type WireOperationResult = OperationResult | OperationError | null;

// ---- builders (building an operation is separate from sending it) ----


function invalidOp(message: string, details: Record<string, unknown>): OvsdbError {
  return new OvsdbError("VALIDATION_ERROR", message, { details });
}

export interface InsertOpOptions {
  /** The <id> other operations of the transaction use as ["named-uuid", id] to refer to the new row. */
  uuidName?: string;
  /** OVS extension: the new row's uuid, chosen by the caller. */
  uuid?: string;
}

export function insertOp(table: string, row: WireRow, options: InsertOpOptions = {}): InsertOp {
  const op: InsertOp = { op: "insert", table, row };
  if (options.uuidName !== undefined) {
    if (!isId(options.uuidName)) {
      throw invalidOp(`insert into ${table}: uuid-name ${JSON.stringify(options.uuidName)} is not an <id>`, {
        table,
        expected: "[_a-zA-Z][_a-zA-Z0-9]*",
        got: options.uuidName,
      });
    }
    op["uuid-name"] = options.uuidName;
  }
  if (options.uuid !== undefined) {
    if (!isUuidString(options.uuid)) {
      throw invalidOp(`insert into ${table}: ${JSON.stringify(options.uuid)} is not a uuid`, {
        table,
        expected: "a uuid",
        got: options.uuid,
      });
    }
    op.uuid = options.uuid.toLowerCase();
  }
  return op;
}

export function selectOp(table: string, where: Condition[] = [], columns?: readonly string[]): SelectOp {
  const op: SelectOp = { op: "select", table, where };
  if (columns !== undefined) op.columns = [...columns];
  return op;
}

export function updateOp(table: string, where: Condition[], row: WireRow): UpdateOp {
  return { op: "update", table, where, row };
}

export function mutateOp(table: string, where: Condition[], mutations: Mutation[]): MutateOp {
  return { op: "mutate", table, where, mutations };
}

export function deleteOp(table: string, where: Condition[]): DeleteOp {
  return { op: "delete", table, where };
}

export interface WaitOpOptions {
  /** Milliseconds to wait for the condition; 0 fails at once when it does not hold. Absent: wait forever. */
  timeout?: number;
}

export function waitOp(
  table: string,
  where: Condition[],
  columns: readonly string[],
  until: "==" | "!=",
  rows: WireRow[],
  options: WaitOpOptions = {},
): WaitOp {
  if (until !== "==" && until !== "!=") {
    throw invalidOp(`wait on ${table}: "until" must be "==" or "!="`, { table, expected: '"==" or "!="', got: until });
  }
  const op: WaitOp = { op: "wait", table, where, columns: [...columns], until, rows };
  if (options.timeout !== undefined) {
    if (!Number.isSafeInteger(options.timeout) || options.timeout < 0) {
      throw invalidOp(`wait on ${table}: timeout must be a nonnegative integer`, {
        table,
        expected: "a nonnegative integer",
        got: options.timeout,
      });
    }
    op.timeout = options.timeout;
  }
  return op;
}

export function commitOp(durable = false): CommitOp {
  return { op: "commit", durable };
}

export function abortOp(): AbortOp {
  return { op: "abort" };
}

export function commentOp(comment: string): CommentOp {
  return { op: "comment", comment };
}

export function assertOp(lock: string): AssertOp {
  if (!isId(lock)) throw invalidOp(`assert: lock name ${JSON.stringify(lock)} is not an <id>`, { expected: "an <id>", got: lock });
  return { op: "assert", lock };
}

/** The wire builders under the operation names, for `ops.insert(...)` style call sites. */
export const ops = {
  insert: insertOp,
  select: selectOp,
  update: updateOp,
  mutate: mutateOp,
  delete: deleteOp,
  wait: waitOp,
  commit: commitOp,
  abort: abortOp,
  comment: commentOp,
  assert: assertOp,
} as const;

// ---- schema-aware builders: TYPED rows in, encoded and validated with the datum codec ----

/** insert with a TYPED row (columns left out get their defaults on the server). */
export function typedInsertOp(table: TableSchema, row: TypedRow, options: InsertOpOptions = {}): InsertOp {
  return insertOp(table.name, encodeRow(table, row, { partial: true }), options);
}

/** update with a TYPED partial row; immutable columns are refused (the server would refuse them too). */
export function typedUpdateOp(table: TableSchema, where: Condition[], row: TypedRow): UpdateOp {
  for (const name of Object.keys(row)) {
    const col = table.columns.get(name);
    if (col !== undefined && !col.mutable && row[name] !== undefined) {
      throw invalidOp(`update ${table.name}: column ${name} is immutable`, {
        table: table.name,
        column: name,
        expected: "a mutable column",
        got: "immutable column",
      });
    }
  }
  return updateOp(table.name, where, encodeRow(table, row, { partial: true }));
}

/** wait with TYPED rows (each row gives the `columns` to compare). */
export function typedWaitOp(
  table: TableSchema,
  where: Condition[],
  columns: readonly string[],
  until: "==" | "!=",
  rows: readonly TypedRow[],
  options: WaitOpOptions = {},
): WaitOp {
  return waitOp(
    table.name,
    where,
    columns,
    until,
    rows.map((r) => encodeRow(table, r, { partial: true })),
    options,
  );
}
