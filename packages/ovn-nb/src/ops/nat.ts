/**
 * NAT rules of a router (ovn-nbctl lr-nat-add / lr-nat-del / lr-nat-list; ovsdbapp lr_nat_add, lr_nat_del,
 * lr_nat_list). A rule is identified like ovn-nbctl does: snat by (type, logical_ip), dnat and
 * dnat_and_snat by (type, external_ip). Rules are children of the router's `nat`; every change is guarded
 * by that set being what was read (CONFLICT otherwise).
 */
import { insertedUuid } from "@ovnkit/ovsdb";
import { LogicalRouter, NAT } from "../generated/nb/index.js";
import type { InsertNAT, LogicalRouter as LogicalRouterRow, NAT as NatRow, NATType } from "../generated/nb/index.js";
import { alreadyExists, notFound } from "../errors.js";
import { guardChildren, insertChild, type ParentRef } from "./child.js";
import type { NbContext } from "./context.js";
import type { Ref } from "./entity.js";
import { requireRow, rowsOf } from "./lookup.js";
import type { WithStringMaps } from "./map-edit.js";
import { PlanBuilder, unchanged, type Plan } from "./plan.js";
import { addRowEdit, insertRow } from "./row-edit.js";

const WHAT = "NAT rule";

export type NatSpec = WithStringMaps<InsertNAT> & { type: NATType; external_ip: string; logical_ip: string };

/** Selects NAT rules: `ip` is the identifying address (logical_ip for snat, external_ip otherwise). */
export interface NatFilter {
  type?: NATType;
  ip?: string;
}

/** The address that identifies a rule of this type. */
export function natKeyIp(rule: Pick<NatRow, "type" | "external_ip" | "logical_ip">): string {
  return rule.type === "snat" ? rule.logical_ip : rule.external_ip;
}

export function natMatches(row: NatRow, f: NatFilter): boolean {
  if (f.type !== undefined && row.type !== f.type) return false;
  if (f.ip === undefined) return true;
  return f.type === undefined ? row.external_ip === f.ip || row.logical_ip === f.ip : natKeyIp(row) === f.ip;
}

function parentOf(lr: LogicalRouterRow): ParentRef {
  return { model: LogicalRouter, what: "logical router", row: lr, column: "nat" };
}

/** Adds a rule to `lr` (current rules `rules`); the same rule: ALREADY_EXISTS, or with mayExist converge it. */
export function addNatPlan(lr: LogicalRouterRow, rules: readonly NatRow[], spec: NatSpec, mayExist = false): Plan<string> {
  const same = rules.find((r) => r.type === spec.type && natKeyIp(r) === natKeyIp(spec));
  const b = new PlanBuilder();
  guardChildren(b, parentOf(lr));
  if (same !== undefined) {
    if (!mayExist) throw alreadyExists(WHAT, `${spec.type} ${natKeyIp(spec)}`, { table: "NAT", uuid: same._uuid });
    const { type: _t, ...fields } = spec;
    if (!addRowEdit(b, NAT, same, { fields })) return unchanged(same._uuid);
    return b.build(() => same._uuid);
  }
  const at = insertChild(b, parentOf(lr), NAT, insertRow(NAT, spec), "nat");
  return b.build((r) => insertedUuid(r[at]!));
}

export function deleteNatPlan(lr: LogicalRouterRow, victims: readonly NatRow[]): Plan<number> {
  if (victims.length === 0) return unchanged(0);
  const b = new PlanBuilder();
  guardChildren(b, parentOf(lr));
  b.add(LogicalRouter.op.mutate([LogicalRouter.where._uuid.eq(lr._uuid)], [LogicalRouter.mutate.nat.delete(victims.map((v) => v._uuid))]));
  return b.build(() => victims.length);
}

export class NatApi {
  constructor(private readonly ctx: NbContext) {}

  /** lr-nat-list. */
  list(router: Ref, filter: NatFilter = {}): NatRow[] {
    return rowsOf(this.ctx, "NAT", this.routerRow(router).nat).filter((r) => natMatches(r, filter));
  }

  /** lr-nat-add: ALREADY_EXISTS for the same rule unless mayExist. */
  async add(router: Ref, spec: NatSpec, options: { mayExist?: boolean } = {}): Promise<NatRow> {
    const lr = this.routerRow(router);
    const uuid = await this.ctx.run(addNatPlan(lr, this.list(lr), spec, options.mayExist));
    return this.ctx.table("NAT").get(uuid)!;
  }

  /** lr-nat-del: every rule matching `filter` ({} = all). NOT_FOUND when an ip matches none, unless ifExists. */
  async delete(router: Ref, filter: NatFilter = {}, options: { ifExists?: boolean } = {}): Promise<number> {
    const lr = this.routerRow(router);
    const victims = this.list(lr, filter);
    if (victims.length === 0 && filter.ip !== undefined && options.ifExists !== true) {
      throw notFound(WHAT, `${filter.type ?? "any"} ${filter.ip}`, { table: "NAT", router: lr.name });
    }
    return this.ctx.run(deleteNatPlan(lr, victims));
  }

  private routerRow(router: Ref): LogicalRouterRow {
    return requireRow(this.ctx, "Logical_Router", "logical router", typeof router === "string" ? router : router._uuid);
  }
}
