// Public API of @ovnkit/migrator. Explicit list: add exports here as modules land.
export { MigratorError, MIGRATOR_ERROR_CODES, isMigratorError } from "./errors.js";
export type { MigratorErrorCode } from "./errors.js";
// The backend contract (what the daemon needs from OVN NB) and its pure decision logic.
export { vmKey, parseVmKey } from "./migration/backend.js";
export type {
  MigrationBackend, VmRef, PortState, PortPhase, MigrationOwner, ArmRequest, CompleteRequest, MigrationOutcome,
} from "./migration/backend.js";
export { desiredPortState, portOwners } from "./migration/desired-state.js";
export type { DesiredInputs, Wanted, UnmanagedReason, WaitReason } from "./migration/desired-state.js";
export { planAction, isArmedFor } from "./migration/plan.js";
export type { Action, PlanOptions } from "./migration/plan.js";
// KubeVirt signals.
export * from "./kube/kubevirt-types.js";
// Observability.
export { MigratorMetrics } from "./observability/metrics.js";
export { createLogger, silentLogger, LOG_LEVELS } from "./observability/logger.js";
export type { Logger, LogLevel, LoggerOptions } from "./observability/logger.js";
