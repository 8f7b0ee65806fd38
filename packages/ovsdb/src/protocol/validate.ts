/**
 * Client-side validation of transact operations against a database schema, so that a bad transaction is
 * refused before anything is sent. Checks what ovsdb-server would check while parsing (ovsdb/execution.c,
 * condition.c, mutation.c, row.c): operation shape and members, unknown table/column, value types and
 * constraints (datum.ts), immutable columns in update/mutate, mutator/function applicability, uuid-names.
 * Every failure is an OvsdbError "VALIDATION_ERROR" whose details name the op index, op, table and column.
 */
import { conditionValueType, isConditionFunction } from "./conditions.js";
import { decodeDatum } from "./datum.js";
import { OvsdbError } from "./errors.js";
import { mutationValueType, isMutator } from "./mutations.js";
import { NamedUuid, isId, isUuidString, safeJson } from "./notation.js";
import type { Operation } from "./operations.js";
import { columnOf, type ColumnType, type DatabaseSchema, type TableSchema } from "./schema.js";

/** Members each operation may carry (ovsdb-server rejects any other member). */
const MEMBERS: Record<Operation["op"], { required: readonly string[]; optional: readonly string[] }> = {
  insert: { required: ["table", "row"], optional: ["uuid-name", "uuid"] },
  select: { required: ["table", "where"], optional: ["columns", "sort"] },
  update: { required: ["table", "where", "row"], optional: [] },
  mutate: { required: ["table", "where", "mutations"], optional: [] },
  delete: { required: ["table", "where"], optional: [] },
  wait: { required: ["table", "where", "until", "rows"], optional: ["columns", "timeout"] },
  commit: { required: ["durable"], optional: [] },
  abort: { required: [], optional: [] },
  comment: { required: ["comment"], optional: [] },
  assert: { required: ["lock"], optional: [] },
};

interface Ctx {
  index: number;
  op: string | undefined;
  table?: string | undefined;
  /** uuid-names referenced by the operation (collected for the transaction-level check). */
  named: Set<string>;
}

function fail(ctx: Ctx, message: string, extra: Record<string, unknown> = {}): never {
  const where = `operation ${ctx.index} (${ctx.op ?? "?"}${ctx.table === undefined ? "" : ` on ${ctx.table}`})`;
  throw new OvsdbError("VALIDATION_ERROR", `${where}: ${message}`, {
    details: { index: ctx.index, op: ctx.op, table: ctx.table, ...extra },
  });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** decodeDatum, rethrown with the op index in the details; collects referenced uuid-names. */
function checkDatum(ctx: Ctx, type: ColumnType, value: unknown, column: string): void {
  let decoded: unknown;
  try {
    decoded = decodeDatum(type, value, { table: ctx.table, column });
  } catch (e) {
    if (e instanceof OvsdbError) fail(ctx, e.message, { ...e.details, column });
    throw e;
  }
  collectNamed(decoded, ctx.named);
}

function collectNamed(v: unknown, out: Set<string>): void {
  if (v instanceof NamedUuid) out.add(v.name);
  else if (Array.isArray(v)) for (const x of v) collectNamed(x, out);
  else if (v instanceof Map) for (const [k, x] of v) (collectNamed(k, out), collectNamed(x, out));
}

function tableOf(schema: DatabaseSchema, ctx: Ctx, name: unknown): TableSchema {
  if (typeof name !== "string") fail(ctx, '"table" must be a string', { got: safeJson(name) });
  const t = schema.tables.get(name);
  if (t === undefined) fail(ctx, `no table ${name} in database ${schema.name}`, { expected: "a table", got: name });
  return t;
}

function checkRow(ctx: Ctx, table: TableSchema, row: unknown, mode: "insert" | "update" | "wait"): void {
  if (!isObject(row)) fail(ctx, "row must be a JSON object", { got: safeJson(row) });
  for (const [name, value] of Object.entries(row)) {
    const col = mode === "wait" ? columnOf(table, name) : table.columns.get(name);
    if (col === undefined) {
      const why = name === "_uuid" || name === "_version" ? `column ${name} cannot be written` : `no column ${name}`;
      fail(ctx, why, { column: name, expected: "a writable column", got: name });
    }
    if (mode === "update" && !col.mutable) {
      fail(ctx, `cannot update immutable column ${name}`, { column: name, expected: "a mutable column", got: name });
    }
    checkDatum(ctx, col.type, value, name);
  }
}

function checkWhere(ctx: Ctx, table: TableSchema, where: unknown): void {
  if (!Array.isArray(where)) fail(ctx, '"where" must be an array', { got: safeJson(where) });
  where.forEach((c: unknown) => {
    if (c === true || c === false) return;
    if (!Array.isArray(c) || c.length !== 3 || typeof c[0] !== "string" || typeof c[1] !== "string") {
      fail(ctx, `malformed condition ${safeJson(c)}`, { expected: "[column, function, value]", got: safeJson(c) });
    }
    const [column, fn, value] = c as [string, string, unknown];
    const col = columnOf(table, column);
    if (col === undefined) fail(ctx, `no column ${column}`, { column, expected: "a column", got: column });
    if (!isConditionFunction(fn)) fail(ctx, `unknown function ${fn}`, { column, expected: "a condition function", got: fn });
    const t = conditionValueType(col.type, fn);
    if (typeof t === "string") fail(ctx, `${column}: ${t}`, { column, expected: t, got: fn });
    checkDatum(ctx, t, value, column);
  });
}

function checkColumns(ctx: Ctx, table: TableSchema, columns: unknown, member: string): void {
  if (columns === undefined) return;
  if (!Array.isArray(columns)) fail(ctx, `"${member}" must be an array of column names`, { got: safeJson(columns) });
  for (const c of columns) {
    if (typeof c !== "string" || columnOf(table, c) === undefined) {
      fail(ctx, `no column ${String(c)}`, { column: c, expected: "a column", got: safeJson(c) });
    }
  }
}

function checkMutations(ctx: Ctx, table: TableSchema, mutations: unknown): void {
  if (!Array.isArray(mutations)) fail(ctx, '"mutations" must be an array', { got: safeJson(mutations) });
  for (const m of mutations) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== "string" || typeof m[1] !== "string") {
      fail(ctx, `malformed mutation ${safeJson(m)}`, { expected: "[column, mutator, value]", got: safeJson(m) });
    }
    const [column, mutator, value] = m as [string, string, unknown];
    const col = table.columns.get(column);
    if (col === undefined) fail(ctx, `no mutable column ${column}`, { column, expected: "a column", got: column });
    if (!isMutator(mutator)) fail(ctx, `unknown mutator ${mutator}`, { column, expected: "a mutator", got: mutator });
    if (!col.mutable) fail(ctx, `cannot mutate immutable column ${column}`, { column, expected: "a mutable column", got: column });
    const t = mutationValueType(col.type, mutator);
    if (typeof t === "string") fail(ctx, `${column}: ${t}`, { column, expected: t, got: mutator });
    if (mutator === "delete" && col.type.value !== undefined && !isMapWire(value)) {
      // a map "delete" by keys: a set of keys
      checkDatum(ctx, mutationValueType(col.type, "delete", true) as ColumnType, value, column);
    } else {
      checkDatum(ctx, t, value, column);
    }
  }
}

function isMapWire(v: unknown): boolean {
  return Array.isArray(v) && v[0] === "map";
}

function checkOne(schema: DatabaseSchema, raw: unknown, ctx: Ctx): { uuidName?: string } {
  if (!isObject(raw)) fail(ctx, "an operation must be a JSON object", { got: safeJson(raw) });
  const opName = raw.op;
  if (typeof opName !== "string" || !(opName in MEMBERS)) {
    fail(ctx, `unknown operation ${safeJson(opName)}`, { expected: Object.keys(MEMBERS).join(" "), got: safeJson(opName) });
  }
  const op = opName as Operation["op"];
  ctx.op = op;
  const spec = MEMBERS[op];
  if (typeof raw.table === "string") ctx.table = raw.table;
  for (const m of spec.required) if (raw[m] === undefined) fail(ctx, `member "${m}" is missing`, { expected: m });
  for (const m of Object.keys(raw)) {
    if (m !== "op" && !spec.required.includes(m) && !spec.optional.includes(m)) {
      fail(ctx, `member "${m}" is not allowed here`, { got: m });
    }
  }
  const table = spec.required.includes("table") ? tableOf(schema, ctx, raw.table) : undefined;
  switch (op) {
    case "insert": {
      checkRow(ctx, table!, raw.row, "insert");
      const name = raw["uuid-name"];
      if (name !== undefined && (typeof name !== "string" || !isId(name))) {
        fail(ctx, `uuid-name ${safeJson(name)} is not an <id>`, { expected: "an <id>", got: safeJson(name) });
      }
      if (raw.uuid !== undefined && (typeof raw.uuid !== "string" || !isUuidString(raw.uuid))) {
        fail(ctx, `"uuid" ${safeJson(raw.uuid)} is not a uuid`, { expected: "a uuid", got: safeJson(raw.uuid) });
      }
      return typeof name === "string" ? { uuidName: name } : {};
    }
    case "select":
      checkWhere(ctx, table!, raw.where);
      checkColumns(ctx, table!, raw.columns, "columns");
      checkColumns(ctx, table!, raw.sort, "sort");
      return {};
    case "update":
      checkWhere(ctx, table!, raw.where);
      checkRow(ctx, table!, raw.row, "update");
      return {};
    case "mutate":
      checkWhere(ctx, table!, raw.where);
      checkMutations(ctx, table!, raw.mutations);
      return {};
    case "delete":
      checkWhere(ctx, table!, raw.where);
      return {};
    case "wait": {
      checkWhere(ctx, table!, raw.where);
      checkColumns(ctx, table!, raw.columns, "columns");
      if (raw.until !== "==" && raw.until !== "!=") fail(ctx, '"until" must be "==" or "!="', { got: safeJson(raw.until) });
      if (!Array.isArray(raw.rows)) fail(ctx, '"rows" must be an array', { got: safeJson(raw.rows) });
      for (const r of raw.rows) checkRow(ctx, table!, r, "wait");
      const t = raw.timeout;
      if (t !== undefined && !((typeof t === "number" && Number.isInteger(t) && t >= 0) || (typeof t === "bigint" && t >= 0n))) {
        fail(ctx, "timeout must be a nonnegative integer", { got: safeJson(t) });
      }
      return {};
    }
    case "commit":
      if (typeof raw.durable !== "boolean") fail(ctx, '"durable" must be a boolean', { got: safeJson(raw.durable) });
      return {};
    case "abort":
      return {};
    case "comment":
      if (typeof raw.comment !== "string") fail(ctx, '"comment" must be a string', { got: safeJson(raw.comment) });
      return {};
    case "assert":
      if (typeof raw.lock !== "string" || !isId(raw.lock)) fail(ctx, '"lock" must be an <id>', { got: safeJson(raw.lock) });
      return {};
  }
}

/** Validates one operation (index is only used in error details). Returns nothing; throws VALIDATION_ERROR. */
export function validateOperation(schema: DatabaseSchema, op: Operation | unknown, index = 0): void {
  checkOne(schema, op, { index, op: undefined, named: new Set() });
}

/**
 * Validates every operation, then the transaction as a whole: each uuid-name is declared once, and every
 * ["named-uuid", id] refers to a uuid-name declared by an insert of the same transaction.
 */
export function validateTransaction(schema: DatabaseSchema, ops: readonly (Operation | unknown)[]): void {
  const declared = new Map<string, number>();
  const referenced: { name: string; ctx: Ctx }[] = [];
  ops.forEach((op, index) => {
    const ctx: Ctx = { index, op: undefined, named: new Set() };
    const { uuidName } = checkOne(schema, op, ctx);
    if (uuidName !== undefined) {
      if (declared.has(uuidName)) {
        fail(ctx, `duplicate uuid-name ${uuidName} (first declared by operation ${declared.get(uuidName)})`, {
          expected: "a uuid-name declared once",
          got: uuidName,
        });
      }
      declared.set(uuidName, index);
    }
    for (const name of ctx.named) referenced.push({ name, ctx });
  });
  for (const { name, ctx } of referenced) {
    if (!declared.has(name)) {
      fail(ctx, `["named-uuid", "${name}"] refers to no insert of this transaction`, {
        expected: "a uuid-name declared by an insert",
        got: name,
      });
    }
  }
}
