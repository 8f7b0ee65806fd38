/**
 * Editing map columns (options, external_ids, other_config...) with "mutate", so that keys this call does not
 * name are kept whoever wrote them: setting pairs = "delete" their keys then "insert" the pairs (insert alone
 * keeps an existing key's old value, RFC 7047 5.1); removing = "delete" by keys. Pure.
 */
import type { Mutation, TableModelBase } from "@ovnkit/ovsdb";

/** A string map given as a Map or a plain object. */
export type StringMap = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export function toMap(m: StringMap | undefined): Map<string, string> {
  if (m === undefined) return new Map();
  return m instanceof Map ? new Map(m) : new Map(Object.entries(m as Record<string, string>));
}

/** Mutations that set `pairs` in map `column`, other keys untouched ([] when there is nothing to set). */
export function setPairs(model: TableModelBase, column: string, pairs: StringMap): Mutation[] {
  const m = toMap(pairs);
  if (m.size === 0) return [];
  return [model.mutation(column, "delete", [...m.keys()]), model.mutation(column, "insert", m)];
}

/** Mutation that removes `keys` from map `column` ([] when there is none). */
export function removeKeys(model: TableModelBase, column: string, keys: Iterable<string>): Mutation[] {
  const k = [...new Set(keys)];
  return k.length === 0 ? [] : [model.mutation(column, "delete", k)];
}

/** The pairs of `wanted` that `current` does not hold with the same value. */
export function differingPairs(current: ReadonlyMap<string, string>, wanted: StringMap | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of toMap(wanted)) if (current.get(k) !== v) out.set(k, v);
  return out;
}

/** The keys of `keys` that `current` holds. */
export function presentKeys(current: ReadonlyMap<string, string>, keys: Iterable<string>): string[] {
  return [...new Set(keys)].filter((k) => current.has(k));
}

/** An insert/update type whose map columns also accept plain objects. */
export type WithStringMaps<T> = {
  [K in keyof T]: NonNullable<T[K]> extends ReadonlyMap<string, string> ? StringMap | Extract<T[K], undefined> : T[K];
};
