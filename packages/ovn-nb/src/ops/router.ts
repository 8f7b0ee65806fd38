/**
 * Logical_Router (ovn-nbctl lr-add / lr-del / lr-list; ovsdbapp lr_add, lr_del, lr_get, lr_list). Like switches,
 * names are not unique in the schema: create is guarded (ALREADY_EXISTS), shared names are AMBIGUOUS_NAME.
 */
import { LogicalRouter } from "../generated/nb/index.js";
import type { InsertLogicalRouter, LogicalRouter as LogicalRouterRow } from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { createNamedRootPlan, ensureNamedRootPlan } from "./named-root.js";
import type { Plan } from "./plan.js";
import { deleteRowPlan } from "./row-edit.js";

const WHAT = "logical router";

/** A router to create; ports, static routes, NAT and policies have their own APIs. */
export type RouterSpec = WithStringMaps<Omit<InsertLogicalRouter, "ports" | "static_routes" | "nat" | "policies">> & { name: string };

export function createRouterPlan(spec: RouterSpec): Plan<string> {
  return createNamedRootPlan(LogicalRouter, WHAT, spec);
}

export function ensureRouterPlan(existing: LogicalRouterRow | undefined, spec: RouterSpec): Plan<string> {
  return ensureNamedRootPlan(LogicalRouter, WHAT, existing, spec);
}

export class RouterApi extends EntityApi<"Logical_Router"> {
  constructor(ctx: NbContext) {
    super(ctx, "Logical_Router", LogicalRouter, WHAT);
  }

  /** lr-add: ALREADY_EXISTS when a router has this name. */
  async create(spec: RouterSpec): Promise<LogicalRouterRow> {
    return this.require({ _uuid: await this.ctx.run(createRouterPlan(spec)) });
  }

  /** lr-add --may-exist, converging columns and map pairs. */
  async ensure(spec: RouterSpec): Promise<LogicalRouterRow> {
    return this.require({ _uuid: await this.ctx.run(ensureRouterPlan(this.get(spec.name), spec)) });
  }

  /** lr-del: its ports, routes, NAT rules and policies go with it. */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRowPlan(LogicalRouter, WHAT, row, options.ifExists));
  }

  async setEnabled(ref: Ref, enabled: boolean | null): Promise<boolean> {
    return this.edit(ref, { fields: { enabled } });
  }

  async setOptions(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "options", pairs, []);
  }

  async removeOptions(ref: Ref, keys: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "options", undefined, keys);
  }
}
