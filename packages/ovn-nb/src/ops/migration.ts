/**
 * Live-migration operations on the Logical_Switch_Ports of a VM (one per NIC), each ONE guarded transaction:
 *
 *   arm       options:requested-chassis="<source>,<target>", options:activation-strategy=rarp and the ownership
 *             record (external_ids ovnkit.io/migration-{uid,source,target}) on every port.
 *   complete  succeeded: requested-chassis=<target>; failed/aborted: requested-chassis=<source>; in both the
 *             activation strategy and the record are removed. Only for the migration that owns the ports.
 *   inspect   idle / armed by uid X from A to B / activated on B (with the SB binding) / foreign.
 *
 * Every port gets a "wait" (until "==", timeout 0) on the columns the plan was built from (options,
 * external_ids): if anything changed them since they were read, the server aborts the whole transaction
 * ("timed out") and the caller gets MIGRATION_CONFLICT instead of a lost update. Maps are changed with mutate
 * (delete keys + insert pairs), so option and external_ids keys this code does not own always survive.
 * Re-arming an armed migration writes nothing; a completion by a migration that does not own every port
 * (STALE_MIGRATION) and an arm over a port owned by another migration (MIGRATION_CONFLICT) change nothing.
 */
import { OvsdbError, type Mutation } from "@ovnkit/ovsdb";
import { LogicalSwitchPort } from "../generated/nb/index.js";
import type { LogicalSwitchPort as Lsp } from "../generated/nb/index.js";
import { OvnNbError, notFound } from "../errors.js";
import type { NbContext } from "./context.js";
import { waitUnchanged } from "./guards.js";
import { rowsByExternalId, rowsNamed } from "./lookup.js";
import { removeKeys, setPairs } from "./map-edit.js";
import {
  ACTIVATION_STRATEGY, MIGRATION_KEYS, REQUESTED_CHASSIS, armedOptions, isArmedConsistently, ownerOf, ownershipRecord,
  portMigrationState, type MigrationOwner, type PortMigrationState,
} from "./migration-state.js";
import { unchanged, PlanBuilder, type Plan } from "./plan.js";
import type { PortBindingState } from "./port-binding.js";

export interface ArmSpec {
  /** The migration's uid (e.g. the VirtualMachineInstanceMigration uid). */
  uid: string;
  /** Chassis (name or hostname) the VM runs on. */
  source: string;
  /** Chassis the VM moves to. */
  target: string;
  /** Every Logical_Switch_Port of the VM (all its NICs), by name. */
  ports: readonly string[];
}

export interface ArmResult {
  /** False when every port was already armed by this migration (nothing was written). */
  readonly changed: boolean;
  /** The ports this call wrote. */
  readonly written: readonly string[];
}

export type MigrationOutcome = "succeeded" | "failed" | "aborted";

export interface CompleteSpec {
  uid: string;
  outcome: MigrationOutcome;
  ports: readonly string[];
}

export interface CompleteResult {
  readonly outcome: MigrationOutcome;
  /** Each port and the chassis it is now requested on. */
  readonly ports: readonly { readonly port: string; readonly chassis: string }[];
}

/** Something that knows SB bindings (SbClient), for inspect. */
export interface BindingSource {
  binding(port: string): PortBindingState | undefined;
}

const GUARDED = ["options", "external_ids"] as const;
const OUTCOMES: readonly MigrationOutcome[] = ["succeeded", "failed", "aborted"];

function invalid(message: string, details: Record<string, unknown>): OvsdbError {
  return new OvsdbError("VALIDATION_ERROR", `migration: ${message}`, { details });
}

function checkPorts(ports: readonly string[]): void {
  if (!Array.isArray(ports) || ports.length === 0) throw invalid("at least one port is needed", { ports });
  if (new Set(ports).size !== ports.length) throw invalid("ports must be distinct", { ports });
  for (const p of ports) if (typeof p !== "string" || p.length === 0) throw invalid("port names must be non-empty strings", { ports });
}

/** Checks an arm spec (VALIDATION_ERROR, nothing is built). */
export function checkArmSpec(spec: ArmSpec): void {
  if (typeof spec.uid !== "string" || spec.uid.length === 0) throw invalid("uid must be a non-empty string", { uid: spec.uid });
  for (const [role, chassis] of [["source", spec.source], ["target", spec.target]] as const) {
    if (typeof chassis !== "string" || chassis.length === 0 || /[,\s]/.test(chassis)) {
      throw invalid(`${role} must be a chassis name without commas or spaces`, { [role]: chassis });
    }
  }
  if (spec.source === spec.target) throw invalid("source and target must differ", { source: spec.source, target: spec.target });
  checkPorts(spec.ports);
}

/** Checks a complete spec (VALIDATION_ERROR). */
export function checkCompleteSpec(spec: CompleteSpec): void {
  if (typeof spec.uid !== "string" || spec.uid.length === 0) throw invalid("uid must be a non-empty string", { uid: spec.uid });
  if (!OUTCOMES.includes(spec.outcome)) throw invalid(`outcome must be one of ${OUTCOMES.join(", ")}`, { outcome: spec.outcome });
  checkPorts(spec.ports);
}

function requirePorts(names: readonly string[], rows: readonly (Lsp | undefined)[]): Lsp[] {
  const missing = names.filter((_, i) => rows[i] === undefined);
  if (missing.length > 0) {
    const e = notFound("logical switch port", missing[0]!, { table: "Logical_Switch_Port", missing });
    throw e;
  }
  return rows as Lsp[];
}

function conflict(port: string, uid: string, reason: string, owner: MigrationOwner | undefined, message: string): OvnNbError {
  return new OvnNbError("MIGRATION_CONFLICT", `migration ${uid}: port ${port}: ${message}`, {
    details: { port, uid, reason, owner: owner?.uid ?? null, ownerSource: owner?.source, ownerTarget: owner?.target },
  });
}

function guardPort(b: PlanBuilder, port: Lsp, uid: string): void {
  b.guard(waitUnchanged(LogicalSwitchPort, port, GUARDED), (e) =>
    new OvnNbError("MIGRATION_CONFLICT", `migration ${uid}: port ${port.name} changed concurrently (options/external_ids); nothing was written`, {
      cause: e,
      details: { port: port.name, uid, reason: "concurrent-change" },
    }));
}

/**
 * The arm transaction for `spec`, built from `rows` (the ports' current rows, aligned with spec.ports;
 * undefined = missing). Throws NOT_FOUND (a port is missing), MIGRATION_CONFLICT (a port is armed by another
 * migration, by this uid towards other chassis, or carries multichassis options without a record).
 * An empty plan when every port is already armed by this migration.
 */
export function armPlan(spec: ArmSpec, rows: readonly (Lsp | undefined)[]): Plan<ArmResult> {
  checkArmSpec(spec);
  const ports = requirePorts(spec.ports, rows);
  const owner: MigrationOwner = { uid: spec.uid, source: spec.source, target: spec.target };
  const toWrite: Lsp[] = [];
  for (const port of ports) {
    const current = ownerOf(port);
    if (current === undefined) {
      const s = portMigrationState(port);
      if (s.phase === "foreign") {
        throw conflict(port.name, spec.uid, "foreign-multichassis", undefined,
          `has multichassis options (requested-chassis=${port.options.get(REQUESTED_CHASSIS) ?? ""}, activation-strategy=${s.activationStrategy ?? ""}) without an ownership record`);
      }
      toWrite.push(port);
    } else if (current.uid !== spec.uid) {
      throw conflict(port.name, spec.uid, "armed-by-other", current, `is armed by migration ${current.uid} (${current.source} -> ${current.target})`);
    } else if (current.source !== spec.source || current.target !== spec.target) {
      throw conflict(port.name, spec.uid, "different-chassis", current,
        `is armed by this migration towards ${current.source} -> ${current.target}, not ${spec.source} -> ${spec.target}`);
    } else if (!isArmedConsistently(port, current)) {
      toWrite.push(port); // our record, options altered since: repair
    }
  }
  if (toWrite.length === 0) return unchanged({ changed: false, written: [] });
  const b = new PlanBuilder();
  for (const port of ports) guardPort(b, port, spec.uid);
  const options = armedOptions(owner);
  const record = ownershipRecord(owner);
  for (const port of toWrite) {
    const mutations: Mutation[] = [
      ...setPairs(LogicalSwitchPort, "options", options),
      ...setPairs(LogicalSwitchPort, "external_ids", record),
    ];
    b.add(LogicalSwitchPort.op.mutate([LogicalSwitchPort.where._uuid.eq(port._uuid)], mutations));
  }
  const written = toWrite.map((p) => p.name);
  return b.build(() => ({ changed: true, written }));
}

/**
 * The complete transaction: every port must be owned by spec.uid (else STALE_MIGRATION, nothing built).
 * succeeded -> requested-chassis = recorded target; failed/aborted -> recorded source. Removes
 * activation-strategy and the record; other keys are untouched.
 */
export function completePlan(spec: CompleteSpec, rows: readonly (Lsp | undefined)[]): Plan<CompleteResult> {
  checkCompleteSpec(spec);
  const ports = requirePorts(spec.ports, rows);
  const finals: { port: Lsp; chassis: string }[] = [];
  for (const port of ports) {
    const owner = ownerOf(port);
    if (owner === undefined || owner.uid !== spec.uid) {
      const state = portMigrationState(port);
      throw new OvnNbError("STALE_MIGRATION",
        `migration ${spec.uid} does not own port ${port.name} (${owner === undefined ? state.phase : `owned by ${owner.uid}`}); nothing changed`, {
          details: { port: port.name, uid: spec.uid, owner: owner?.uid ?? null, phase: state.phase },
        });
    }
    finals.push({ port, chassis: spec.outcome === "succeeded" ? owner.target : owner.source });
  }
  const b = new PlanBuilder();
  for (const { port } of finals) guardPort(b, port, spec.uid);
  for (const { port, chassis } of finals) {
    const mutations: Mutation[] = [
      ...removeKeys(LogicalSwitchPort, "options", [REQUESTED_CHASSIS, ACTIVATION_STRATEGY]),
      ...(chassis === "" ? [] : [LogicalSwitchPort.mutate.options.insert(new Map([[REQUESTED_CHASSIS, chassis]]))]),
      ...removeKeys(LogicalSwitchPort, "external_ids", Object.values(MIGRATION_KEYS)),
    ];
    b.add(LogicalSwitchPort.op.mutate([LogicalSwitchPort.where._uuid.eq(port._uuid)], mutations));
  }
  const result: CompleteResult = { outcome: spec.outcome, ports: finals.map((f) => ({ port: f.port.name, chassis: f.chassis })) };
  return b.build(() => result);
}

export class MigrationApi {
  constructor(private readonly ctx: NbContext) {}

  private rows(names: readonly string[]): (Lsp | undefined)[] {
    return names.map((n) => rowsNamed(this.ctx, "Logical_Switch_Port", n)[0]);
  }

  /** The arm plan from the replica's current state (see armPlan). */
  planArm(spec: ArmSpec): Plan<ArmResult> {
    return armPlan(spec, this.rows(spec.ports));
  }

  /** Arms every port of the VM in one guarded transaction (no write when already armed by spec.uid). */
  async arm(spec: ArmSpec): Promise<ArmResult> {
    return this.ctx.run(this.planArm(spec));
  }

  planComplete(spec: CompleteSpec): Plan<CompleteResult> {
    return completePlan(spec, this.rows(spec.ports));
  }

  /** Ends the migration on every port in one guarded transaction (STALE_MIGRATION unless spec.uid owns them all). */
  async complete(spec: CompleteSpec): Promise<CompleteResult> {
    return this.ctx.run(this.planComplete(spec));
  }

  /** The migration state of a port (NOT_FOUND if missing); with SB bindings, "activated" is detected. */
  inspect(port: string, sb?: BindingSource | PortBindingState): PortMigrationState {
    const row = rowsNamed(this.ctx, "Logical_Switch_Port", port)[0];
    if (row === undefined) throw notFound("logical switch port", port, { table: "Logical_Switch_Port" });
    const binding = sb === undefined ? undefined : "binding" in sb && typeof sb.binding === "function" ? sb.binding(port) : (sb as PortBindingState);
    return portMigrationState(row, binding);
  }

  /** Every port whose ownership record names migration `uid`. */
  portsOf(uid: string, sb?: BindingSource): PortMigrationState[] {
    return rowsByExternalId(this.ctx, "Logical_Switch_Port", MIGRATION_KEYS.uid, uid)
      .map((row) => portMigrationState(row, sb?.binding(row.name)))
      .sort((a, b) => a.port.localeCompare(b.port));
  }
}
