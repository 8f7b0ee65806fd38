/** Builders of KubeVirt objects and port states for the migrator's unit tests. */
import type { LauncherPod, VirtualMachineInstance, VirtualMachineInstanceMigration, VmiMigrationState } from "../../src/kube/kubevirt-types.js";
import type { MigrationOwner, PortState } from "../../src/migration/backend.js";

export const NS = "vms";
export const VM = { namespace: NS, name: "vm1" };
export const VMI_UID = "vmi-uid-1";

export function vmi(opts: { node?: string; ms?: VmiMigrationState; uid?: string; created?: string } = {}): VirtualMachineInstance {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: VM.name, namespace: NS, uid: opts.uid ?? VMI_UID, creationTimestamp: opts.created ?? "2026-01-01T00:00:00Z" },
    status: { phase: "Running", ...(opts.node ? { nodeName: opts.node } : {}), ...(opts.ms ? { migrationState: opts.ms } : {}) },
  };
}

export function vmim(uid: string, phase: string, opts: { created?: string; deleting?: boolean; vmiName?: string; ms?: VmiMigrationState } = {}): VirtualMachineInstanceMigration {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstanceMigration",
    metadata: {
      name: `mig-${uid}`,
      namespace: NS,
      uid,
      creationTimestamp: opts.created ?? "2026-01-01T01:00:00Z",
      labels: { "kubevirt.io/vmi-name": opts.vmiName ?? VM.name },
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T02:00:00Z" } : {}),
    },
    spec: { vmiName: opts.vmiName ?? VM.name },
    status: { phase, ...(opts.ms ? { migrationState: opts.ms } : {}) },
  };
}

export function launcher(
  name: string,
  opts: { node?: string; phase?: string; migrationUid?: string; vmiUid?: string; app?: string; deleting?: boolean; targetReady?: boolean } = {},
): LauncherPod {
  return {
    metadata: {
      name,
      namespace: NS,
      uid: `pod-${name}`,
      labels: {
        "kubevirt.io": opts.app ?? "virt-launcher",
        "kubevirt.io/created-by": opts.vmiUid ?? VMI_UID,
        ...(opts.migrationUid ? { "kubevirt.io/migrationJobUID": opts.migrationUid } : {}),
      },
      annotations: {
        "kubevirt.io/domain": VM.name,
        ...(opts.targetReady ? { "kubevirt.io/migration-target-ready-timestamp": "2026-01-01 01:00:05.123 +0000 UTC" } : {}),
      },
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T02:00:00Z" } : {}),
    },
    spec: opts.node ? { nodeName: opts.node } : {},
    status: { phase: opts.phase ?? "Running" },
  };
}

export function idlePort(port: string, chassis?: string): PortState {
  return { port, phase: "idle", owner: undefined, requestedChassis: chassis ? [chassis] : [], activationStrategy: undefined, consistent: true };
}

export function armedPort(port: string, owner: MigrationOwner, opts: { activated?: boolean; consistent?: boolean } = {}): PortState {
  return {
    port,
    phase: opts.activated ? "activated" : "armed",
    owner,
    requestedChassis: [owner.source, owner.target],
    activationStrategy: "rarp",
    consistent: opts.consistent ?? true,
  };
}

export function foreignPort(port: string, chassis: string[]): PortState {
  return { port, phase: "foreign", owner: undefined, requestedChassis: chassis, activationStrategy: "rarp", consistent: false };
}
