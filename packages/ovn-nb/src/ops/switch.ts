/**
 * Logical_Switch (ovn-nbctl ls-add / ls-del / ls-list; ovsdbapp ls_add, ls_del, ls_get, ls_list). Names are not
 * unique in the schema: create refuses a taken name with a guard (ALREADY_EXISTS even under a concurrent
 * create), lookups by a shared name raise AMBIGUOUS_NAME.
 */
import { LogicalSwitch } from "../generated/nb/index.js";
import type { InsertLogicalSwitch, LogicalSwitch as LogicalSwitchRow } from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { createNamedRootPlan, ensureNamedRootPlan } from "./named-root.js";
import type { Plan } from "./plan.js";
import { deleteRowPlan } from "./row-edit.js";

const WHAT = "logical switch";

/** A switch to create (schema column names; maps also as plain objects). Ports and ACLs have their own APIs. */
export type SwitchSpec = WithStringMaps<Omit<InsertLogicalSwitch, "ports" | "acls">> & { name: string };

/** Inserts the switch unless one has the name (ALREADY_EXISTS). Resolves to the new uuid. */
export function createSwitchPlan(spec: SwitchSpec): Plan<string> {
  return createNamedRootPlan(LogicalSwitch, WHAT, spec);
}

/** Creates the switch if missing, else sets differing columns and merges map pairs. Resolves to its uuid. */
export function ensureSwitchPlan(existing: LogicalSwitchRow | undefined, spec: SwitchSpec): Plan<string> {
  return ensureNamedRootPlan(LogicalSwitch, WHAT, existing, spec);
}

export class SwitchApi extends EntityApi<"Logical_Switch"> {
  constructor(ctx: NbContext) {
    super(ctx, "Logical_Switch", LogicalSwitch, WHAT);
  }

  /** ls-add: ALREADY_EXISTS when a switch has this name. */
  async create(spec: SwitchSpec): Promise<LogicalSwitchRow> {
    return this.require({ _uuid: await this.ctx.run(createSwitchPlan(spec)) });
  }

  /** ls-add --may-exist, converging columns and map pairs (see ensureSwitchPlan). */
  async ensure(spec: SwitchSpec): Promise<LogicalSwitchRow> {
    return this.require({ _uuid: await this.ctx.run(ensureSwitchPlan(this.get(spec.name), spec)) });
  }

  /** ls-del: its ports, ACLs and QoS rules go with it. NOT_FOUND unless ifExists. Resolves true if deleted. */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRowPlan(LogicalSwitch, WHAT, row, options.ifExists));
  }

  async setOtherConfig(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "other_config", pairs, []);
  }

  async removeOtherConfig(ref: Ref, keys: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "other_config", undefined, keys);
  }
}
