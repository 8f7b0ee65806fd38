/**
 * MigrationBackend: what the migrator needs from the OVN Northbound side, per VM (all its NICs at once).
 * The real implementation is the adapter over @ovnkit/ovn-nb's migration operations (ovn-nb-backend.ts);
 * tests also use an in-memory one with the same guards.
 *
 * Port phases follow @ovnkit/ovn-nb (ops/migration-state.ts):
 *   idle      no ownership record, at most one requested chassis, no activation strategy
 *   armed     an ownership record (migration uid, source, target) with requested-chassis "src,dst" + rarp
 *   activated armed, and the SB reports the target chassis activated (the guest's RARP was seen there)
 *   foreign   no record, but multichassis options set by someone else
 */

export interface VmRef {
  readonly namespace: string;
  readonly name: string;
}

export function vmKey(vm: VmRef): string {
  return `${vm.namespace}/${vm.name}`;
}

export function parseVmKey(key: string): VmRef {
  const i = key.indexOf("/");
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export type PortPhase = "idle" | "armed" | "activated" | "foreign";

/** The migration that owns a port (its ownership record). Node names are chassis names. */
export interface MigrationOwner {
  readonly uid: string;
  readonly source: string;
  readonly target: string;
}

export interface PortState {
  /** The Logical_Switch_Port name. */
  readonly port: string;
  readonly phase: PortPhase;
  readonly owner: MigrationOwner | undefined;
  /** options:requested-chassis split on ","; [] when unset. */
  readonly requestedChassis: readonly string[];
  readonly activationStrategy: string | undefined;
  /** armed/activated: the options say what the record says. */
  readonly consistent: boolean;
}

export interface ArmRequest {
  readonly vm: VmRef;
  readonly migrationUid: string;
  readonly source: string;
  readonly target: string;
}

export type MigrationOutcome = "succeeded" | "failed" | "aborted";

export interface CompleteRequest {
  readonly vm: VmRef;
  readonly migrationUid: string;
  readonly outcome: MigrationOutcome;
  /** The chassis the ports keep: the target when succeeded, the source otherwise. */
  readonly chassis: string;
}

export interface MigrationBackend {
  /** The migration state of every NIC port of the VM ([] when it has none yet). */
  inspect(vm: VmRef): Promise<PortState[]>;
  /**
   * Arms every NIC port of the VM for `migrationUid` in one guarded transaction: requested-chassis
   * "source,target", activation-strategy=rarp, ownership record. Idempotent for the owning migration;
   * MIGRATION_CONFLICT when another migration owns a port.
   */
  arm(request: ArmRequest): Promise<void>;
  /**
   * Ends the migration on every NIC port: requested-chassis = `chassis`, activation strategy and record
   * removed. STALE_MIGRATION (nothing changed) when `migrationUid` does not own the ports.
   */
  complete(request: CompleteRequest): Promise<void>;
}
