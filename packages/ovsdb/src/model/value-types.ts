/**
 * Type-level helpers that read a column's shape from its TYPED written value type W (as generated in
 * Insert<Table>): ReadonlyMap -> map, readonly array -> set, includes null -> optional, else scalar.
 */

/** Column value shapes, as in protocol/datum.ts columnKind. */
export type ShapeOf<W> = [W] extends [ReadonlyMap<unknown, unknown>]
  ? "map"
  : [W] extends [readonly unknown[]]
    ? "set"
    : null extends W
      ? "optional"
      : "scalar";

/** The element (atom) type of a set, optional or scalar value type. */
export type ElementOf<W> = W extends ReadonlyMap<unknown, unknown> ? never : W extends readonly (infer E)[] ? E : Exclude<W, null>;

export type MapKeyOf<W> = W extends ReadonlyMap<infer K, unknown> ? K : never;
export type MapValueOf<W> = W extends ReadonlyMap<unknown, infer V> ? V : never;

/** True when every atom of W is a number or bigint (integer or real columns). */
export type IsNumeric<W> = [ElementOf<W>] extends [never] ? false : [ElementOf<W>] extends [number | bigint] ? true : false;

/** A property's type without the `undefined` of an optional property. */
export type Present<T> = Exclude<T, undefined>;
