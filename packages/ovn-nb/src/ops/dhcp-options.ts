/**
 * DHCP_Options (ovn-nbctl dhcp-options-create / -del / -list / -set-options / -get-options; ovsdbapp
 * dhcp_options_add, dhcp_options_del, dhcp_options_list, dhcp_options_set_options). Rows have no name: they
 * are found by uuid, by cidr or by an external_ids key. Ports refer to them weakly (switchPorts.setDhcpv4Options).
 */
import { insertedUuid } from "@ovnkit/ovsdb";
import { DHCPOptions } from "../generated/nb/index.js";
import type { DHCPOptions as DhcpOptionsRow, InsertDHCPOptions } from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import { rowsWhere } from "./lookup.js";
import type { StringMap, WithStringMaps } from "./map-edit.js";
import { PlanBuilder, type Plan } from "./plan.js";
import { deleteRowPlan, insertRow } from "./row-edit.js";

const WHAT = "DHCP options";

export type DhcpOptionsSpec = WithStringMaps<InsertDHCPOptions> & { cidr: string };

/** dhcp-options-create (no uniqueness: several rows may share a cidr). Resolves to the new uuid. */
export function createDhcpOptionsPlan(spec: DhcpOptionsSpec): Plan<string> {
  const b = new PlanBuilder();
  const at = b.add(DHCPOptions.op.insert(insertRow(DHCPOptions, spec) as InsertDHCPOptions));
  return b.build((r) => insertedUuid(r[at]!));
}

export class DhcpOptionsApi extends EntityApi<"DHCP_Options"> {
  constructor(ctx: NbContext) {
    super(ctx, "DHCP_Options", DHCPOptions, WHAT, false);
  }

  async create(spec: DhcpOptionsSpec): Promise<DhcpOptionsRow> {
    return this.require({ _uuid: await this.ctx.run(createDhcpOptionsPlan(spec)) });
  }

  /** The rows for a cidr (indexed). */
  byCidr(cidr: string): DhcpOptionsRow[] {
    return rowsWhere(this.ctx, "DHCP_Options", "cidr", cidr);
  }

  /** dhcp-options-del (ports lose their weak reference). */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRowPlan(DHCPOptions, WHAT, row, options.ifExists));
  }

  /** dhcp-options-set-options, without removing other keys. */
  async setOptions(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "options", pairs, []);
  }

  async removeOptions(ref: Ref, keys: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "options", undefined, keys);
  }
}
