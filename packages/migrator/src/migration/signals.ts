/**
 * Pure readers of KubeVirt signals for one VM: which launcher pods and migrations belong to it, the target
 * pod of a migration, whether the target already runs (activation), where the source is, and how a final
 * migration ended. Node names are chassis names.
 */
import {
  ANNOTATIONS, LABELS, VIRT_LAUNCHER, isFinalPhase, timeOf,
  type LauncherPod, type VirtualMachineInstance, type VirtualMachineInstanceMigration, type VmiMigrationState,
} from "../kube/kubevirt-types.js";
import type { MigrationOutcome, PortState, VmRef } from "./backend.js";

/** Launcher pods of the VM: label kubevirt.io=virt-launcher, and created by (or owned by) this VMI. */
export function launcherPodsOf(vm: VmRef, vmi: VirtualMachineInstance | undefined, pods: readonly LauncherPod[]): LauncherPod[] {
  const uid = vmi?.metadata?.uid;
  return pods.filter((p) => {
    const m = p.metadata;
    if (m?.namespace !== vm.namespace || m.labels?.[LABELS.app] !== VIRT_LAUNCHER) return false;
    if (uid !== undefined) {
      return m.labels?.[LABELS.createdBy] === uid || (m.ownerReferences ?? []).some((o) => o.uid === uid);
    }
    return m.annotations?.[ANNOTATIONS.domain] === vm.name;
  });
}

/**
 * Migrations of the VM (spec.vmiName), oldest first (creationTimestamp, then name). Migrations created before
 * this VMI (a previous incarnation with the same name) are dropped.
 */
export function migrationsOf(
  vm: VmRef,
  vmi: VirtualMachineInstance | undefined,
  migrations: readonly VirtualMachineInstanceMigration[],
): VirtualMachineInstanceMigration[] {
  const born = timeOf(vmi?.metadata?.creationTimestamp);
  return migrations
    .filter((m) => m.metadata?.namespace === vm.namespace && m.spec?.vmiName === vm.name)
    .filter((m) => {
      const t = timeOf(m.metadata?.creationTimestamp);
      return born === undefined || t === undefined || t >= born;
    })
    .sort((a, b) => {
      const ta = timeOf(a.metadata?.creationTimestamp) ?? 0;
      const tb = timeOf(b.metadata?.creationTimestamp) ?? 0;
      if (ta !== tb) return ta - tb;
      const na = a.metadata?.name ?? "";
      const nb = b.metadata?.name ?? "";
      return na < nb ? -1 : na > nb ? 1 : 0;
    });
}

export function uidOf(m: { metadata?: { uid?: string } }): string {
  return m.metadata?.uid ?? "";
}

/** The migration that drives the VM when no port is owned: the newest in flight, else the newest. */
export function currentMigration(migrations: readonly VirtualMachineInstanceMigration[]): VirtualMachineInstanceMigration | undefined {
  const inFlight = migrations.filter((m) => !isFinalPhase(m.status?.phase));
  return inFlight[inFlight.length - 1] ?? migrations[migrations.length - 1];
}

/** The target pod of migration `uid` (label kubevirt.io/migrationJobUID), preferring a live, scheduled one. */
export function targetPodOf(uid: string, launcherPods: readonly LauncherPod[]): LauncherPod | undefined {
  const candidates = launcherPods.filter((p) => p.metadata?.labels?.[LABELS.migrationJobUID] === uid);
  const score = (p: LauncherPod) => (p.metadata?.deletionTimestamp === undefined ? 2 : 0) + (p.spec?.nodeName ? 1 : 0);
  return candidates.sort((a, b) => score(b) - score(a))[0];
}

/** VMI status.migrationState when it is about migration `uid`. */
export function vmiStateFor(uid: string, vmi: VirtualMachineInstance | undefined): VmiMigrationState | undefined {
  const ms = vmi?.status?.migrationState;
  return ms !== undefined && ms.migrationUid === uid ? ms : undefined;
}

/**
 * True once the target domain runs (or the switch-over happened): from then on the guest may have sent its
 * RARP, so the ports must never be (re-)armed with activation-strategy=rarp for this migration.
 */
export function isActivated(
  uid: string,
  vmi: VirtualMachineInstance | undefined,
  launcherPods: readonly LauncherPod[],
  ports: readonly PortState[],
): boolean {
  const ms = vmiStateFor(uid, vmi);
  if (ms !== undefined && (ms.targetNodeDomainReadyTimestamp !== undefined || ms.completed === true || ms.endTimestamp !== undefined)) return true;
  const targets = launcherPods.filter((p) => p.metadata?.labels?.[LABELS.migrationJobUID] === uid);
  if (targets.some((p) => p.metadata?.annotations?.[ANNOTATIONS.migrationTargetReady] !== undefined)) return true;
  return ports.some((p) => p.owner?.uid === uid && p.phase === "activated");
}

/** An abort was asked for (the VMIM is being deleted, or the VMI says so). */
export function isAborting(m: VirtualMachineInstanceMigration, vmi: VirtualMachineInstance | undefined): boolean {
  if (m.metadata?.deletionTimestamp !== undefined) return true;
  const ms = vmiStateFor(uidOf(m), vmi);
  return ms?.abortRequested === true || (ms?.abortStatus !== undefined && ms.abortStatus !== "");
}

/**
 * The source chassis of migration `uid`: the VMI's migrationState when it is about this migration (never a
 * previous one: A->B->A), else the VMI's current node (it moves only at the end), else the live launcher pod
 * that is not this migration's target.
 */
export function sourceOf(uid: string, vmi: VirtualMachineInstance | undefined, launcherPods: readonly LauncherPod[]): string | undefined {
  const ms = vmiStateFor(uid, vmi);
  if (ms?.sourceNode) return ms.sourceNode;
  if (vmi?.status?.nodeName) return vmi.status.nodeName;
  const source = launcherPods.find(
    (p) => p.metadata?.labels?.[LABELS.migrationJobUID] !== uid && p.metadata?.deletionTimestamp === undefined && p.status?.phase === "Running" && p.spec?.nodeName,
  );
  return source?.spec?.nodeName;
}

/** Nodes of the Running launcher pods that are not migration `uid`'s target (where the VM runs now). */
export function runningSourceNodes(uid: string, launcherPods: readonly LauncherPod[]): string[] {
  return launcherPods
    .filter((p) => p.metadata?.labels?.[LABELS.migrationJobUID] !== uid && p.metadata?.deletionTimestamp === undefined && p.status?.phase === "Running" && p.spec?.nodeName)
    .map((p) => p.spec!.nodeName!);
}

/** How a final migration ended. */
export function outcomeOf(m: VirtualMachineInstanceMigration, vmi: VirtualMachineInstance | undefined): MigrationOutcome {
  if (m.status?.phase === "Succeeded") return "succeeded";
  const ms = vmiStateFor(uidOf(m), vmi) ?? m.status?.migrationState;
  const aborted = m.metadata?.deletionTimestamp !== undefined || ms?.abortStatus === "Succeeded" || ms?.abortRequested === true;
  return aborted ? "aborted" : "failed";
}

/** How a migration we have no VMIM for ended, from the VMI's migrationState (undefined: not known to be over). */
export function orphanOutcome(uid: string, vmi: VirtualMachineInstance | undefined): MigrationOutcome | undefined {
  const ms = vmiStateFor(uid, vmi);
  if (ms === undefined) return undefined;
  if (ms.abortStatus === "Succeeded") return "aborted";
  if (ms.completed !== true && ms.endTimestamp === undefined) return undefined;
  if (ms.failed === true) return ms.abortRequested === true ? "aborted" : "failed";
  return "succeeded";
}
