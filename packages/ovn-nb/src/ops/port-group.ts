/**
 * Port_Group (ovn-nbctl pg-add / pg-set-ports / pg-del; ovsdbapp pg_add, pg_del, pg_add_ports, pg_del_ports).
 * Names are unique (schema index). Ports are weak references to Logical_Switch_Port rows, edited with
 * mutate so concurrent membership changes by others are kept. ACLs of a group: AclApi with {portGroup}.
 */
import { PortGroup } from "../generated/nb/index.js";
import type { InsertPortGroup, PortGroup as PortGroupRow } from "../generated/nb/index.js";
import type { NbContext } from "./context.js";
import { EntityApi, type Ref } from "./entity.js";
import { requireRow } from "./lookup.js";
import type { WithStringMaps } from "./map-edit.js";
import { createNamedRootPlan, ensureNamedRootPlan } from "./named-root.js";
import type { Plan } from "./plan.js";
import { deleteRowPlan } from "./row-edit.js";

const WHAT = "port group";

/** A group to create; `ports` are Logical_Switch_Port uuids (use the API's port names form to resolve names). */
export type PortGroupSpec = WithStringMaps<Omit<InsertPortGroup, "acls">> & { name: string };

export function createPortGroupPlan(spec: PortGroupSpec): Plan<string> {
  return createNamedRootPlan(PortGroup, WHAT, spec);
}

/** ensure: `ports`, when given, is the exact membership. */
export function ensurePortGroupPlan(existing: PortGroupRow | undefined, spec: PortGroupSpec): Plan<string> {
  return ensureNamedRootPlan(PortGroup, WHAT, existing, spec);
}

export class PortGroupApi extends EntityApi<"Port_Group"> {
  constructor(ctx: NbContext) {
    super(ctx, "Port_Group", PortGroup, WHAT);
  }

  /** pg-add with port names: ALREADY_EXISTS (name taken), NOT_FOUND (a port is missing). */
  async create(spec: Omit<PortGroupSpec, "ports"> & { ports?: readonly string[] }): Promise<PortGroupRow> {
    return this.require({ _uuid: await this.ctx.run(createPortGroupPlan({ ...spec, ports: this.portUuids(spec.ports) })) });
  }

  async ensure(spec: Omit<PortGroupSpec, "ports"> & { ports?: readonly string[] }): Promise<PortGroupRow> {
    const ports = spec.ports === undefined ? undefined : this.portUuids(spec.ports);
    return this.require({ _uuid: await this.ctx.run(ensurePortGroupPlan(this.get(spec.name), { ...spec, ports })) });
  }

  /** pg-del (its ACLs go with it). */
  async delete(ref: Ref, options: { ifExists?: boolean } = {}): Promise<boolean> {
    return this.removeWith(ref, options, (row) => deleteRowPlan(PortGroup, WHAT, row, options.ifExists));
  }

  /** Adds ports (by name) to the group; others' membership changes are kept. */
  async addPorts(ref: Ref, ports: readonly string[]): Promise<boolean> {
    return this.edit(ref, { addElements: { ports: this.portUuids(ports) } });
  }

  async removePorts(ref: Ref, ports: readonly string[]): Promise<boolean> {
    return this.edit(ref, { removeElements: { ports: this.portUuids(ports) } });
  }

  /** pg-set-ports: exactly these ports. */
  async setPorts(ref: Ref, ports: readonly string[]): Promise<boolean> {
    return this.edit(ref, { fields: { ports: this.portUuids(ports) } });
  }

  /** Names of the group's ports. */
  portNames(ref: Ref): string[] {
    const lsp = this.ctx.table("Logical_Switch_Port");
    return this.require(ref).ports.flatMap((u) => lsp.get(u)?.name ?? []).sort();
  }

  private portUuids(names: readonly string[] | undefined): string[] {
    return (names ?? []).map((n) => requireRow(this.ctx, "Logical_Switch_Port", "logical switch port", n)._uuid);
  }
}
