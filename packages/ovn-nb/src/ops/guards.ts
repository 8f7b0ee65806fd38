/**
 * Guards: "wait" operations (RFC 7047 5.2.6) with timeout 0 that make the server abort the whole transaction
 * when the state it was built from no longer holds. The server reports the failed wait as "timed out" at its
 * index; the plan maps that index to a typed error (plan.ts).
 */
import { waitOp, type TableModelBase, type WaitOp } from "@ovnkit/ovsdb";

/** The row with this uuid exists. */
export function waitExists(model: TableModelBase, uuid: string): WaitOp {
  return waitOp(model.table, [model.condition("_uuid", "==", uuid)], [], "==", [{}], { timeout: 0 });
}

/** No row has `column` == `value` (e.g. no switch is named "ls1"). */
export function waitAbsent(model: TableModelBase, column: string, value: unknown): WaitOp {
  return waitOp(model.table, [model.condition(column, "==", value)], [], "==", [], { timeout: 0 });
}

/** The row still exists and its `columns` still hold the values of `row` (a TYPED row as read). */
export function waitUnchanged(model: TableModelBase, row: { readonly _uuid: string }, columns: readonly string[]): WaitOp {
  const values: Record<string, unknown> = {};
  for (const c of columns) values[c] = (row as unknown as Record<string, unknown>)[c];
  return waitOp(model.table, [model.condition("_uuid", "==", row._uuid)], columns, "==", [model.encodeInsert(values)], { timeout: 0 });
}
