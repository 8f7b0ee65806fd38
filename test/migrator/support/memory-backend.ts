/**
 * MemoryBackend: an in-memory OVN NB for the migrator suites, with the SAME rules as @ovnkit/ovn-nb's
 * migration operations (it reuses ovn-nb's pure port-state helpers): arm writes requested-chassis "src,dst",
 * activation-strategy=rarp and the ownership record on every port of the VM (MIGRATION_CONFLICT if another
 * migration or foreign multichassis options are there); complete needs every port owned by the uid
 * (STALE_MIGRATION otherwise) and keeps the recorded target (succeeded) or source. Every call is recorded.
 */
import { OvnNbError, MIGRATION_KEYS, REQUESTED_CHASSIS, ACTIVATION_STRATEGY, armedOptions, ownerOf, ownershipRecord, portMigrationState, type PortBindingState } from "@ovnkit/ovn-nb";
import { toPortState, vmKey, type ArmRequest, type CompleteRequest, type MigrationBackend, type PortState, type VmRef } from "@ovnkit/migrator";

interface Row {
  _uuid: string;
  name: string;
  vm: string;
  options: Map<string, string>;
  external_ids: Map<string, string>;
  activatedOn: string[];
}

export type Call =
  | { op: "arm"; request: ArmRequest; ok: boolean; error?: string }
  | { op: "complete"; request: CompleteRequest; ok: boolean; error?: string };

export class MemoryBackend implements MigrationBackend {
  readonly calls: Call[] = [];
  private readonly rows = new Map<string, Row>();
  private injected: { op: "arm" | "complete" | "inspect"; error: Error }[] = [];
  private n = 0;
  ready = true;

  /** Adds the VM's NIC ports (names "<vm>.<ns>", then ".nic1"...), requested on `chassis`. */
  addVm(vm: VmRef, nics = 1, chassis?: string): string[] {
    const names: string[] = [];
    for (let i = 0; i < nics; i++) {
      const name = i === 0 ? `${vm.name}.${vm.namespace}` : `${vm.name}.${vm.namespace}.nic${i}`;
      this.rows.set(name, {
        _uuid: `00000000-0000-4000-8000-${String(++this.n).padStart(12, "0")}`,
        name, vm: vmKey(vm),
        options: new Map(chassis ? [[REQUESTED_CHASSIS, chassis]] : []),
        external_ids: new Map([["pod", vmKey(vm)]]),
        activatedOn: [],
      });
      names.push(name);
    }
    return names;
  }

  port(name: string): { options: Record<string, string>; external_ids: Record<string, string> } {
    const r = this.rows.get(name)!;
    return { options: Object.fromEntries(r.options), external_ids: Object.fromEntries(r.external_ids) };
  }

  /** options:requested-chassis / activation-strategy and the record's uid of every port of the VM. */
  summary(vm: VmRef): { port: string; requestedChassis: string | undefined; activation: string | undefined; owner: string | undefined }[] {
    return this.portsOf(vm).map((r) => ({
      port: r.name,
      requestedChassis: r.options.get(REQUESTED_CHASSIS),
      activation: r.options.get(ACTIVATION_STRATEGY),
      owner: r.external_ids.get(MIGRATION_KEYS.uid),
    }));
  }

  /** Someone else edits a port's options (CNI, an operator...). */
  setOption(port: string, key: string, value: string | undefined): void {
    const r = this.rows.get(port)!;
    if (value === undefined) r.options.delete(key);
    else r.options.set(key, value);
  }

  /** ovn-controller saw the guest's RARP on `chassis` (SB additional-chassis-activated). */
  activate(port: string, chassis: string): void {
    this.rows.get(port)!.activatedOn = [chassis];
  }

  failNext(op: "arm" | "complete" | "inspect", error: Error): void {
    this.injected.push({ op, error });
  }

  count(op: "arm" | "complete", ok = true): number {
    return this.calls.filter((c) => c.op === op && c.ok === ok).length;
  }

  async inspect(vm: VmRef): Promise<PortState[]> {
    this.take("inspect");
    return this.portsOf(vm).map((r) => toPortState(portMigrationState(r, this.binding(r))));
  }

  async arm(request: ArmRequest): Promise<void> {
    try {
      this.take("arm");
      const ports = this.requirePorts(request.vm);
      for (const p of ports) {
        const owner = ownerOf(p);
        const state = portMigrationState(p);
        if (owner === undefined && state.phase === "foreign") throw this.conflict(p, request.migrationUid, "foreign-multichassis");
        if (owner !== undefined && owner.uid !== request.migrationUid) throw this.conflict(p, request.migrationUid, "armed-by-other");
        if (owner !== undefined && (owner.source !== request.source || owner.target !== request.target)) throw this.conflict(p, request.migrationUid, "different-chassis");
      }
      const owner = { uid: request.migrationUid, source: request.source, target: request.target };
      for (const p of ports) {
        for (const [k, v] of armedOptions(owner)) p.options.set(k, v);
        for (const [k, v] of ownershipRecord(owner)) p.external_ids.set(k, v);
      }
      this.calls.push({ op: "arm", request, ok: true });
    } catch (e) {
      this.calls.push({ op: "arm", request, ok: false, error: (e as { code?: string }).code ?? String(e) });
      throw e;
    }
  }

  async complete(request: CompleteRequest): Promise<void> {
    try {
      this.take("complete");
      const ports = this.requirePorts(request.vm);
      for (const p of ports) {
        const owner = ownerOf(p);
        if (owner === undefined || owner.uid !== request.migrationUid) {
          throw new OvnNbError("STALE_MIGRATION", `migration ${request.migrationUid} does not own port ${p.name}`, { details: { port: p.name, uid: request.migrationUid } });
        }
      }
      for (const p of ports) {
        const owner = ownerOf(p)!;
        p.options.set(REQUESTED_CHASSIS, request.outcome === "succeeded" ? owner.target : owner.source);
        p.options.delete(ACTIVATION_STRATEGY);
        for (const k of Object.values(MIGRATION_KEYS)) p.external_ids.delete(k);
        p.activatedOn = [];
      }
      this.calls.push({ op: "complete", request, ok: true });
    } catch (e) {
      this.calls.push({ op: "complete", request, ok: false, error: (e as { code?: string }).code ?? String(e) });
      throw e;
    }
  }

  private portsOf(vm: VmRef): Row[] {
    return [...this.rows.values()].filter((r) => r.vm === vmKey(vm)).sort((a, b) => a.name.localeCompare(b.name));
  }

  private requirePorts(vm: VmRef): Row[] {
    const ports = this.portsOf(vm);
    if (ports.length === 0) throw new OvnNbError("NOT_FOUND", `no port for ${vmKey(vm)}`);
    return ports;
  }

  private binding(r: Row): PortBindingState {
    return {
      logicalPort: r.name, uuid: r._uuid, chassis: null, additionalChassis: [], requestedChassis: null, requestedAdditionalChassis: [],
      activatedOn: r.activatedOn, activationStrategy: r.options.get(ACTIVATION_STRATEGY), up: null,
    };
  }

  private conflict(p: Row, uid: string, reason: string): OvnNbError {
    return new OvnNbError("MIGRATION_CONFLICT", `migration ${uid}: port ${p.name}: ${reason}`, { details: { port: p.name, uid, reason } });
  }

  private take(op: "arm" | "complete" | "inspect"): void {
    const i = this.injected.findIndex((x) => x.op === op);
    if (i >= 0) throw this.injected.splice(i, 1)[0]!.error;
  }
}
