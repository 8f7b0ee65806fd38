/**
 * The SB view of a port's location (pure): a Port_Binding row (generated SB model) with its Chassis
 * references turned into chassis names.
 *
 *   chassis                      where the port is bound (main chassis), set by ovn-controller
 *   additional_chassis           the extra chassis of a multichassis binding (the migration target)
 *   requested_(additional_)chassis  what northd derived from NB options:requested-chassis
 *   options:additional-chassis-activated  chassis (comma list) whose port saw the RARP (activation-strategy=rarp)
 */
import type { PortBinding } from "../generated/sb/index.js";
import { ACTIVATION_STRATEGY, parseChassisList } from "./migration-state.js";

export const ADDITIONAL_CHASSIS_ACTIVATED = "additional-chassis-activated";

export interface PortBindingState {
  readonly logicalPort: string;
  readonly uuid: string;
  /** Chassis name (or the uuid when the Chassis row is unknown); null when unbound. */
  readonly chassis: string | null;
  readonly additionalChassis: readonly string[];
  readonly requestedChassis: string | null;
  readonly requestedAdditionalChassis: readonly string[];
  /** options:additional-chassis-activated as a list of chassis names. */
  readonly activatedOn: readonly string[];
  readonly activationStrategy: string | undefined;
  readonly up: boolean | null;
}

/** A Port_Binding row with the monitored columns. */
export type BindingRow = Pick<PortBinding, "_uuid" | (typeof BINDING_COLUMNS)[number]>;

/** The SB Port_Binding columns SbClient monitors (portBindingState reads all but type and mac). */
export const BINDING_COLUMNS = [
  "logical_port",
  "type",
  "mac",
  "chassis",
  "additional_chassis",
  "requested_chassis",
  "requested_additional_chassis",
  "options",
  "up",
] as const;

export function portBindingState(row: Omit<BindingRow, "type" | "mac">, chassisName: (uuid: string) => string | undefined): PortBindingState {
  const name = (u: string): string => chassisName(u) ?? u;
  return {
    logicalPort: row.logical_port,
    uuid: row._uuid,
    chassis: row.chassis === null ? null : name(row.chassis),
    additionalChassis: row.additional_chassis.map(name).sort(),
    requestedChassis: row.requested_chassis === null ? null : name(row.requested_chassis),
    requestedAdditionalChassis: row.requested_additional_chassis.map(name).sort(),
    activatedOn: parseChassisList(row.options.get(ADDITIONAL_CHASSIS_ACTIVATED)),
    activationStrategy: row.options.get(ACTIVATION_STRATEGY),
    up: row.up,
  };
}

/** True when two states say the same thing (uuid aside). */
export function sameBinding(a: PortBindingState | undefined, b: PortBindingState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const list = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.logicalPort === b.logicalPort &&
    a.chassis === b.chassis &&
    list(a.additionalChassis, b.additionalChassis) &&
    a.requestedChassis === b.requestedChassis &&
    list(a.requestedAdditionalChassis, b.requestedAdditionalChassis) &&
    list(a.activatedOn, b.activatedOn) &&
    a.activationStrategy === b.activationStrategy &&
    a.up === b.up
  );
}

/** One line for logs: "vm1: chassis=hv1 additional=[hv2] activated=[hv2] up=true requested=hv1+[hv2]". */
export function formatBinding(s: PortBindingState | undefined, port = "?"): string {
  if (s === undefined) return `${port}: no Port_Binding`;
  const requested = `${s.requestedChassis ?? "-"}+[${s.requestedAdditionalChassis.join(",")}]`;
  return `${s.logicalPort}: chassis=${s.chassis ?? "-"} additional=[${s.additionalChassis.join(",")}] activated=[${s.activatedOn.join(",")}] up=${String(s.up)} requested=${requested}`;
}
