/**
 * Non-root rows (Logical_Switch_Port, Logical_Router_Port, ACL, NAT, static routes...) exist only while a
 * parent references them: the server garbage-collects an unreferenced one at commit. So a child is inserted
 * with a uuid-name and, in the SAME transaction, added to its parent's set by mutate; it is removed by
 * deleting it from its parent's set (the server then deletes the row). Pure builders.
 */
import type { TableModelBase } from "@ovnkit/ovsdb";
import { conflict } from "../errors.js";
import { waitUnchanged } from "./guards.js";
import { guardExists, type RowRef } from "./row-edit.js";
import type { PlanBuilder } from "./plan.js";

export interface ParentRef {
  readonly model: TableModelBase;
  /** For errors ("logical switch"). */
  readonly what: string;
  readonly row: RowRef;
  /** The parent's set column that holds the children ("ports", "acls", "nat", "static_routes"...). */
  readonly column: string;
}

/**
 * Appends: the parent's existence guard (NOT_FOUND), the insert of `row` into `model`, and the mutate that
 * adds it to the parent. Returns the index of the insert (its result carries the new uuid).
 */
export function addChild(b: PlanBuilder, parent: ParentRef, model: TableModelBase, row: Record<string, unknown>, prefix: string): number {
  guardExists(b, parent.model, parent.what, parent.row);
  return insertChild(b, parent, model, row, prefix);
}

/**
 * Appends the mutate that removes child `uuid` from every row of the parent table holding it in `column`
 * (the server then garbage-collects the child). Returns its index (result count = number of parents).
 */
export function removeChild(b: PlanBuilder, parentModel: TableModelBase, column: string, uuid: string): number {
  return b.add({
    op: "mutate",
    table: parentModel.table,
    where: [parentModel.condition(column, "includes", [uuid])],
    mutations: [parentModel.mutation(column, "delete", [uuid])],
  });
}

/**
 * Guards for a change built from the parent's current children: the parent exists (NOT_FOUND) and its
 * `column` still holds the children that were read (CONFLICT: someone added or removed one meanwhile).
 */
export function guardChildren(b: PlanBuilder, parent: ParentRef): void {
  guardExists(b, parent.model, parent.what, parent.row);
  const key = (parent.row as { name?: string }).name || parent.row._uuid;
  b.guard(waitUnchanged(parent.model, parent.row, [parent.column]), (e) => conflict(parent.what, key, e));
}

/** Appends the insert of a child and the mutate adding it to the parent, without guards. Returns the insert index. */
export function insertChild(b: PlanBuilder, parent: ParentRef, model: TableModelBase, row: Record<string, unknown>, prefix: string): number {
  const name = b.name(prefix);
  const at = b.add({ op: "insert", table: model.table, row: model.encodeInsert(row), "uuid-name": name.name });
  b.add({
    op: "mutate",
    table: parent.model.table,
    where: [parent.model.condition("_uuid", "==", parent.row._uuid)],
    mutations: [parent.model.mutation(parent.column, "insert", [name])],
  });
  return at;
}
