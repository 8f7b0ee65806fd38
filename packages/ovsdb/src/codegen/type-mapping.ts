/**
 * The team's TYPED column representation, as TypeScript source text (see docs/codegen.md):
 *   string/boolean/real as is; integer -> number when its range lies within +-Number.MAX_SAFE_INTEGER,
 *   else number | bigint; uuid -> string, a reference -> UuidRef<"Table">; enum -> the union of its literals;
 *   min=1,max=1 -> T; min=0,max=1 -> T | null; otherwise readonly T[]; a map -> ReadonlyMap<K, V>.
 * Values the caller writes (insert/update/conditions/mutations) also accept a NamedUuid wherever a uuid goes.
 */
import { columnKind, integerIsSafe } from "../protocol/datum.js";
import type { BaseType, ColumnSchema, ColumnType } from "../protocol/schema.js";

/** "read": a decoded row.  "write": a value given to insert/update/conditions/mutations. */
export type ValueMode = "read" | "write";

/** Names of the enum types generated for a column's key and value (when they have an enum). */
export interface EnumTypeNames {
  key?: string;
  value?: string;
}

/** The TypeScript type of one atom of `base`. */
export function atomTsType(base: BaseType, mode: ValueMode, enumName?: string): string {
  let t: string;
  if (base.enum !== undefined && enumName !== undefined) t = enumName;
  else {
    switch (base.type) {
      case "string":
        t = "string";
        break;
      case "boolean":
        t = "boolean";
        break;
      case "real":
        t = "number";
        break;
      case "integer":
        t = integerIsSafe(base) ? "number" : "number | bigint";
        break;
      case "uuid":
        t = base.refTable !== undefined ? `UuidRef<${JSON.stringify(base.refTable)}>` : "string";
        break;
    }
  }
  if (base.type === "uuid" && mode === "write") t = `${t} | NamedUuid`;
  return t;
}

function paren(t: string): string {
  return t.includes("|") ? `(${t})` : t;
}

/** The TypeScript type of a column value. */
export function columnTsType(type: ColumnType, mode: ValueMode, enums: EnumTypeNames = {}): string {
  const key = atomTsType(type.key, mode, enums.key);
  switch (columnKind(type)) {
    case "scalar":
      return key;
    case "optional":
      return `${key} | null`;
    case "set":
      return `readonly ${paren(key)}[]`;
    case "map":
      return `ReadonlyMap<${key}, ${atomTsType(type.value!, mode, enums.value)}>`;
  }
}

/** True when a column's TypeScript types need the UuidRef / NamedUuid imports. */
export function usesUuidRef(type: ColumnType): boolean {
  return type.key.refTable !== undefined || type.value?.refTable !== undefined;
}
export function usesUuid(type: ColumnType): boolean {
  return type.key.type === "uuid" || type.value?.type === "uuid";
}

function literal(x: string | number | boolean): string {
  return JSON.stringify(x);
}

function bound(x: number | bigint): string {
  return typeof x === "bigint" ? x.toString() : String(x);
}

/** A short human summary of a base type: "integer in [0, 4095]", "weak reference to Thing", ... */
export function describeBase(base: BaseType): string {
  if (base.enum !== undefined) return `${base.type}, one of ${base.enum.map(literal).join(", ")}`;
  switch (base.type) {
    case "integer": {
      const { minInteger: lo, maxInteger: hi } = base;
      const range =
        lo !== undefined && hi !== undefined
          ? ` in [${bound(lo)}, ${bound(hi)}]`
          : lo !== undefined
            ? ` >= ${bound(lo)}`
            : hi !== undefined
              ? ` <= ${bound(hi)}`
              : "";
      const big = integerIsSafe(base) ? "" : ", int64 (a bigint beyond +-(2^53-1))";
      return `integer${range}${big}`;
    }
    case "real": {
      const { minReal: lo, maxReal: hi } = base;
      if (lo !== undefined && hi !== undefined) return `real in [${lo}, ${hi}]`;
      if (lo !== undefined) return `real >= ${lo}`;
      if (hi !== undefined) return `real <= ${hi}`;
      return "real";
    }
    case "string": {
      const { minLength: lo, maxLength: hi } = base;
      if (lo !== undefined && hi !== undefined) return `string of length ${lo}..${hi}`;
      if (lo !== undefined) return `string of length >= ${lo}`;
      if (hi !== undefined) return `string of length <= ${hi}`;
      return "string";
    }
    case "boolean":
      return "boolean";
    case "uuid":
      if (base.refTable === undefined) return "uuid";
      return `${base.refType === "weak" ? "weak" : "strong"} reference to ${base.refTable}`;
  }
}

function count(n: number): string {
  return n === Infinity ? "unlimited" : String(n);
}

/** A one-line summary of a column for its JSDoc: shape, base types, ranges, set sizes and flags. */
export function describeColumn(column: ColumnSchema): string {
  const { type } = column;
  let text: string;
  switch (columnKind(type)) {
    case "scalar":
      text = describeBase(type.key);
      break;
    case "optional":
      text = `optional ${describeBase(type.key)}; null when empty`;
      break;
    case "set":
      text = `set of ${count(type.min)}..${count(type.max)} ${describeBase(type.key)}`;
      break;
    case "map":
      text = `map of ${count(type.min)}..${count(type.max)} entries, ${describeBase(type.key)} -> ${describeBase(type.value!)}`;
      break;
  }
  const flags: string[] = [];
  if (!column.mutable) flags.push("immutable");
  if (column.ephemeral) flags.push("ephemeral (not persisted)");
  return flags.length > 0 ? `${text}; ${flags.join(", ")}.` : `${text}.`;
}
