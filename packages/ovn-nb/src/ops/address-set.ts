/**
 * Address_Set (ovn-nbctl create/destroy Address_Set, add/remove addresses; ovsdbapp address_set_add,
 * address_set_del, address_set_add_addresses, address_set_remove_addresses). Names are unique (schema
 * index); addresses are edited with mutate so concurrent additions by others are kept.
 */
import { AddressSet } from "../generated/nb/index.js";
import type { AddressSet as AddressSetRow, InsertAddressSet } from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import type { WithStringMaps } from "./map-edit.js";
import { createNamedRootPlan, ensureNamedRootPlan } from "./named-root.js";
import type { Plan } from "./plan.js";
import { deleteRowPlan } from "./row-edit.js";

const WHAT = "address set";

export type AddressSetSpec = WithStringMaps<InsertAddressSet> & { name: string };

export function createAddressSetPlan(spec: AddressSetSpec): Plan<string> {
  return createNamedRootPlan(AddressSet, WHAT, spec);
}

/** ensure: `addresses`, when given, is the exact content. */
export function ensureAddressSetPlan(existing: AddressSetRow | undefined, spec: AddressSetSpec): Plan<string> {
  return ensureNamedRootPlan(AddressSet, WHAT, existing, spec);
}

export class AddressSetApi extends EntityApi<"Address_Set"> {
  constructor(ctx: NbContext) {
    super(ctx, "Address_Set", AddressSet, WHAT);
  }

  async create(spec: AddressSetSpec): Promise<AddressSetRow> {
    return this.require({ _uuid: await this.ctx.run(createAddressSetPlan(spec)) });
  }

  async ensure(spec: AddressSetSpec): Promise<AddressSetRow> {
    return this.require({ _uuid: await this.ctx.run(ensureAddressSetPlan(this.get(spec.name), spec)) });
  }

  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRowPlan(AddressSet, WHAT, row, options.ifExists));
  }

  async addAddresses(ref: Ref, addresses: readonly string[]): Promise<boolean> {
    return this.edit(ref, { addElements: { addresses } });
  }

  async removeAddresses(ref: Ref, addresses: readonly string[]): Promise<boolean> {
    return this.edit(ref, { removeElements: { addresses } });
  }

  async setAddresses(ref: Ref, addresses: readonly string[]): Promise<boolean> {
    return this.edit(ref, { fields: { addresses } });
  }
}
