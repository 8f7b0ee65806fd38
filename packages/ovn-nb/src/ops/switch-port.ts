/**
 * Logical_Switch_Port (ovn-nbctl lsp-add / lsp-del / lsp-set-addresses / lsp-set-port-security /
 * lsp-set-type / lsp-set-options / lsp-set-enabled / lsp-set-dhcpv4-options; ovsdbapp lsp_add, lsp_del,
 * lsp_get, lsp_list, lsp_set_*). A port is a non-root row: it is inserted and added to its switch's `ports`
 * in one transaction, and deleted by removing it from its switch. Port names are unique (schema index).
 */
import { LogicalSwitch, LogicalSwitchPort } from "../generated/nb/index.js";
import type {
  InsertLogicalSwitchPort,
  LogicalSwitch as LogicalSwitchRow,
  LogicalSwitchPort as LogicalSwitchPortRow,
} from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import { parentsOf, requireRow, rowsOf } from "./lookup.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { createPortPlan, deletePortPlan, ensurePortPlan, type PortKind } from "./named-port.js";
import type { Plan } from "./plan.js";

const WHAT = "logical switch port";
const SWITCH = "logical switch";

/** Switch ports in their switch's `ports` (also used by the router side of linkSwitch). */
export const SWITCH_PORT: PortKind = { model: LogicalSwitchPort, what: WHAT, parentModel: LogicalSwitch, parentWhat: SWITCH, parentKey: "switch", prefix: "lsp" };

/** A port to create: the insert columns, maps also as plain objects. */
export type SwitchPortSpec = WithStringMaps<InsertLogicalSwitchPort> & { name: string };

/** Inserts the port into `sw` (guards: the switch exists, no port has the name). Resolves to the new uuid. */
export function createSwitchPortPlan(sw: LogicalSwitchRow, spec: SwitchPortSpec): Plan<string> {
  return createPortPlan(SWITCH_PORT, sw, spec);
}

/**
 * ensure: creates the port in `sw` if missing; if it exists in `sw`, sets the plain columns of `spec` that
 * differ and merges its options/external_ids pairs (other keys kept); ALREADY_EXISTS if it exists in another
 * switch. Empty plan when nothing differs. Resolves to the port's uuid.
 */
export function ensureSwitchPortPlan(
  sw: LogicalSwitchRow,
  existing: LogicalSwitchPortRow | undefined,
  spec: SwitchPortSpec,
): Plan<string> {
  return ensurePortPlan(SWITCH_PORT, sw, existing, spec);
}

/** Removes the port from its switch (the server deletes the row). Guarded unless `ifExists`. */
export function deleteSwitchPortPlan(port: LogicalSwitchPortRow, ifExists = false): Plan<boolean> {
  return deletePortPlan(SWITCH_PORT, port, ifExists);
}

export class SwitchPortApi extends EntityApi<"Logical_Switch_Port"> {
  constructor(ctx: NbContext) {
    super(ctx, "Logical_Switch_Port", LogicalSwitchPort, WHAT);
  }

  /** lsp-add: NOT_FOUND (no such switch), ALREADY_EXISTS (the name is taken). */
  async create(sw: Ref, spec: SwitchPortSpec): Promise<LogicalSwitchPortRow> {
    const uuid = await this.ctx.run(createSwitchPortPlan(this.switchRow(sw), spec));
    return this.require({ _uuid: uuid });
  }

  /** lsp-add --may-exist, converging columns and map pairs (see ensureSwitchPortPlan). */
  async ensure(sw: Ref, spec: SwitchPortSpec): Promise<LogicalSwitchPortRow> {
    const uuid = await this.ctx.run(ensureSwitchPortPlan(this.switchRow(sw), this.get(spec.name), spec));
    return this.require({ _uuid: uuid });
  }

  /** lsp-del: NOT_FOUND unless ifExists. Resolves true when a port was removed. */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteSwitchPortPlan(row, options.ifExists));
  }

  /** The ports of a switch (lsp-list). */
  listOf(sw: Ref): LogicalSwitchPortRow[] {
    return rowsOf(this.ctx, "Logical_Switch_Port", this.switchRow(sw).ports).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The switch holding the port (lsp-get-ls), or undefined. */
  switchOf(ref: Ref): LogicalSwitchRow | undefined {
    return parentsOf(this.ctx, "Logical_Switch", "ports", this.require(ref)._uuid)[0];
  }

  /** lsp-set-addresses: replaces the addresses ("MAC [IP...]", "router", "dynamic", "unknown"). */
  async setAddresses(ref: Ref, addresses: readonly string[]): Promise<boolean> {
    return this.edit(ref, { fields: { addresses } });
  }

  /** lsp-set-port-security: replaces the port security entries ("MAC [IP/prefix...]"). */
  async setPortSecurity(ref: Ref, portSecurity: readonly string[]): Promise<boolean> {
    return this.edit(ref, { fields: { port_security: portSecurity } });
  }

  /** lsp-set-type ("" for a VM port, "router", "localnet", "localport", "external", "virtual"...). */
  async setType(ref: Ref, type: string): Promise<boolean> {
    return this.edit(ref, { fields: { type } });
  }

  /** lsp-set-enabled (null: the default, enabled). */
  async setEnabled(ref: Ref, enabled: boolean | null): Promise<boolean> {
    return this.edit(ref, { fields: { enabled } });
  }

  /** lsp-set-options, without removing other keys. */
  async setOptions(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "options", pairs, []);
  }

  async removeOptions(ref: Ref, keys: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "options", undefined, keys);
  }

  /** lsp-set-dhcpv4-options (a DHCP_Options uuid, or null to clear). */
  async setDhcpv4Options(ref: Ref, dhcpOptions: string | null): Promise<boolean> {
    return this.edit(ref, { fields: { dhcpv4_options: dhcpOptions } });
  }

  async setDhcpv6Options(ref: Ref, dhcpOptions: string | null): Promise<boolean> {
    return this.edit(ref, { fields: { dhcpv6_options: dhcpOptions } });
  }

  private switchRow(sw: Ref): LogicalSwitchRow {
    return typeof sw === "string" ? requireRow(this.ctx, "Logical_Switch", SWITCH, sw) : requireRow(this.ctx, "Logical_Switch", SWITCH, sw._uuid);
  }
}
