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
// The daemon, its configuration and the OVN NB backend.
export { MigratorDaemon, loadKubeConfig } from "./daemon.js";
export type { DaemonDeps, DaemonTuning, DaemonBackend, DaemonEnd } from "./daemon.js";
export { validateConfig } from "./config.js";
export type { MigratorConfig, RawOptions } from "./config.js";
export { main, parseArgs } from "./cli.js";
export { OvnNbBackend, LazyConnection, toPortState, DEFAULT_VM_PORT_KEY } from "./migration/ovn-nb-backend.js";
export type { OvnNbBackendOptions, OvnNbRemoteOptions, BackendHooks } from "./migration/ovn-nb-backend.js";
export { SessionClient } from "./migration/session-client.js";
export type { ClientSource, SessionBacked } from "./migration/session-client.js";
export { vmKeysOfPortChange } from "./migration/nb-port-changes.js";
export type { PortChange, PortRowView } from "./migration/nb-port-changes.js";
export { MigrationReconciler } from "./migration/reconciler.js";
export type { MigrationReconcilerOptions } from "./migration/reconciler.js";
export { KubeEventRecorder, MemoryEventSink, refOf } from "./kube/events.js";
export type { EventSink, EventType, ObjectRef, EventRecorderOptions } from "./kube/events.js";
export { HealthServer, parseHostPort } from "./observability/http-server.js";
export type { HealthServerOptions, ReadinessCheck } from "./observability/http-server.js";
