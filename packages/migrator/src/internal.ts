// Internals of @ovnkit/migrator for sibling suites (test/migrator) and advanced embedding. Not a stable API.
export { ResilientInformer } from "./kube/informer.js";
export type { InformerOptions, InformerVerb } from "./kube/informer.js";
export { MigratorInformers } from "./kube/informers.js";
export type { ClusterState, InformerSetOptions, InformerTuning } from "./kube/informers.js";
export { WorkQueue } from "./controller/work-queue.js";
export type { WorkItem, WorkQueueOptions } from "./controller/work-queue.js";
export { ExponentialRateLimiter, Backoff } from "./controller/rate-limiter.js";
export type { RateLimiter, BackoffOptions } from "./controller/rate-limiter.js";
export { Controller, asReconcileError, newReconcileId } from "./controller/controller.js";
export type { Reconciler, ReconcileContext, ReconcileResult, ControllerOptions } from "./controller/controller.js";
export { memoryLogger } from "./observability/logger.js";
export * from "./migration/signals.js";
export { LeaderElector } from "./kube/leader-election.js";
export type { LeaderElectionOptions } from "./kube/leader-election.js";
export { MigrationController } from "./controller/migration-controller.js";
export type { MigrationControllerOptions } from "./controller/migration-controller.js";
export { keyOfVmi, keyOfVmim, keyOfLauncherPod } from "./controller/keys.js";
