/**
 * Typed condition helpers of a table model: `Model.where.<column>.eq(value)` -> a wire Condition.
 * Values are validated and encoded by protocol/conditions.ts typedCondition (OvsdbError "VALIDATION_ERROR",
 * nothing is built), with the relaxations ovsdb-server applies: "includes" on a set or map accepts fewer
 * elements than the column's minimum (here also a single element of a set), "excludes" any number; "<", "<=",
 * ">", ">=" exist only on integer or real columns holding at most one value, compared with one atom.
 */
import { conditionValueType, typedCondition } from "../protocol/conditions.js";
import { columnKind } from "../protocol/datum.js";
import type { NamedUuid } from "../protocol/notation.js";
import type { Condition, ConditionFunction } from "../protocol/operations.js";
import { columnOf } from "../protocol/schema.js";
import type { ColumnType, TableSchema } from "../protocol/schema.js";
import type { ElementOf, IsNumeric, Present, ShapeOf } from "./value-types.js";

/** What includes/excludes accept: a subset of the column's value (a single element for a set). */
export type SubsetOf<W> = ShapeOf<W> extends "set" ? W | ElementOf<W> : W;

export interface EqualityConditions<W> {
  /** [column, "==", value] */
  eq(value: W): Condition;
  /** [column, "!=", value] */
  ne(value: W): Condition;
  /** [column, "includes", value]: the column's value contains every element (or map pair) of `value`. */
  includes(value: SubsetOf<W>): Condition;
  /** [column, "excludes", value]: the column's value contains no element (or map pair) of `value`. */
  excludes(value: SubsetOf<W>): Condition;
}

export interface OrderingConditions<E> {
  /** [column, "<", value] */
  lt(value: E): Condition;
  /** [column, "<=", value] */
  le(value: E): Condition;
  /** [column, ">", value] */
  gt(value: E): Condition;
  /** [column, ">=", value] */
  ge(value: E): Condition;
}

export type ColumnConditions<W> = EqualityConditions<W> &
  (IsNumeric<W> extends true
    ? ShapeOf<W> extends "scalar" | "optional"
      ? OrderingConditions<ElementOf<W>>
      : unknown
    : unknown);

/** `where` of a table model: one entry per column of Insert<Table>, plus _uuid and _version. */
export type WhereHelpers<Ins> = {
  readonly [K in keyof Ins]-?: ColumnConditions<Present<Ins[K]>>;
} & {
  readonly _uuid: ColumnConditions<string | NamedUuid>;
  readonly _version: ColumnConditions<string>;
};

/** True when a column supports the ordering functions (integer or real, at most one value). */
export function isOrdered(type: ColumnType): boolean {
  return typeof conditionValueType(type, "<") !== "string";
}

/** Lets includes/excludes on a set take a single element. */
function asSubset(type: ColumnType, fn: ConditionFunction, value: unknown): unknown {
  if ((fn === "includes" || fn === "excludes") && columnKind(type) === "set" && !Array.isArray(value)) return [value];
  return value;
}

/** The runtime helper object of one column (only the functions the column supports). */
export function columnConditions(table: TableSchema, column: string): Readonly<Record<string, (value: unknown) => Condition>> {
  const col = columnOf(table, column)!;
  const make = (fn: ConditionFunction) => (value: unknown) => typedCondition(table, column, fn, asSubset(col.type, fn, value));
  const helpers: Record<string, (value: unknown) => Condition> = {
    eq: make("=="),
    ne: make("!="),
    includes: make("includes"),
    excludes: make("excludes"),
  };
  if (isOrdered(col.type)) {
    helpers.lt = make("<");
    helpers.le = make("<=");
    helpers.gt = make(">");
    helpers.ge = make(">=");
  }
  return Object.freeze(helpers);
}
