/**
 * The parts of KubeVirt's API (kubevirt.io/v1) and of virt-launcher pods that the migrator reads, and the
 * labels/annotations that tie them together (see DOMAIN.md, "KubeVirt signals"). Only the fields we use.
 *
 * Timestamps are `string | Date`: client-node's typed lists (pods) deserialize them to Date, watch events and
 * custom objects keep the RFC 3339 string.
 */

export type Timestamp = string | Date;

export const KUBEVIRT_GROUP = "kubevirt.io";
export const KUBEVIRT_VERSION = "v1";
export const VMI_PLURAL = "virtualmachineinstances";
export const VMIM_PLURAL = "virtualmachineinstancemigrations";

export const LABELS = Object.freeze({
  /** kubevirt.io=virt-launcher marks launcher pods (hotplug attachment pods carry other values). */
  app: "kubevirt.io",
  createdBy: "kubevirt.io/created-by",
  migrationJobUID: "kubevirt.io/migrationJobUID",
  vmiName: "kubevirt.io/vmi-name",
});
export const VIRT_LAUNCHER = "virt-launcher";
export const LAUNCHER_SELECTOR = `${LABELS.app}=${VIRT_LAUNCHER}`;

export const ANNOTATIONS = Object.freeze({
  domain: "kubevirt.io/domain",
  migrationJobName: "kubevirt.io/migrationJobName",
  /** A Go time string (not RFC 3339): only its presence is used. */
  migrationTargetReady: "kubevirt.io/migration-target-ready-timestamp",
  allowPodBridgeMigration: "kubevirt.io/allow-pod-bridge-network-live-migration",
});

export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: Timestamp;
  deletionTimestamp?: Timestamp;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** VMI status.migrationState: live progress of the current (or last) migration. */
export interface VmiMigrationState {
  /** This spelling (not migrationUID). */
  migrationUid?: string;
  sourceNode?: string;
  targetNode?: string;
  sourcePod?: string;
  targetPod?: string;
  startTimestamp?: Timestamp;
  /** First API sign that the target domain runs. */
  targetNodeDomainReadyTimestamp?: Timestamp;
  endTimestamp?: Timestamp;
  completed?: boolean;
  failed?: boolean;
  abortRequested?: boolean;
  /** "Aborting" | "Succeeded" | "Failed" */
  abortStatus?: string;
}

export interface VirtualMachineInstance {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  status?: {
    phase?: string;
    nodeName?: string;
    migrationState?: VmiMigrationState;
  };
}

export type VmimPhase =
  | ""
  | "Pending"
  | "Scheduling"
  | "Scheduled"
  | "PreparingTarget"
  | "TargetReady"
  | "Running"
  | "Succeeded"
  | "Failed";

export interface VirtualMachineInstanceMigration {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { vmiName?: string };
  status?: {
    phase?: VmimPhase | string;
    /** Only filled when the migration is final. */
    migrationState?: VmiMigrationState;
  };
}

/** A virt-launcher pod: only what the migrator reads (a client-node V1Pod fits). */
export interface LauncherPod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

export function isFinalPhase(phase: string | undefined): phase is "Succeeded" | "Failed" {
  return phase === "Succeeded" || phase === "Failed";
}

/** Milliseconds since the epoch, or undefined for a missing/unparsable timestamp. */
export function timeOf(t: Timestamp | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function keyOf(o: { metadata?: ObjectMeta } | undefined): string {
  return `${o?.metadata?.namespace ?? ""}/${o?.metadata?.name ?? ""}`;
}
