/**
 * Logical_Router_Port (ovn-nbctl lrp-add / lrp-del / lrp-list / lrp-set-enabled; ovsdbapp lrp_add, lrp_del,
 * lrp_get). A non-root row inserted into its router's `ports` in the same transaction. linkSwitch() also
 * creates the switch side (a Logical_Switch_Port of type "router" with options:router-port) atomically.
 */
import { insertedUuid } from "@ovnkit/ovsdb";
import { LogicalRouter, LogicalRouterPort, LogicalSwitch, LogicalSwitchPort } from "../generated/nb/index.js";
import type {
  InsertLogicalRouterPort,
  LogicalRouter as LogicalRouterRow,
  LogicalRouterPort as LogicalRouterPortRow,
  LogicalSwitch as LogicalSwitchRow,
} from "../generated/nb/index.js";
import { alreadyExists } from "../errors.js";
import { addChild, removeChild } from "./child.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import { waitAbsent } from "./guards.js";
import { parentsOf, requireRow, rowsOf } from "./lookup.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { PlanBuilder, unchanged, type Plan } from "./plan.js";
import { addRowEdit, guardExists, insertRow } from "./row-edit.js";

const WHAT = "logical router port";
const ROUTER = "logical router";

/** A router port: name, mac ("0a:00:00:00:00:01") and networks (["10.0.0.1/24"]) are required. */
export type RouterPortSpec = WithStringMaps<InsertLogicalRouterPort> & { name: string; mac: string; networks: readonly string[] };

function guardNameFree(b: PlanBuilder, spec: { name: string }): void {
  b.guard(waitAbsent(LogicalRouterPort, "name", spec.name), (e) => alreadyExists(WHAT, spec.name, { table: "Logical_Router_Port" }, e));
}

export function createRouterPortPlan(lr: LogicalRouterRow, spec: RouterPortSpec): Plan<string> {
  const b = new PlanBuilder();
  guardNameFree(b, spec);
  const at = addChild(b, { model: LogicalRouter, what: ROUTER, row: lr, column: "ports" }, LogicalRouterPort, insertRow(LogicalRouterPort, spec), "lrp");
  return b.build((r) => insertedUuid(r[at]!));
}

/** Creates the port in `lr` if missing, else converges it; ALREADY_EXISTS if it belongs to another router. */
export function ensureRouterPortPlan(lr: LogicalRouterRow, existing: LogicalRouterPortRow | undefined, spec: RouterPortSpec): Plan<string> {
  if (existing === undefined) return createRouterPortPlan(lr, spec);
  if (!lr.ports.includes(existing._uuid)) {
    throw alreadyExists(WHAT, spec.name, { table: "Logical_Router_Port", reason: "the port belongs to another router", router: lr.name });
  }
  const { name: _name, ...fields } = spec;
  const b = new PlanBuilder();
  guardExists(b, LogicalRouterPort, WHAT, existing);
  if (!addRowEdit(b, LogicalRouterPort, existing, { fields })) return unchanged(existing._uuid);
  return b.build(() => existing._uuid);
}

export function deleteRouterPortPlan(port: LogicalRouterPortRow, ifExists = false): Plan<boolean> {
  const b = new PlanBuilder();
  if (!ifExists) guardExists(b, LogicalRouterPort, WHAT, port);
  const at = removeChild(b, LogicalRouter, "ports", port._uuid);
  return b.build((r) => (r[at]!.count ?? 0) > 0);
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
  guardNameFree(b, spec.routerPort);
  b.guard(waitAbsent(LogicalSwitchPort, "name", spec.switchPort), (e) =>
    alreadyExists("logical switch port", spec.switchPort, { table: "Logical_Switch_Port" }, e));
  const lrp = addChild(b, { model: LogicalRouter, what: ROUTER, row: lr, column: "ports" }, LogicalRouterPort, insertRow(LogicalRouterPort, spec.routerPort), "lrp");
  const lsp = addChild(b, { model: LogicalSwitch, what: "logical switch", row: sw, column: "ports" }, LogicalSwitchPort, {
    name: spec.switchPort,
    type: "router",
    addresses: ["router"],
    options: new Map([["router-port", spec.routerPort.name]]),
  }, "lsp");
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
