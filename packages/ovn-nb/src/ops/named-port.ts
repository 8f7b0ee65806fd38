/**
 * Create / ensure / delete of ports (Logical_Switch_Port, Logical_Router_Port): non-root rows with a unique
 * name, held in the `ports` set of exactly one parent (a switch or a router). Create is guarded by "no port has
 * this name" (ALREADY_EXISTS) and "the parent exists" (NOT_FOUND); ensure converges a port of this parent and
 * refuses one of another parent; delete removes the port from whichever parent holds it. Pure.
 */
import { insertedUuid, type TableModelBase } from "@ovnkit/ovsdb";
import { alreadyExists } from "../errors.js";
import { addChild, removeChild } from "./child.js";
import { waitAbsent } from "./guards.js";
import { PlanBuilder, unchanged, type Plan } from "./plan.js";
import { addRowEdit, guardExists, insertRow, type RowRef } from "./row-edit.js";

/** One kind of port and its parent table. */
export interface PortKind {
  readonly model: TableModelBase;
  /** For errors ("logical switch port"). */
  readonly what: string;
  readonly parentModel: TableModelBase;
  /** For errors ("logical switch"). */
  readonly parentWhat: string;
  /** Names the parent in ALREADY_EXISTS details and reasons ("switch", "router"). */
  readonly parentKey: string;
  /** uuid-name prefix of the insert ("lsp"). */
  readonly prefix: string;
}

/** A parent row as read from the replica: its name and the uuids in its `ports` set. */
export interface PortParent extends RowRef {
  readonly name: string;
  readonly ports: readonly string[];
}

/** Guards "no port of this kind is named `name`" (ALREADY_EXISTS, also under a concurrent create). */
export function guardPortNameFree(b: PlanBuilder, kind: PortKind, name: string): void {
  b.guard(waitAbsent(kind.model, "name", name), (e) => alreadyExists(kind.what, name, { table: kind.model.table }, e));
}

/** Appends the parent's existence guard, the insert of `row` and its addition to the parent's ports. Returns the insert index. */
export function addPort(b: PlanBuilder, kind: PortKind, parent: PortParent, row: Record<string, unknown>): number {
  return addChild(b, { model: kind.parentModel, what: kind.parentWhat, row: parent, column: "ports" }, kind.model, row, kind.prefix);
}

/** Inserts the port into `parent` (guards: the parent exists, no port has the name). Resolves to the new uuid. */
export function createPortPlan(kind: PortKind, parent: PortParent, spec: { name: string }): Plan<string> {
  const b = new PlanBuilder();
  guardPortNameFree(b, kind, spec.name);
  const at = addPort(b, kind, parent, insertRow(kind.model, spec));
  return b.build((r) => insertedUuid(r[at]!));
}

/**
 * Creates the port in `parent` if `existing` is undefined; if it is a port of `parent`, sets the plain columns
 * of `spec` that differ and merges its map pairs (other keys kept); ALREADY_EXISTS if it belongs to another
 * parent. Empty plan when nothing differs. Resolves to the port's uuid.
 */
export function ensurePortPlan(kind: PortKind, parent: PortParent, existing: RowRef | undefined, spec: { name: string }): Plan<string> {
  if (existing === undefined) return createPortPlan(kind, parent, spec);
  if (!parent.ports.includes(existing._uuid)) {
    throw alreadyExists(kind.what, spec.name, {
      table: kind.model.table,
      reason: `the port belongs to another ${kind.parentKey}`,
      [kind.parentKey]: parent.name,
    });
  }
  const { name: _name, ...fields } = spec;
  const b = new PlanBuilder();
  guardExists(b, kind.model, kind.what, existing);
  if (!addRowEdit(b, kind.model, existing, { fields })) return unchanged(existing._uuid);
  return b.build(() => existing._uuid);
}

/** Removes the port from its parent (the server deletes the row). Guarded unless `ifExists`. Resolves true when removed. */
export function deletePortPlan(kind: PortKind, port: RowRef, ifExists = false): Plan<boolean> {
  const b = new PlanBuilder();
  if (!ifExists) guardExists(b, kind.model, kind.what, port);
  const at = removeChild(b, kind.parentModel, "ports", port._uuid);
  return b.build((r) => (r[at]!.count ?? 0) > 0);
}
