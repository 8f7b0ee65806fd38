/**
 * The live-migration state of a Logical_Switch_Port, read from its NB row (and, optionally, its SB
 * Port_Binding). Pure.
 *
 * A migration owns a port through an ownership record in external_ids (MIGRATION_KEYS); arming writes the
 * record together with options:requested-chassis="<source>,<target>" and options:activation-strategy=rarp.
 *
 *   idle      no record, at most one requested chassis, no activation strategy
 *   armed     a record (consistent: the options say what the record says)
 *   activated armed, and the SB reports options:additional-chassis-activated on the target
 *   foreign   no record, but multichassis options set by someone else (another tool's migration)
 */
import type { LogicalSwitchPort } from "../generated/nb/index.js";
import type { PortBindingState } from "./port-binding.js";

export const MIGRATION_KEYS = Object.freeze({
  uid: "ovnkit.io/migration-uid",
  source: "ovnkit.io/migration-source",
  target: "ovnkit.io/migration-target",
});
export const REQUESTED_CHASSIS = "requested-chassis";
export const ACTIVATION_STRATEGY = "activation-strategy";
export const RARP = "rarp";

export type MigrationPhase = "idle" | "armed" | "activated" | "foreign";

/** The migration that owns a port, as recorded in its external_ids. */
export interface MigrationOwner {
  readonly uid: string;
  /** "" when the record lacks the key (an inconsistent record). */
  readonly source: string;
  readonly target: string;
}

export interface PortMigrationState {
  readonly port: string;
  readonly uuid: string;
  readonly phase: MigrationPhase;
  readonly owner: MigrationOwner | undefined;
  /** options:requested-chassis split on ","; [] when unset. */
  readonly requestedChassis: readonly string[];
  readonly activationStrategy: string | undefined;
  /** armed/activated: the options match the record; idle: true; foreign: false. */
  readonly consistent: boolean;
  /** The SB Port_Binding, when an SB view was given. */
  readonly binding: PortBindingState | undefined;
}

/** "a,b" -> ["a", "b"] (spaces trimmed, empty parts dropped). */
export function parseChassisList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

export function ownerOf(port: Pick<LogicalSwitchPort, "external_ids">): MigrationOwner | undefined {
  const ids = port.external_ids;
  const uid = ids.get(MIGRATION_KEYS.uid);
  if (uid === undefined) return undefined;
  return { uid, source: ids.get(MIGRATION_KEYS.source) ?? "", target: ids.get(MIGRATION_KEYS.target) ?? "" };
}

/** The options an armed port must have for `owner`. */
export function armedOptions(owner: Pick<MigrationOwner, "source" | "target">): Map<string, string> {
  return new Map([
    [REQUESTED_CHASSIS, `${owner.source},${owner.target}`],
    [ACTIVATION_STRATEGY, RARP],
  ]);
}

/** The ownership record of a migration, as written to external_ids. */
export function ownershipRecord(owner: MigrationOwner): Map<string, string> {
  return new Map([
    [MIGRATION_KEYS.uid, owner.uid],
    [MIGRATION_KEYS.source, owner.source],
    [MIGRATION_KEYS.target, owner.target],
  ]);
}

/** True when the port's options say exactly what `owner` armed (and the record is complete). */
export function isArmedConsistently(port: Pick<LogicalSwitchPort, "options">, owner: MigrationOwner): boolean {
  if (owner.source === "" || owner.target === "") return false;
  for (const [k, v] of armedOptions(owner)) if (port.options.get(k) !== v) return false;
  return true;
}

/** The migration state of `port`; with `binding` (its SB Port_Binding), "activated" can be told from "armed". */
export function portMigrationState(
  port: Pick<LogicalSwitchPort, "_uuid" | "name" | "options" | "external_ids">,
  binding?: PortBindingState,
): PortMigrationState {
  const owner = ownerOf(port);
  const requestedChassis = parseChassisList(port.options.get(REQUESTED_CHASSIS));
  const activationStrategy = port.options.get(ACTIVATION_STRATEGY);
  let phase: MigrationPhase;
  let consistent: boolean;
  if (owner !== undefined) {
    consistent = isArmedConsistently(port, owner);
    phase = binding !== undefined && owner.target !== "" && binding.activatedOn.includes(owner.target) ? "activated" : "armed";
  } else if (requestedChassis.length > 1 || activationStrategy !== undefined) {
    phase = "foreign";
    consistent = false;
  } else {
    phase = "idle";
    consistent = true;
  }
  return { port: port.name, uuid: port._uuid, phase, owner, requestedChassis, activationStrategy, consistent, binding };
}
