/**
 * ACLs of a logical switch or a port group (ovn-nbctl acl-add / acl-del / acl-list, --type=switch|port-group;
 * ovsdbapp acl_add, acl_del, acl_list, pg_acl_add, pg_acl_del). An ACL is identified by (direction, priority,
 * match), as acl-add does. ACLs are children of the parent's `acls`; every change is guarded by that set
 * being what was read (CONFLICT otherwise).
 */
import { insertedUuid } from "@ovnkit/ovsdb";
import { ACL, LogicalSwitch, PortGroup } from "../generated/nb/index.js";
import type { ACLDirection, ACL as AclRow, InsertACL } from "../generated/nb/index.js";
import { alreadyExists, notFound } from "../errors.js";
import { guardChildren, insertChild, type ParentRef } from "./child.js";
import type { NbContext } from "./context.js";
import type { Ref } from "./entity.js";
import { requireRow, rowsOf } from "./lookup.js";
import type { WithStringMaps } from "./map-edit.js";
import { PlanBuilder, unchanged, type Plan } from "./plan.js";
import { addRowEdit, insertRow, type RowRef } from "./row-edit.js";

const WHAT = "ACL";

export type AclSpec = WithStringMaps<InsertACL> & { direction: ACLDirection; priority: number; match: string; action: NonNullable<InsertACL["action"]> };

/** Where ACLs live: a logical switch or a port group (by name, uuid or row). */
export type AclTarget = { switch: Ref } | { portGroup: Ref };

/** Selects ACLs: every given field must match. */
export interface AclFilter {
  direction?: ACLDirection;
  priority?: number;
  match?: string;
}

export function aclMatches(row: AclRow, f: AclFilter): boolean {
  return (
    (f.direction === undefined || row.direction === f.direction) &&
    (f.priority === undefined || row.priority === f.priority) &&
    (f.match === undefined || row.match === f.match)
  );
}

/** Adds an ACL to `parent` (current ACLs `acls`); the same (direction, priority, match): ALREADY_EXISTS, or converge with mayExist. */
export function addAclPlan(parent: ParentRef, acls: readonly AclRow[], spec: AclSpec, mayExist = false): Plan<string> {
  const same = acls.find((a) => aclMatches(a, { direction: spec.direction, priority: spec.priority, match: spec.match }));
  const b = new PlanBuilder();
  guardChildren(b, parent);
  if (same !== undefined) {
    if (!mayExist) throw alreadyExists(WHAT, `${spec.direction} ${spec.priority} ${spec.match}`, { table: "ACL", uuid: same._uuid });
    const { direction: _d, priority: _p, match: _m, ...fields } = spec;
    if (!addRowEdit(b, ACL, same, { fields })) return unchanged(same._uuid);
    return b.build(() => same._uuid);
  }
  const at = insertChild(b, parent, ACL, insertRow(ACL, spec), "acl");
  return b.build((r) => insertedUuid(r[at]!));
}

export function deleteAclsPlan(parent: ParentRef, victims: readonly AclRow[]): Plan<number> {
  if (victims.length === 0) return unchanged(0);
  const b = new PlanBuilder();
  guardChildren(b, parent);
  b.add({
    op: "mutate",
    table: parent.model.table,
    where: [parent.model.condition("_uuid", "==", parent.row._uuid)],
    mutations: [parent.model.mutation("acls", "delete", victims.map((v) => v._uuid))],
  });
  return b.build(() => victims.length);
}

export class AclApi {
  constructor(private readonly ctx: NbContext) {}

  /** acl-list: the target's ACLs (matching `filter`), by direction then descending priority. */
  list(target: AclTarget, filter: AclFilter = {}): AclRow[] {
    const parent = this.parent(target);
    return rowsOf(this.ctx, "ACL", (parent.row as RowRef & { acls: readonly string[] }).acls)
      .filter((a) => aclMatches(a, filter))
      .sort((a, b) => a.direction.localeCompare(b.direction) || b.priority - a.priority || a.match.localeCompare(b.match));
  }

  /** acl-add: ALREADY_EXISTS for the same (direction, priority, match) unless mayExist. */
  async add(target: AclTarget, spec: AclSpec, options: { mayExist?: boolean } = {}): Promise<AclRow> {
    const parent = this.parent(target);
    const uuid = await this.ctx.run(addAclPlan(parent, this.list(target), spec, options.mayExist));
    return this.ctx.table("ACL").get(uuid)!;
  }

  /** acl-del: every ACL matching `filter` ({} = all). NOT_FOUND when a non-empty filter matches none, unless ifExists. */
  async delete(target: AclTarget, filter: AclFilter = {}, options: { ifExists?: boolean } = {}): Promise<number> {
    const parent = this.parent(target);
    const victims = this.list(target, filter);
    if (victims.length === 0 && Object.keys(filter).length > 0 && options.ifExists !== true) {
      throw notFound(WHAT, JSON.stringify(filter), { table: "ACL" });
    }
    return this.ctx.run(deleteAclsPlan(parent, victims));
  }

  private parent(target: AclTarget): ParentRef {
    const key = (r: Ref) => (typeof r === "string" ? r : r._uuid);
    if ("switch" in target) {
      return { model: LogicalSwitch, what: "logical switch", row: requireRow(this.ctx, "Logical_Switch", "logical switch", key(target.switch)), column: "acls" };
    }
    return { model: PortGroup, what: "port group", row: requireRow(this.ctx, "Port_Group", "port group", key(target.portGroup)), column: "acls" };
  }
}
