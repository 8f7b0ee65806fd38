/**
 * The schema-aware typed codec for column values (an OVSDB "datum"): wire value <-> TYPED JS value.
 *
 * TYPED representation (the contract shared by codegen, cache and models):
 *   string -> string; boolean -> boolean; real -> number; uuid -> lower-case uuid string (a NamedUuid is
 *   also accepted in written values, and decoded from ["named-uuid", id]);
 *   integer -> number, or bigint for values outside +-Number.MAX_SAFE_INTEGER (OVSDB integers are int64);
 *   min=1,max=1 -> T;  min=0,max=1 -> T | null (null is the empty set);  max>1 -> readonly T[];
 *   map (type has a value) -> ReadonlyMap<K, V> (written values may be a Map, or a plain object for
 *   string keys).
 *
 * Every constraint ovsdb-server checks on a datum is checked here (atom type, enum, minInteger/maxInteger,
 * minReal/maxReal, minLength/maxLength counted in Unicode characters as OVS counts UTF-8, set size, set
 * elements and map keys unique); a violation is an OvsdbError "VALIDATION_ERROR" with details
 * {column?, expected, got}.
 */
import { OvsdbError } from "./errors.js";
import { NamedUuid, Uuid, isUuidString, safeJson, type WireAtom, type WireRow, type WireValue } from "./notation.js";
import { columnOf, type BaseType, type ColumnType, type TableSchema } from "./schema.js";

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** How a column's values are represented: T, T | null, readonly T[] or ReadonlyMap<K, V>. */
export type ColumnKind = "scalar" | "optional" | "set" | "map";

export function columnKind(type: ColumnType): ColumnKind {
  if (type.value !== undefined) return "map";
  if (type.max === 1) return type.min === 1 ? "scalar" : "optional";
  return "set";
}

/** True when every value the integer base type allows is a safe JS number. */
export function integerIsSafe(base: BaseType): boolean {
  return (
    base.minInteger !== undefined &&
    base.maxInteger !== undefined &&
    BigInt(base.minInteger) >= BigInt(Number.MIN_SAFE_INTEGER) &&
    BigInt(base.maxInteger) <= BigInt(Number.MAX_SAFE_INTEGER)
  );
}

export interface DatumContext {
  /** Column name, for error details. */
  column?: string | undefined;
  /** Table name, for error details. */
  table?: string | undefined;
}

function invalid(ctx: DatumContext, expected: string, got: unknown, gotText?: string): OvsdbError {
  const g = gotText ?? describe(got);
  const where = ctx.column === undefined ? "" : `${ctx.table === undefined ? "" : `${ctx.table}.`}${ctx.column}: `;
  const details: Record<string, unknown> = { expected, got: g };
  if (ctx.column !== undefined) details.column = ctx.column;
  if (ctx.table !== undefined) details.table = ctx.table;
  return new OvsdbError("VALIDATION_ERROR", `${where}expected ${expected}, got ${g}`, { details });
}

function describe(x: unknown): string {
  if (typeof x === "bigint") return `${x}n`;
  if (x instanceof Map) return `Map(${x.size})`;
  if (x instanceof Uuid) return `Uuid(${x.value})`;
  if (x instanceof NamedUuid) return `NamedUuid(${x.name})`;
  if (x === undefined) return "undefined";
  return safeJson(x);
}

/** Number of characters as OVS counts them (UTF-8 sequences, i.e. Unicode code points). */
export function utf8CharLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function toBig(x: number | bigint): bigint {
  return typeof x === "bigint" ? x : BigInt(x);
}

/** Normalises an int64 to the typed form: number when safe, else bigint. */
function normInt(x: number | bigint): number | bigint {
  if (typeof x === "number") return Number.isSafeInteger(x) ? x : BigInt(x);
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

/** Checks the base type's constraints on an already type-correct JS atom. */
function checkConstraints(base: BaseType, v: unknown, ctx: DatumContext): void {
  switch (base.type) {
    case "integer": {
      const b = toBig(v as number | bigint);
      if (b < INT64_MIN || b > INT64_MAX) throw invalid(ctx, "a 64-bit integer", v);
      if (base.minInteger !== undefined && b < toBig(base.minInteger)) {
        throw invalid(ctx, `an integer >= ${base.minInteger}`, v);
      }
      if (base.maxInteger !== undefined && b > toBig(base.maxInteger)) {
        throw invalid(ctx, `an integer <= ${base.maxInteger}`, v);
      }
      if (base.enum !== undefined && !base.enum.some((e) => typeof e !== "boolean" && typeof e !== "string" && toBig(e) === b)) {
        throw invalid(ctx, `one of ${safeJson(base.enum)}`, v);
      }
      return;
    }
    case "real": {
      const n = v as number;
      if (base.minReal !== undefined && n < base.minReal) throw invalid(ctx, `a real >= ${base.minReal}`, v);
      if (base.maxReal !== undefined && n > base.maxReal) throw invalid(ctx, `a real <= ${base.maxReal}`, v);
      break;
    }
    case "string": {
      const s = v as string;
      if (base.minLength !== undefined || base.maxLength !== undefined) {
        const len = utf8CharLength(s);
        if (base.minLength !== undefined && len < base.minLength) {
          throw invalid(ctx, `a string of at least ${base.minLength} characters`, v);
        }
        if (base.maxLength !== undefined && len > base.maxLength) {
          throw invalid(ctx, `a string of at most ${base.maxLength} characters`, v);
        }
      }
      break;
    }
    default:
      break;
  }
  if (base.enum !== undefined && !(v instanceof NamedUuid) && !base.enum.includes(v as string | number | boolean)) {
    throw invalid(ctx, `one of ${safeJson(base.enum)}`, v);
  }
}

/** Decodes one wire atom of the given base type to its typed JS form (and checks its constraints). */
export function decodeAtomOf(base: BaseType, w: unknown, ctx: DatumContext = {}): unknown {
  let v: unknown;
  switch (base.type) {
    case "integer":
      if (typeof w === "bigint") v = normInt(w);
      else if (typeof w === "number" && Number.isInteger(w)) v = normInt(w);
      else throw invalid(ctx, "an integer", w);
      break;
    case "real":
      // ovsdb-server prints reals with 15 significant digits, so DBL_MAX arrives as 1.79769313486232e+308,
      // which JSON.parse turns into Infinity: OVS reals are always within +-DBL_MAX, so clamp back.
      if (typeof w === "number" && !Number.isNaN(w)) v = Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, w));
      else if (typeof w === "bigint") v = Number(w);
      else throw invalid(ctx, "a real", w);
      break;
    case "boolean":
      if (typeof w !== "boolean") throw invalid(ctx, "a boolean", w);
      v = w;
      break;
    case "string":
      if (typeof w !== "string") throw invalid(ctx, "a string", w);
      v = w;
      break;
    case "uuid":
      if (Array.isArray(w) && w.length === 2 && typeof w[1] === "string") {
        if (w[0] === "uuid" && isUuidString(w[1])) v = w[1].toLowerCase();
        else if (w[0] === "named-uuid") {
          try {
            v = new NamedUuid(w[1]);
          } catch {
            throw invalid(ctx, "a uuid-name <id>", w);
          }
        }
      }
      if (v === undefined) throw invalid(ctx, '["uuid", <uuid>]', w);
      break;
  }
  checkConstraints(base, v, ctx);
  return v;
}

/** Encodes one typed JS atom of the given base type to its wire form (after checking its constraints). */
export function encodeAtomOf(base: BaseType, v: unknown, ctx: DatumContext = {}): WireAtom {
  let w: WireAtom;
  switch (base.type) {
    case "integer":
      if (typeof v === "bigint") w = normInt(v);
      else if (typeof v === "number" && Number.isInteger(v)) w = normInt(v);
      else throw invalid(ctx, "an integer (number or bigint)", v);
      break;
    case "real":
      if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(ctx, "a finite real number", v);
      w = v;
      break;
    case "boolean":
      if (typeof v !== "boolean") throw invalid(ctx, "a boolean", v);
      w = v;
      break;
    case "string":
      if (typeof v !== "string") throw invalid(ctx, "a string", v);
      w = v;
      break;
    case "uuid":
      if (typeof v === "string" && isUuidString(v)) w = ["uuid", v.toLowerCase()];
      else if (v instanceof Uuid) w = ["uuid", v.value];
      else if (v instanceof NamedUuid) w = ["named-uuid", v.name];
      else throw invalid(ctx, "a uuid string or NamedUuid", v);
      break;
  }
  checkConstraints(base, base.type === "integer" ? w : v, ctx);
  return w;
}

/** A key identifying an atom for uniqueness checks (OVS compares atoms by value). */
function atomKey(base: BaseType, v: unknown): string {
  if (v instanceof NamedUuid) return `n:${v.name}`;
  if (base.type === "integer") return toBig(v as number | bigint).toString();
  if (base.type === "uuid") return String(v).toLowerCase();
  return String(v);
}

function checkSize(type: ColumnType, n: number, ctx: DatumContext, got: unknown): void {
  if (n < type.min || n > type.max) {
    const max = type.max === Infinity ? "unlimited" : String(type.max);
    const expected = type.min === type.max ? `exactly ${type.min} element` : `between ${type.min} and ${max} elements`;
    throw invalid(ctx, expected, got, `${n} elements`);
  }
}

function checkUnique(base: BaseType, atoms: readonly unknown[], ctx: DatumContext, what: string): void {
  const seen = new Set<string>();
  for (const a of atoms) {
    const k = atomKey(base, a);
    if (seen.has(k)) throw invalid(ctx, `${what} without duplicates`, a, `duplicate ${describe(a)}`);
    seen.add(k);
  }
}

function isSetWire(w: unknown): w is ["set", unknown[]] {
  return Array.isArray(w) && w.length === 2 && w[0] === "set" && Array.isArray(w[1]);
}

/**
 * Decodes a wire value of a column type to the TYPED representation.
 * A set may arrive as a bare atom (1 element) or ["set", [...]]; a map always as ["map", [[k, v]...]].
 */
export function decodeDatum(type: ColumnType, wire: unknown, ctx: DatumContext = {}): unknown {
  const kind = columnKind(type);
  if (kind === "map") {
    const value = type.value as BaseType;
    if (!Array.isArray(wire) || wire.length !== 2 || wire[0] !== "map" || !Array.isArray(wire[1])) {
      throw invalid(ctx, '["map", [[key, value]...]]', wire);
    }
    const pairs = wire[1] as unknown[];
    checkSize(type, pairs.length, ctx, wire);
    const out = new Map<unknown, unknown>();
    const keys: unknown[] = [];
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2) throw invalid(ctx, "a [key, value] pair", p);
      const k = decodeAtomOf(type.key, p[0], ctx);
      keys.push(k);
      out.set(k, decodeAtomOf(value, p[1], ctx));
    }
    checkUnique(type.key, keys, ctx, "map keys");
    return out;
  }
  const atoms = isSetWire(wire) ? wire[1].map((a) => decodeAtomOf(type.key, a, ctx)) : [decodeAtomOf(type.key, wire, ctx)];
  checkSize(type, atoms.length, ctx, wire);
  checkUnique(type.key, atoms, ctx, "set elements");
  if (kind === "scalar") return atoms[0];
  if (kind === "optional") return atoms.length === 0 ? null : atoms[0];
  return atoms;
}

function mapEntries(type: ColumnType, value: unknown, ctx: DatumContext): [unknown, unknown][] {
  if (value instanceof Map) return [...(value as Map<unknown, unknown>)];
  if (
    type.key.type === "string" &&
    typeof value === "object" &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.entries(value);
  }
  throw invalid(ctx, "a Map", value);
}

/** Encodes a TYPED value of a column type to its wire form (sets as ["set", [...]], maps as ["map", ...]). */
export function encodeDatum(type: ColumnType, value: unknown, ctx: DatumContext = {}): WireValue {
  const kind = columnKind(type);
  switch (kind) {
    case "map": {
      const valueBase = type.value as BaseType;
      const entries = mapEntries(type, value, ctx);
      checkSize(type, entries.length, ctx, value);
      const pairs: [WireAtom, WireAtom][] = entries.map(([k, v]) => [
        encodeAtomOf(type.key, k, ctx),
        encodeAtomOf(valueBase, v, ctx),
      ]);
      checkUnique(
        type.key,
        entries.map(([k]) => k),
        ctx,
        "map keys",
      );
      return ["map", pairs];
    }
    case "scalar":
      if (value === null || value === undefined) throw invalid(ctx, "a value (the column is not optional)", value);
      return encodeAtomOf(type.key, value, ctx);
    case "optional":
      if (value === null) {
        checkSize(type, 0, ctx, value);
        return ["set", []];
      }
      return encodeAtomOf(type.key, value, ctx);
    case "set": {
      if (!Array.isArray(value)) throw invalid(ctx, "an array (a set)", value);
      checkSize(type, value.length, ctx, value);
      const atoms = value.map((a) => encodeAtomOf(type.key, a, ctx));
      checkUnique(type.key, value, ctx, "set elements");
      return ["set", atoms];
    }
  }
}

/** A row in the TYPED representation: {_uuid, _version?, ...columns}. */
export interface TypedRow {
  _uuid?: string;
  _version?: string;
  [column: string]: unknown;
}

export interface DecodeRowOptions {
  /** What to do with a column the schema does not know: "error" (default) or "ignore" (drop it). */
  unknownColumns?: "error" | "ignore";
  /**
   * true: the row is an update2/update3 "modify" diff: scalar and optional (max=1) columns carry their new
   * value (as ovsdb-server 3.1 sends them: "red" -> ["set", []] -> "blue"); set and map columns carry the
   * toggled elements / changed pairs, so their size limits do not apply.
   */
  diff?: boolean;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Map);
}

/**
 * Decodes a wire row (a full row, or the columns a select/monitor asked for) to a TypedRow.
 * Only the columns present on the wire are present in the result. For an update2/update3 "modify" diff
 * pass {diff: true}: the result then holds the differences (applying them is updates.ts's job).
 */
export function decodeRow(table: TableSchema, wire: WireRow | unknown, options: DecodeRowOptions = {}): TypedRow {
  if (!isPlainObject(wire)) throw invalid({ table: table.name }, "a row object", wire);
  const out: TypedRow = {};
  for (const [name, w] of Object.entries(wire)) {
    const col = columnOf(table, name);
    if (col === undefined) {
      if (options.unknownColumns === "ignore") continue;
      throw invalid({ table: table.name, column: name }, `a column of table ${table.name}`, name, "unknown column");
    }
    const kind = columnKind(col.type);
    const relax = options.diff === true && (kind === "set" || kind === "map");
    const type = relax ? { ...col.type, min: 0, max: Infinity } : col.type;
    out[name] = decodeDatum(type, w, { table: table.name, column: name });
  }
  return out;
}

export interface EncodeRowOptions {
  /**
   * false (default): the row must give every column of the table (a complete row).
   * true: only the columns present are encoded (for update, or an insert relying on defaults).
   */
  partial?: boolean;
}

/**
 * Encodes a TypedRow to a wire row. `_uuid` and `_version` are never written (they are skipped);
 * columns whose value is `undefined` are treated as absent.
 */
export function encodeRow(table: TableSchema, row: TypedRow, options: EncodeRowOptions = {}): WireRow {
  if (!isPlainObject(row)) throw invalid({ table: table.name }, "a row object", row);
  const out: WireRow = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === "_uuid" || name === "_version" || value === undefined) continue;
    const col = table.columns.get(name);
    if (col === undefined) {
      throw invalid({ table: table.name, column: name }, `a column of table ${table.name}`, name, "unknown column");
    }
    out[name] = encodeDatum(col.type, value, { table: table.name, column: name });
  }
  if (options.partial !== true) {
    for (const name of table.columns.keys()) {
      if (!(name in out)) {
        throw invalid({ table: table.name, column: name }, "a complete row (or {partial: true})", undefined, "missing column");
      }
    }
  }
  return out;
}
