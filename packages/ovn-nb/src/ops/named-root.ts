/**
 * Create / ensure of root rows identified by their "name" (switches, routers, port groups, address sets, load
 * balancers). Create is guarded by "no row has this name" (ALREADY_EXISTS, also under a concurrent create);
 * ensure converges an existing row (plain columns set when they differ, map pairs merged). Pure.
 */
import { insertedUuid, type TableModelBase } from "@ovnkit/ovsdb";
import { alreadyExists } from "../errors.js";
import { waitAbsent } from "./guards.js";
import { PlanBuilder, mapPlan, unchanged, type Plan } from "./plan.js";
import { editRowPlan, insertRow, type RowRef } from "./row-edit.js";

export interface NamedSpec {
  readonly name: string;
}

/** Inserts the row unless one has its name. Resolves to the new uuid. */
export function createNamedRootPlan(model: TableModelBase, what: string, spec: NamedSpec): Plan<string> {
  const b = new PlanBuilder();
  b.guard(waitAbsent(model, "name", spec.name), (e) => alreadyExists(what, spec.name, { table: model.table }, e));
  const at = b.add({ op: "insert", table: model.table, row: model.encodeInsert(insertRow(model, spec)) });
  return b.build((r) => insertedUuid(r[at]!));
}

/** Creates the row if `existing` is undefined, else converges it to `spec`. Resolves to the row's uuid. */
export function ensureNamedRootPlan(model: TableModelBase, what: string, existing: RowRef | undefined, spec: NamedSpec): Plan<string> {
  if (existing === undefined) return createNamedRootPlan(model, what, spec);
  const { name: _name, ...fields } = spec;
  const plan = editRowPlan(model, what, existing, { fields });
  return plan.ops.length === 0 ? unchanged(existing._uuid) : mapPlan(plan, () => existing._uuid);
}
