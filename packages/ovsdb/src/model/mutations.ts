/**
 * Typed mutation helpers of a table model: `Model.mutate.<column>.insert(value)` -> a wire Mutation.
 * Only mutable columns have helpers. Values are validated and encoded by protocol/mutations.ts typedMutation
 * (OvsdbError "VALIDATION_ERROR"), with the argument types ovsdb-server expects (ovsdb/mutation.c):
 *   "+=" "-=" "*=" "/=" "%=": integer or real columns (scalar, optional or set; "%=" integers only), the
 *     argument is one atom without the column's range constraints;
 *   "insert": sets (incl. optional) and maps, argument of the column's type with no minimum size;
 *   "delete": sets and maps, argument of any size; on a map also a set of keys.
 */
import { columnKind } from "../protocol/datum.js";
import { MUTATORS, mutationValueType, typedMutation } from "../protocol/mutations.js";
import type { Mutation, Mutator } from "../protocol/operations.js";
import type { ColumnType, TableSchema } from "../protocol/schema.js";
import type { ElementOf, IsNumeric, MapKeyOf, Present, ShapeOf } from "./value-types.js";

export interface ArithmeticMutations<E> {
  /** [column, "+=", value] (applied to every element of a set) */
  add(value: E): Mutation;
  /** [column, "-=", value] */
  subtract(value: E): Mutation;
  /** [column, "*=", value] */
  multiply(value: E): Mutation;
  /** [column, "/=", value] (not zero) */
  divide(value: E): Mutation;
  /** [column, "%=", value] (integer columns only, not zero) */
  modulo(value: E): Mutation;
}

export interface SetMutations<E> {
  /** [column, "insert", elements]: adds the elements (the result must respect the column's maximum size). */
  insert(value: E | readonly E[]): Mutation;
  /** [column, "delete", elements]: removes the elements that are present. */
  delete(value: E | readonly E[]): Mutation;
}

export interface MapMutations<W> {
  /** [column, "insert", map]: adds the pairs whose key is not present yet (existing keys keep their value). */
  insert(value: W): Mutation;
  /** [column, "delete", map | keys]: removes the pairs that match exactly, or every pair with one of the keys. */
  delete(value: W | readonly MapKeyOf<W>[]): Mutation;
}

export type ColumnMutations<W> =
  ShapeOf<W> extends "map"
    ? MapMutations<W>
    : ShapeOf<W> extends "scalar"
      ? IsNumeric<W> extends true
        ? ArithmeticMutations<ElementOf<W>>
        : never
      : SetMutations<ElementOf<W>> & (IsNumeric<W> extends true ? ArithmeticMutations<ElementOf<W>> : unknown);

/** `mutate` of a table model: one entry per mutable column that has a mutator (see ColumnMutations). */
export type MutateHelpers<Upd> = {
  readonly [K in keyof Upd as [ColumnMutations<Present<Upd[K]>>] extends [never] ? never : K]-?: ColumnMutations<
    Present<Upd[K]>
  >;
};

const METHOD: Record<Mutator, string> = {
  "+=": "add",
  "-=": "subtract",
  "*=": "multiply",
  "/=": "divide",
  "%=": "modulo",
  insert: "insert",
  delete: "delete",
};

/** The mutators a column supports (none when it is immutable). */
export function mutatorsOf(type: ColumnType, mutable: boolean): Mutator[] {
  if (!mutable) return [];
  return MUTATORS.filter((m) => typeof mutationValueType(type, m) !== "string");
}

/**
 * Adapts a set argument to the shape typedMutation expects: a set takes an array (one element may be given
 * bare); the argument of "insert" into an optional column is one atom or null.
 */
function asArgument(type: ColumnType, mutator: Mutator, value: unknown): unknown {
  if ((mutator !== "insert" && mutator !== "delete") || type.value !== undefined) return value;
  const t = mutationValueType(type, mutator);
  if (typeof t === "string") return value;
  const kind = columnKind(t);
  if (kind === "set" && !Array.isArray(value) && !(value instanceof Set)) return [value];
  if (kind === "optional" && Array.isArray(value) && value.length <= 1) return value.length === 0 ? null : value[0];
  return value;
}

/** The runtime helper object of one column (only the mutators it supports), or undefined when it has none. */
export function columnMutations(
  table: TableSchema,
  column: string,
): Readonly<Record<string, (value: unknown) => Mutation>> | undefined {
  const col = table.columns.get(column)!;
  const mutators = mutatorsOf(col.type, col.mutable);
  if (mutators.length === 0) return undefined;
  const helpers: Record<string, (value: unknown) => Mutation> = {};
  for (const m of mutators) {
    helpers[METHOD[m]] = (value: unknown) => typedMutation(table, column, m, asArgument(col.type, m, value));
  }
  return Object.freeze(helpers);
}
