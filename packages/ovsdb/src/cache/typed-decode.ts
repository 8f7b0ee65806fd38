/**
 * Fast wire -> TYPED decoding of the values a server sends in monitor updates. The server has validated every
 * datum (types, enums, ranges, sizes), so this path only reshapes: one decoder per column, compiled once per
 * table, checking just enough of the shape to stay safe. Anything unexpected falls back to protocol/datum.ts
 * decodeDatum, which checks everything and throws VALIDATION_ERROR.
 *
 * Empty sets and maps decode to two shared, immutable values (EMPTY_TYPED_SET, a frozen array, and
 * EMPTY_TYPED_MAP, a frozen Map whose set/delete/clear throw TypeError), so an empty column costs no allocation.
 */
import { columnKind, decodeDatum, type TypedRow } from "../protocol/datum.js";
import type { WireRow } from "../protocol/notation.js";
import type { BaseType, ColumnSchema } from "../protocol/schema.js";
import { defaultWireValue } from "../protocol/updates.js";

export type ColumnDecoder = (wire: unknown) => unknown;

function refuseMutation(): never {
  throw new TypeError("typed rows are read only (this empty Map is shared by every empty map column)");
}

/** The TYPED value of every empty set column: a frozen empty array (push etc. throw TypeError). */
export const EMPTY_TYPED_SET: readonly never[] = Object.freeze([]);

/**
 * The TYPED value of every empty map column: a real Map (instanceof Map, size 0) whose set, delete and clear
 * throw TypeError, frozen. (Only Map.prototype.set.call(...) could still bypass it: never do that.)
 */
export const EMPTY_TYPED_MAP: ReadonlyMap<never, never> = Object.freeze(
  Object.defineProperties(new Map<never, never>(), {
    set: { value: refuseMutation },
    delete: { value: refuseMutation },
    clear: { value: refuseMutation },
  }),
);

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
/** Marks an atom this fast path does not handle. */
const SLOW = Symbol("slow");

function atomDecoder(base: BaseType): (w: unknown) => unknown {
  switch (base.type) {
    case "string":
      return (w) => (typeof w === "string" ? w : SLOW);
    case "boolean":
      return (w) => (typeof w === "boolean" ? w : SLOW);
    case "real":
      return (w) => (typeof w === "number" ? w : SLOW);
    case "integer":
      return (w) =>
        typeof w === "number"
          ? Number.isSafeInteger(w)
            ? w
            : SLOW
          : typeof w === "bigint"
            ? w >= SAFE_MIN && w <= SAFE_MAX
              ? Number(w)
              : w
            : SLOW;
    case "uuid":
      return (w) =>
        Array.isArray(w) && w[0] === "uuid" && typeof w[1] === "string" && w[1].length === 36 ? (w[1] as string).toLowerCase() : SLOW;
  }
}

/** A decoder for one column: absent (undefined) decodes to the type's default. */
export function columnDecoder(column: ColumnSchema, table: string): ColumnDecoder {
  const type = column.type;
  const ctx = { table, column: column.name };
  const slow = (w: unknown): unknown => decodeDatum(type, w, ctx);
  const def = defaultWireValue(type);
  const key = atomDecoder(type.key);
  switch (columnKind(type)) {
    case "scalar":
      return (w) => {
        const v = key(w === undefined ? def : w);
        return v === SLOW ? slow(w === undefined ? def : w) : v;
      };
    case "optional":
      return (w) => {
        if (w === undefined) return null;
        if (Array.isArray(w) && w[0] === "set") {
          const items = w[1] as unknown[];
          if (items.length === 0) return null;
          if (items.length !== 1) return slow(w);
          const v = key(items[0]);
          return v === SLOW ? slow(w) : v;
        }
        const v = key(w);
        return v === SLOW ? slow(w) : v;
      };
    case "set":
      return (w) => {
        if (w === undefined) return EMPTY_TYPED_SET;
        if (Array.isArray(w) && w[0] === "set") {
          const items = w[1] as unknown[];
          if (!Array.isArray(items)) return slow(w);
          const n = items.length;
          if (n === 0) return EMPTY_TYPED_SET;
          if (n === 1) {
            const v = key(items[0]);
            return v === SLOW ? slow(w) : [v];
          }
          const out = new Array<unknown>(n);
          for (let i = 0; i < n; i++) {
            const v = key(items[i]);
            if (v === SLOW) return slow(w);
            out[i] = v;
          }
          return out;
        }
        const v = key(w);
        return v === SLOW ? slow(w) : [v];
      };
    case "map": {
      const value = atomDecoder(type.value as BaseType);
      return (w) => {
        if (w === undefined) return EMPTY_TYPED_MAP;
        if (!Array.isArray(w) || w[0] !== "map" || !Array.isArray(w[1])) return slow(w);
        const pairs = w[1] as unknown[];
        if (pairs.length === 0) return EMPTY_TYPED_MAP;
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < pairs.length; i++) {
          const p = pairs[i];
          if (!Array.isArray(p)) return slow(w);
          const k = key(p[0]);
          const v = value(p[1]);
          if (k === SLOW || v === SLOW) return slow(w);
          out.set(k, v);
        }
        return out;
      };
    }
  }
}

/** Decodes one stored wire row to its frozen TYPED form {_uuid, _version?, ...columns}. */
export type RowDecoder = (uuid: string, wire: WireRow) => TypedRow;

/** `_version` of a wire row (present when the monitor covers every column), else undefined. */
function versionOf(wire: WireRow): string | undefined {
  const v = wire._version;
  return Array.isArray(v) && v[0] === "uuid" && typeof v[1] === "string" ? v[1] : undefined;
}

/** Builds the row key by key: the fallback when code generation is unavailable or a name is unsafe. */
function genericRowDecoder(columns: readonly string[], decoders: readonly ColumnDecoder[]): RowDecoder {
  return (uuid, wire) => {
    const out: TypedRow = { _uuid: uuid };
    const version = versionOf(wire);
    if (version !== undefined) out._version = version;
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i] as string;
      const value = (decoders[i] as ColumnDecoder)(wire[c]);
      // an assignment to "__proto__" would set the prototype instead of a column
      if (c === "__proto__") Object.defineProperty(out, c, { value, enumerable: true, writable: true, configurable: true });
      else out[c] = value;
    }
    return Object.freeze(out);
  };
}

/**
 * The row decoder of a table's monitored `columns` (`decoders[i]` decodes `columns[i]`). Rows are built by
 * one generated object literal per shape (with and without `_version`): V8 then gives every row of the table
 * one hidden class with in-object fields, and each column's decoder is a direct, inlinable call. (Built key by
 * key, a row of more than a dozen columns turns into a dictionary: about 2.3x the memory and slower reads.)
 * Property names are JSON string literals; a name that a literal cannot hold as a plain own property
 * ("__proto__"), or a runtime that forbids code generation, gets the key-by-key decoder.
 */
export function compileRowDecoder(columns: readonly string[], decoders: readonly ColumnDecoder[]): RowDecoder {
  if (columns.length !== decoders.length) throw new RangeError("one decoder per column");
  if (columns.some((c) => c === "__proto__" || c === "_uuid" || c === "_version")) return genericRowDecoder(columns, decoders);
  const fields = columns.map((c, i) => `${JSON.stringify(c)}: d${i}(wire[${JSON.stringify(c)}])`);
  const body = [
    '"use strict";',
    "return function decodeRow(uuid, wire) {",
    "  const version = versionOf(wire);",
    `  if (version !== undefined) return freeze({ "_uuid": uuid, "_version": version${fields.map((f) => `, ${f}`).join("")} });`,
    `  return freeze({ "_uuid": uuid${fields.map((f) => `, ${f}`).join("")} });`,
    "};",
  ].join("\n");
  try {
    const factory = new Function("freeze", "versionOf", ...decoders.map((_, i) => `d${i}`), body) as (...args: unknown[]) => RowDecoder;
    return factory(Object.freeze, versionOf, ...decoders);
  } catch (e) {
    if (e instanceof EvalError) return genericRowDecoder(columns, decoders); // --disallow-code-generation-from-strings
    throw e;
  }
}
