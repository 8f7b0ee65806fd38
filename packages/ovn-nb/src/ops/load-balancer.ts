/**
 * Load_Balancer (ovn-nbctl lb-add / lb-del / lb-list, ls-lb-add / ls-lb-del, lr-lb-add / lr-lb-del; ovsdbapp
 * lb_add, lb_del, lb_list, ls_lb_add, lr_lb_add...). vips maps "VIP[:PORT]" to "BACKEND[:PORT][,...]".
 * Names are not unique in the schema (create is guarded; shared names are AMBIGUOUS_NAME). Switches and
 * routers refer to load balancers weakly (their `load_balancer` sets), edited with mutate.
 */
import { LoadBalancer, LogicalRouter, LogicalSwitch } from "../generated/nb/index.js";
import type { InsertLoadBalancer, LoadBalancer as LoadBalancerRow } from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import { parentsOf, requireRow } from "./lookup.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { createNamedRootPlan, ensureNamedRootPlan } from "./named-root.js";
import type { Plan } from "./plan.js";
import { deleteRowPlan, editRowPlan } from "./row-edit.js";

const WHAT = "load balancer";

export type LoadBalancerSpec = WithStringMaps<Omit<InsertLoadBalancer, "health_check">> & { name: string };

export function createLoadBalancerPlan(spec: LoadBalancerSpec): Plan<string> {
  return createNamedRootPlan(LoadBalancer, WHAT, spec);
}

/** ensure: vips/options/external_ids pairs merged, other columns set when they differ. */
export function ensureLoadBalancerPlan(existing: LoadBalancerRow | undefined, spec: LoadBalancerSpec): Plan<string> {
  return ensureNamedRootPlan(LoadBalancer, WHAT, existing, spec);
}

export class LoadBalancerApi extends EntityApi<"Load_Balancer"> {
  constructor(ctx: NbContext) {
    super(ctx, "Load_Balancer", LoadBalancer, WHAT);
  }

  async create(spec: LoadBalancerSpec): Promise<LoadBalancerRow> {
    return this.require({ _uuid: await this.ctx.run(createLoadBalancerPlan(spec)) });
  }

  async ensure(spec: LoadBalancerSpec): Promise<LoadBalancerRow> {
    return this.require({ _uuid: await this.ctx.run(ensureLoadBalancerPlan(this.get(spec.name), spec)) });
  }

  /** lb-del: switches and routers drop their (weak) references. */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRowPlan(LoadBalancer, WHAT, row, options.ifExists));
  }

  /** lb-add VIP BACKENDS on an existing balancer: sets one vip, other vips kept. */
  async setVip(ref: Ref, vip: string, backends: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "vips", new Map([[vip, backends.join(",")]]), []);
  }

  async removeVip(ref: Ref, vip: string): Promise<boolean> {
    return this.editMap(ref, "vips", undefined, [vip]);
  }

  async setOptions(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "options", pairs, []);
  }

  /** ls-lb-add. */
  async addToSwitch(ref: Ref, sw: Ref): Promise<boolean> {
    const lb = this.require(ref);
    const row = requireRow(this.ctx, "Logical_Switch", "logical switch", typeof sw === "string" ? sw : sw._uuid);
    return this.ctx.run(editRowPlan(LogicalSwitch, "logical switch", row, { addElements: { load_balancer: [lb._uuid] } }));
  }

  /** ls-lb-del. */
  async removeFromSwitch(ref: Ref, sw: Ref): Promise<boolean> {
    const lb = this.require(ref);
    const row = requireRow(this.ctx, "Logical_Switch", "logical switch", typeof sw === "string" ? sw : sw._uuid);
    return this.ctx.run(editRowPlan(LogicalSwitch, "logical switch", row, { removeElements: { load_balancer: [lb._uuid] } }));
  }

  /** lr-lb-add. */
  async addToRouter(ref: Ref, router: Ref): Promise<boolean> {
    const lb = this.require(ref);
    const row = requireRow(this.ctx, "Logical_Router", "logical router", typeof router === "string" ? router : router._uuid);
    return this.ctx.run(editRowPlan(LogicalRouter, "logical router", row, { addElements: { load_balancer: [lb._uuid] } }));
  }

  /** lr-lb-del. */
  async removeFromRouter(ref: Ref, router: Ref): Promise<boolean> {
    const lb = this.require(ref);
    const row = requireRow(this.ctx, "Logical_Router", "logical router", typeof router === "string" ? router : router._uuid);
    return this.ctx.run(editRowPlan(LogicalRouter, "logical router", row, { removeElements: { load_balancer: [lb._uuid] } }));
  }

  /** Names of the switches and routers using the balancer (ls-lb-list / lr-lb-list, reversed). */
  usedBy(ref: Ref): { switches: string[]; routers: string[] } {
    const uuid = this.require(ref)._uuid;
    return {
      switches: parentsOf(this.ctx, "Logical_Switch", "load_balancer", uuid).map((s) => s.name).sort(),
      routers: parentsOf(this.ctx, "Logical_Router", "load_balancer", uuid).map((r) => r.name).sort(),
    };
  }
}
