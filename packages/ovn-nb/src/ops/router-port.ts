/**
 * Logical_Router_Port (ovn-nbctl lrp-add / lrp-del / lrp-list / lrp-set-enabled; ovsdbapp lrp_add, lrp_del,
 * lrp_get). A non-root row inserted into its router's `ports` in the same transaction. linkSwitch() also
 * creates the switch side (a Logical_Switch_Port of type "router" with options:router-port) atomically.
 */
import { insertedUuid } from "@ovnkit/ovsdb";
import { LogicalRouter, LogicalRouterPort } from "../generated/nb/index.js";
import type {
  InsertLogicalRouterPort,
  LogicalRouter as LogicalRouterRow,
  LogicalRouterPort as LogicalRouterPortRow,
  LogicalSwitch as LogicalSwitchRow,
} from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import { parentsOf, requireRow, rowsOf } from "./lookup.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { addPort, createPortPlan, deletePortPlan, ensurePortPlan, guardPortNameFree, type PortKind } from "./named-port.js";
import { PlanBuilder, type Plan } from "./plan.js";
import { insertRow } from "./row-edit.js";
import { SWITCH_PORT } from "./switch-port.js";

const WHAT = "logical router port";
const ROUTER = "logical router";

/** A router port: name, mac ("0a:00:00:00:00:01") and networks (["10.0.0.1/24"]) are required. */
export type RouterPortSpec = WithStringMaps<InsertLogicalRouterPort> & { name: string; mac: string; networks: readonly string[] };

const ROUTER_PORT: PortKind = { model: LogicalRouterPort, what: WHAT, parentModel: LogicalRouter, parentWhat: ROUTER, parentKey: "router", prefix: "lrp" };

export function createRouterPortPlan(lr: LogicalRouterRow, spec: RouterPortSpec): Plan<string> {
  return createPortPlan(ROUTER_PORT, lr, spec);
}

/** Creates the port in `lr` if missing, else converges it; ALREADY_EXISTS if it belongs to another router. */
export function ensureRouterPortPlan(lr: LogicalRouterRow, existing: LogicalRouterPortRow | undefined, spec: RouterPortSpec): Plan<string> {
  return ensurePortPlan(ROUTER_PORT, lr, existing, spec);
}

export function deleteRouterPortPlan(port: LogicalRouterPortRow, ifExists = false): Plan<boolean> {
  return deletePortPlan(ROUTER_PORT, port, ifExists);
}

export interface LinkSpec {
  /** The router port (name, mac, networks...). */
  routerPort: RouterPortSpec;
  /** Name of the switch port that faces it (type "router", addresses ["router"]). */
  switchPort: string;
}

/** One transaction: the router port in `lr` and its peer switch port in `sw` (lrp-add + lsp-add + lsp-set-type router). */
export function linkSwitchPlan(lr: LogicalRouterRow, sw: LogicalSwitchRow, spec: LinkSpec): Plan<{ routerPort: string; switchPort: string }> {
  const b = new PlanBuilder();
  guardPortNameFree(b, ROUTER_PORT, spec.routerPort.name);
  guardPortNameFree(b, SWITCH_PORT, spec.switchPort);
  const lrp = addPort(b, ROUTER_PORT, lr, insertRow(LogicalRouterPort, spec.routerPort));
  const lsp = addPort(b, SWITCH_PORT, sw, {
    name: spec.switchPort,
    type: "router",
    addresses: ["router"],
    options: new Map([["router-port", spec.routerPort.name]]),
  });
  return b.build((r) => ({ routerPort: insertedUuid(r[lrp]!), switchPort: insertedUuid(r[lsp]!) }));
}

export class RouterPortApi extends EntityApi<"Logical_Router_Port"> {
  constructor(ctx: NbContext) {
    super(ctx, "Logical_Router_Port", LogicalRouterPort, WHAT);
  }

  /** lrp-add: NOT_FOUND (no such router), ALREADY_EXISTS (the name is taken). */
  async create(router: Ref, spec: RouterPortSpec): Promise<LogicalRouterPortRow> {
    return this.require({ _uuid: await this.ctx.run(createRouterPortPlan(this.routerRow(router), spec)) });
  }

  /** lrp-add --may-exist, converging columns and map pairs. */
  async ensure(router: Ref, spec: RouterPortSpec): Promise<LogicalRouterPortRow> {
    return this.require({ _uuid: await this.ctx.run(ensureRouterPortPlan(this.routerRow(router), this.get(spec.name), spec)) });
  }

  /** lrp-del: NOT_FOUND unless ifExists. */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRouterPortPlan(row, options.ifExists));
  }

  /** Connects a switch to a router: the router port and a "router" switch port, in one transaction. */
  async linkSwitch(router: Ref, sw: Ref, spec: LinkSpec): Promise<{ routerPort: LogicalRouterPortRow; switchPort: string }> {
    const swRow = typeof sw === "string" ? requireRow(this.ctx, "Logical_Switch", "logical switch", sw) : requireRow(this.ctx, "Logical_Switch", "logical switch", sw._uuid);
    const r = await this.ctx.run(linkSwitchPlan(this.routerRow(router), swRow, spec));
    return { routerPort: this.require({ _uuid: r.routerPort }), switchPort: r.switchPort };
  }

  /** lrp-list: the ports of a router. */
  listOf(router: Ref): LogicalRouterPortRow[] {
    return rowsOf(this.ctx, "Logical_Router_Port", this.routerRow(router).ports).sort((a, b) => a.name.localeCompare(b.name));
  }

  routerOf(ref: Ref): LogicalRouterRow | undefined {
    return parentsOf(this.ctx, "Logical_Router", "ports", this.require(ref)._uuid)[0];
  }

  async setNetworks(ref: Ref, networks: readonly string[]): Promise<boolean> {
    return this.edit(ref, { fields: { networks } });
  }

  /** lrp-set-enabled (null: the default, enabled). */
  async setEnabled(ref: Ref, enabled: boolean | null): Promise<boolean> {
    return this.edit(ref, { fields: { enabled } });
  }

  async setOptions(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "options", pairs, []);
  }

  async removeOptions(ref: Ref, keys: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "options", undefined, keys);
  }

  private routerRow(router: Ref): LogicalRouterRow {
    return requireRow(this.ctx, "Logical_Router", ROUTER, typeof router === "string" ? router : router._uuid);
  }
}
