/**
 * Plans that edit one existing row (pure). One guard (the row still exists, else NOT_FOUND), then at most one
 * "update" (plain columns whose value differs) and one "mutate" (map keys set/removed, set elements added/
 * removed), so keys and elements this call does not name survive whoever wrote them. An edit that changes
 * nothing is an empty plan (no transaction).
 */
import type { Mutation, TableModelBase } from "@ovnkit/ovsdb";
import { notFound } from "../errors.js";
import { waitExists } from "./guards.js";
import { differingPairs, presentKeys, removeKeys, setPairs, toMap, type StringMap } from "./map-edit.js";
import { PlanBuilder, unchanged, type Plan } from "./plan.js";

export interface RowRef {
  readonly _uuid: string;
}

/** Equality of TYPED column values: sets compare as sets, maps by entries, integers across number/bigint. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const sa = a.map(String).sort();
    const sb = b.map(String).sort();
    return sa.every((x, i) => x === sb[i]);
  }
  const isInt = (x: unknown) => typeof x === "bigint" || Number.isInteger(x);
  if ((typeof a === "bigint" || typeof b === "bigint") && isInt(a) && isInt(b)) return BigInt(a as number) === BigInt(b as number);
  return false;
}

export interface RowChanges {
  /**
   * Column values (schema names, typed). Map columns (given as a Map or a plain object) are MERGED: the
   * pairs given are set, other keys kept. Other columns are set when their value differs.
   */
  fields?: object;
  /** Map keys to remove, by column. */
  removeKeys?: Readonly<Record<string, readonly string[]>>;
  /** Set elements to add, by column. */
  addElements?: Readonly<Record<string, readonly unknown[]>>;
  /** Set elements to remove, by column. */
  removeElements?: Readonly<Record<string, readonly unknown[]>>;
}

function isMapColumn(model: TableModelBase, column: string): boolean {
  return model.column(column).type.value !== undefined;
}

function keyOf(row: RowRef): string {
  const name = (row as { name?: unknown }).name;
  return typeof name === "string" && name !== "" ? name : row._uuid;
}

/** The "update" row and "mutate" mutations that bring `row` to `changes` (both empty when nothing differs). */
export function rowDiff(model: TableModelBase, row: RowRef, changes: RowChanges): { update: Record<string, unknown>; mutations: Mutation[] } {
  const current = row as unknown as Record<string, unknown>;
  const update: Record<string, unknown> = {};
  const mutations: Mutation[] = [];
  const setByColumn = new Map<string, Map<string, string>>();
  for (const [column, value] of Object.entries(changes.fields ?? {})) {
    if (value === undefined) continue;
    if (isMapColumn(model, column)) {
      const changed = differingPairs(current[column] as ReadonlyMap<string, string>, value as StringMap);
      setByColumn.set(column, changed);
    } else if (!sameValue(current[column], value)) {
      update[column] = value;
    }
  }
  const columns = new Set([...setByColumn.keys(), ...Object.keys(changes.removeKeys ?? {})]);
  for (const column of columns) {
    const changed = setByColumn.get(column) ?? new Map<string, string>();
    const gone = presentKeys(current[column] as ReadonlyMap<string, string>, changes.removeKeys?.[column] ?? []).filter((k) => !changed.has(k));
    mutations.push(...removeKeys(model, column, gone), ...setPairs(model, column, changed));
  }
  const elementColumns = new Set([...Object.keys(changes.addElements ?? {}), ...Object.keys(changes.removeElements ?? {})]);
  for (const column of elementColumns) {
    const have = new Set(((current[column] as readonly unknown[] | null) ?? []).map(String));
    const toRemove = [...new Set(changes.removeElements?.[column] ?? [])].filter((x) => have.has(String(x)));
    const toAdd = [...new Set(changes.addElements?.[column] ?? [])].filter((x) => !have.has(String(x)));
    if (toRemove.length > 0) mutations.push(model.mutation(column, "delete", toRemove));
    if (toAdd.length > 0) mutations.push(model.mutation(column, "insert", toAdd));
  }
  return { update, mutations };
}

/** The existence guard of an edit of `row`: NOT_FOUND when it vanished before the transaction ran. */
export function guardExists(b: PlanBuilder, model: TableModelBase, what: string, row: RowRef): void {
  b.guard(waitExists(model, row._uuid), (e) => notFound(what, keyOf(row), { table: model.table, uuid: row._uuid }, e));
}

/** Adds the operations of `changes` on `row` to `b` (no guard); returns whether anything was added. */
export function addRowEdit(b: PlanBuilder, model: TableModelBase, row: RowRef, changes: RowChanges): boolean {
  const { update, mutations } = rowDiff(model, row, changes);
  const where = [model.condition("_uuid", "==", row._uuid)];
  const hasUpdate = Object.keys(update).length > 0;
  if (hasUpdate) b.add({ op: "update", table: model.table, where, row: model.encodeUpdate(update) });
  if (mutations.length > 0) b.add({ op: "mutate", table: model.table, where, mutations });
  return hasUpdate || mutations.length > 0;
}

/** The plan of `changes` on `row`; resolves true when something was written, false for an empty plan. */
export function editRowPlan(model: TableModelBase, what: string, row: RowRef, changes: RowChanges): Plan<boolean> {
  const b = new PlanBuilder();
  guardExists(b, model, what, row);
  if (!addRowEdit(b, model, row, changes)) return unchanged(false);
  return b.build(() => true);
}

/**
 * Deletes a root row (children it references strongly are garbage-collected by the server). Guarded (NOT_FOUND
 * if it vanished first) unless `ifExists`.
 */
export function deleteRowPlan(model: TableModelBase, what: string, row: RowRef, ifExists = false): Plan<boolean> {
  const b = new PlanBuilder();
  if (!ifExists) guardExists(b, model, what, row);
  b.add({ op: "delete", table: model.table, where: [model.condition("_uuid", "==", row._uuid)] });
  return b.build(() => true);
}

/** A TYPED insert row from a spec: map columns given as plain objects become Maps. */
export function insertRow(model: TableModelBase, spec: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    out[column] = isMapColumn(model, column) ? toMap(value as StringMap) : value;
  }
  return out;
}
