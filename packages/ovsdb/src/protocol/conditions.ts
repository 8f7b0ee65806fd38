/**
 * RFC 7047 section 5.1 <condition>: [column, function, value] (plus `true` / `false`, accepted by OVS since
 * monitor_cond). Wire builders take wire values or notation values (Uuid, OvsdbSet, OvsdbMap...);
 * the schema-aware `typedCondition` takes a TYPED value and encodes it with the datum codec.
 */
import { encodeDatum } from "./datum.js";
import { OvsdbError } from "./errors.js";
import { NamedUuid, OvsdbMap, OvsdbSet, Uuid, encodeValue, type Value, type WireValue } from "./notation.js";
import type { Condition, ConditionFunction } from "./operations.js";
import { columnOf, type ColumnType, type TableSchema } from "./schema.js";

export const CONDITION_FUNCTIONS: readonly ConditionFunction[] = ["<", "<=", "==", "!=", ">=", ">", "includes", "excludes"];

/** A wire value, or a notation value (Uuid, NamedUuid, OvsdbSet, OvsdbMap) to be encoded. */
export type WireOrValue = WireValue | Value;

/** Encodes notation class instances to wire form; wire values pass through unchanged. */
export function toWire(v: WireOrValue): WireValue {
  if (v instanceof Uuid || v instanceof NamedUuid || v instanceof OvsdbSet || v instanceof OvsdbMap) {
    return encodeValue(v);
  }
  return v as WireValue;
}

export function isConditionFunction(f: unknown): f is ConditionFunction {
  return typeof f === "string" && (CONDITION_FUNCTIONS as readonly string[]).includes(f);
}

/** [column, function, value] */
export function condition(column: string, fn: ConditionFunction, value: WireOrValue): Condition {
  if (!isConditionFunction(fn)) {
    throw new OvsdbError("VALIDATION_ERROR", `unknown condition function ${JSON.stringify(fn)}`, {
      details: { column, expected: CONDITION_FUNCTIONS.join(" "), got: String(fn) },
    });
  }
  return [column, fn, toWire(value)];
}

export const eq = (column: string, value: WireOrValue): Condition => condition(column, "==", value);
export const ne = (column: string, value: WireOrValue): Condition => condition(column, "!=", value);
export const lt = (column: string, value: WireOrValue): Condition => condition(column, "<", value);
export const le = (column: string, value: WireOrValue): Condition => condition(column, "<=", value);
export const gt = (column: string, value: WireOrValue): Condition => condition(column, ">", value);
export const ge = (column: string, value: WireOrValue): Condition => condition(column, ">=", value);
export const includes = (column: string, value: WireOrValue): Condition => condition(column, "includes", value);
export const excludes = (column: string, value: WireOrValue): Condition => condition(column, "excludes", value);

/** ["_uuid", "==", ["uuid", <uuid>]]: the condition that selects one row by its uuid. */
export function whereUuid(uuid: string | Uuid | NamedUuid): Condition {
  if (uuid instanceof NamedUuid) return ["_uuid", "==", uuid.toJSON()];
  return ["_uuid", "==", (uuid instanceof Uuid ? uuid : new Uuid(uuid)).toJSON()];
}

/** The condition that is always true (matches every row) / always false. */
export const TRUE_CONDITION: Condition = true;
export const FALSE_CONDITION: Condition = false;

/**
 * The type a condition's value must have for a column type and function (OVS ovsdb/condition.c):
 * <, <=, >, >= only on integer/real scalars or optional scalars; "includes" on a set/map relaxes min to 0;
 * "excludes" relaxes min to 0 and max to unlimited. Returns a string describing the mismatch otherwise.
 */
export function conditionValueType(type: ColumnType, fn: ConditionFunction): ColumnType | string {
  const scalar = type.value === undefined && type.max === 1 && type.min === 1;
  const optionalScalar = type.value === undefined && type.max === 1 && type.min === 0;
  switch (fn) {
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (!(scalar || optionalScalar) || (type.key.type !== "integer" && type.key.type !== "real")) {
        return `"${fn}" applies only to integer or real columns holding at most one value`;
      }
      // the value is always one atom (an optional column's empty value never matches these)
      return { key: type.key, min: 1, max: 1 };
    case "==":
    case "!=":
      return type;
    case "includes":
      return scalar ? type : { ...type, min: 0 };
    case "excludes":
      return scalar ? type : { ...type, min: 0, max: Infinity };
  }
}

/** Builds a condition from a TYPED value, encoding and validating it against the table schema. */
export function typedCondition(table: TableSchema, column: string, fn: ConditionFunction, value: unknown): Condition {
  const col = columnOf(table, column);
  if (col === undefined) {
    throw new OvsdbError("VALIDATION_ERROR", `${table.name}: no column ${column}`, {
      details: { table: table.name, column, expected: "a column of the table", got: "unknown column" },
    });
  }
  if (!isConditionFunction(fn)) return condition(column, fn, null as never);
  const t = conditionValueType(col.type, fn);
  if (typeof t === "string") {
    throw new OvsdbError("VALIDATION_ERROR", `${table.name}.${column}: ${t}`, {
      details: { table: table.name, column, expected: t, got: fn },
    });
  }
  return [column, fn, encodeDatum(t, value, { table: table.name, column })];
}
