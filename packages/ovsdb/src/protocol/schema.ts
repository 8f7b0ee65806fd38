/**
 * RFC 7047 section 3.2 database schema, parsed into typed objects (normalised: every column type is a
 * full ColumnType with key/value BaseType, min and max).
 */
import { OvsdbError } from "./errors.js";

export type AtomicType = "integer" | "real" | "boolean" | "string" | "uuid";

export interface BaseType {
  type: AtomicType;
  /** Allowed values (<enum> in the schema), already decoded to atoms. */
  enum?: readonly (string | number | boolean)[];
  minInteger?: number | bigint;
  maxInteger?: number | bigint;
  minReal?: number;
  maxReal?: number;
  minLength?: number;
  maxLength?: number;
  refTable?: string;
  refType?: "strong" | "weak";
}

export interface ColumnType {
  key: BaseType;
  value?: BaseType;
  min: number;
  /** "unlimited" is Infinity. */
  max: number;
}

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  ephemeral: boolean;
  mutable: boolean;
}

export interface TableSchema {
  name: string;
  columns: ReadonlyMap<string, ColumnSchema>;
  maxRows?: number;
  isRoot: boolean;
  /** Each index is a list of column names whose values are unique together. */
  indexes: readonly (readonly string[])[];
}

export interface DatabaseSchema {
  name: string;
  version: string;
  cksum?: string;
  tables: ReadonlyMap<string, TableSchema>;
  /** The JSON the schema was parsed from. */
  raw: unknown;
}

const ATOMIC = new Set<string>(["integer", "real", "boolean", "string", "uuid"]);

function fail(msg: string): never {
  throw new OvsdbError("SCHEMA_ERROR", msg);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function parseEnum(e: unknown, where: string): (string | number | boolean)[] {
  // <enum> is an <atom> or ["set", [...]]
  if (Array.isArray(e)) {
    if (e[0] === "set" && Array.isArray(e[1])) return e[1] as (string | number | boolean)[];
    fail(`${where}: bad enum`);
  }
  if (typeof e === "string" || typeof e === "number" || typeof e === "boolean") return [e];
  fail(`${where}: bad enum`);
}

function parseBaseType(b: unknown, where: string): BaseType {
  if (typeof b === "string") {
    if (!ATOMIC.has(b)) fail(`${where}: unknown atomic type ${JSON.stringify(b)}`);
    return { type: b as AtomicType };
  }
  if (!isObj(b) || typeof b.type !== "string" || !ATOMIC.has(b.type)) fail(`${where}: bad base type`);
  const out: BaseType = { type: b.type as AtomicType };
  if (b.enum !== undefined) out.enum = parseEnum(b.enum, where);
  if (b.minInteger !== undefined) out.minInteger = b.minInteger as number | bigint;
  if (b.maxInteger !== undefined) out.maxInteger = b.maxInteger as number | bigint;
  if (b.minReal !== undefined) out.minReal = b.minReal as number;
  if (b.maxReal !== undefined) out.maxReal = b.maxReal as number;
  if (b.minLength !== undefined) out.minLength = b.minLength as number;
  if (b.maxLength !== undefined) out.maxLength = b.maxLength as number;
  if (b.refTable !== undefined) {
    if (typeof b.refTable !== "string") fail(`${where}: refTable must be a string`);
    out.refTable = b.refTable;
    out.refType = b.refType === "weak" ? "weak" : "strong";
  }
  return out;
}

export function parseColumnType(t: unknown, where: string): ColumnType {
  if (typeof t === "string") return { key: parseBaseType(t, where), min: 1, max: 1 };
  if (!isObj(t)) fail(`${where}: bad column type`);
  const key = parseBaseType(t.key, `${where}.key`);
  const out: ColumnType = { key, min: 1, max: 1 };
  if (t.value !== undefined) out.value = parseBaseType(t.value, `${where}.value`);
  if (t.min !== undefined) {
    if (t.min !== 0 && t.min !== 1) fail(`${where}: min must be 0 or 1`);
    out.min = t.min;
  }
  if (t.max !== undefined) {
    if (t.max === "unlimited") out.max = Infinity;
    else if (typeof t.max === "number" && Number.isInteger(t.max) && t.max >= 1) out.max = t.max;
    else fail(`${where}: bad max`);
  }
  return out;
}

export function parseSchema(json: unknown): DatabaseSchema {
  if (!isObj(json)) fail("schema is not an object");
  if (typeof json.name !== "string") fail("schema has no name");
  if (!isObj(json.tables)) fail("schema has no tables");
  const tables = new Map<string, TableSchema>();
  for (const [tname, tdef] of Object.entries(json.tables)) {
    if (!isObj(tdef) || !isObj(tdef.columns)) fail(`table ${tname}: no columns`);
    const columns = new Map<string, ColumnSchema>();
    for (const [cname, cdef] of Object.entries(tdef.columns)) {
      if (!isObj(cdef)) fail(`${tname}.${cname}: bad column`);
      columns.set(cname, {
        name: cname,
        type: parseColumnType(cdef.type, `${tname}.${cname}`),
        ephemeral: cdef.ephemeral === true,
        mutable: cdef.mutable !== false,
      });
    }
    const indexes = Array.isArray(tdef.indexes) ? (tdef.indexes as string[][]) : [];
    const table: TableSchema = {
      name: tname,
      columns,
      isRoot: tdef.isRoot === true,
      indexes,
    };
    if (typeof tdef.maxRows === "number") table.maxRows = tdef.maxRows;
    tables.set(tname, table);
  }
  const out: DatabaseSchema = {
    name: json.name,
    version: typeof json.version === "string" ? json.version : "",
    tables,
    raw: json,
  };
  if (typeof json.cksum === "string") out.cksum = json.cksum;
  return out;
}

/** The columns every row has without the schema naming them. */
export const IMPLICIT_COLUMNS: ReadonlyMap<string, ColumnSchema> = new Map([
  ["_uuid", { name: "_uuid", type: { key: { type: "uuid" }, min: 1, max: 1 }, ephemeral: false, mutable: false }],
  ["_version", { name: "_version", type: { key: { type: "uuid" }, min: 1, max: 1 }, ephemeral: false, mutable: false }],
]);

export function columnOf(table: TableSchema, column: string): ColumnSchema | undefined {
  return table.columns.get(column) ?? IMPLICIT_COLUMNS.get(column);
}
