/**
 * Desired port state of one VM, level-triggered and PURE: from the VMI, its migrations (VMIMs), its
 * virt-launcher pods and the current ownership of its NIC ports, what the ports should be.
 *
 *   1. Ports owned by a migration (an ownership record) are settled first, by that migration only:
 *      its VMIM final -> completed (target on success, source on failure/abort, both from the RECORD, never
 *      recomputed from a VMI status that may describe another migration); VMIM in flight -> stays armed
 *      (repaired only before activation); VMIM gone -> resolved from the VMI once it is clearly over.
 *   2. Ports owned by nobody follow the current migration: armed as soon as its target pod has
 *      spec.nodeName (Pending included) and until activation; never armed again once activated, aborting,
 *      final, or already completed by this daemon. Final migrations never touch unowned ports (a replayed old
 *      Succeeded VMIM cannot overwrite anything).
 *   Pod deletions never clear anything: only a final migration (or a VMI that says it ended) completes.
 *   3. Opt-in (completeAfterSourceRelease): a Succeeded migration is completed only once its source
 *      virt-launcher pod is gone (removed, or phase Succeeded/Failed: the CNI unplugged the source NIC, so the
 *      source chassis released the port alone), or once the grace period (from the first such wait) ran
 *      out. Until then: wait with a retry at the end of the grace. Failed/aborted complete at once.
 *      (OVN 23.03 race, bench/README.md "completion loss": completing while the source still holds the port
 *      can leave it bound nowhere for a few ms.)
 */
import { LABELS, isFinalPhase, type LauncherPod, type VirtualMachineInstance, type VirtualMachineInstanceMigration } from "../kube/kubevirt-types.js";
import type { MigrationOutcome, MigrationOwner, PortState, VmRef } from "./backend.js";
import {
  currentMigration, isAborting, isActivated, launcherPodsOf, migrationsOf, orphanOutcome, outcomeOf, runningSourceNodes, sourceOf, targetPodOf, uidOf,
  vmiStateFor,
} from "./signals.js";

export interface DesiredInputs {
  readonly vm: VmRef;
  readonly vmi: VirtualMachineInstance | undefined;
  /** VMIMs (any namespace/VM: filtered here). */
  readonly migrations: readonly VirtualMachineInstanceMigration[];
  /** Pods (filtered here on kubevirt.io=virt-launcher and the VMI). */
  readonly pods: readonly LauncherPod[];
  readonly ports: readonly PortState[];
  /** Migrations this daemon completed: never armed again, whatever a (stale) cache says. */
  readonly completed?: ReadonlySet<string>;
  /** For how long ports have been seen owned by migration `uid` with no VMIM for it (ms). Default: forever. */
  readonly orphanAgeMs?: (uid: string) => number;
  /** How long an orphan owner is given to show up in the caches before the VMI decides. Default 0. */
  readonly orphanGraceMs?: number;
  /** Opt-in: complete a Succeeded migration only once its source pod is gone, or after the grace. Default off. */
  readonly completeAfterSourceRelease?: { readonly graceMs: number };
  /** For how long the completion of migration `uid` has been held for the source release (ms). Default: forever. */
  readonly holdAgeMs?: (uid: string) => number;
}

export type UnmanagedReason =
  | "no-vmi"
  | "no-migration"
  | "migration-final"
  | "already-completed"
  | "aborting"
  | "activated-before-arm"
  | "source-equals-target"
  | "orphan-unresolved";

export type WaitReason =
  | "target-pod-missing"
  | "target-terminating"
  | "target-not-scheduled"
  | "source-unknown"
  | "source-mismatch"
  | "orphan-in-flight"
  | "orphan-grace"
  | "source-pod-present";

export type Wanted =
  | { readonly kind: "unmanaged"; readonly reason: UnmanagedReason; readonly migrationUid?: string; readonly drift?: string }
  | { readonly kind: "wait"; readonly reason: WaitReason; readonly migrationUid?: string; readonly retryAfterMs?: number }
  | {
      readonly kind: "armed";
      readonly owner: MigrationOwner;
      /** False once activated: an armed port that drifted is left alone rather than re-armed with rarp. */
      readonly repair: boolean;
      readonly reason: "target-scheduled" | "in-flight";
    }
  | {
      readonly kind: "completed";
      readonly migrationUid: string;
      readonly outcome: MigrationOutcome;
      readonly chassis: string;
      readonly reason: "migration-final" | "orphan-ended" | "orphan-vmi-node";
    };

/** Distinct ownership records on the ports, in port order. */
export function portOwners(ports: readonly PortState[]): MigrationOwner[] {
  const seen = new Map<string, MigrationOwner>();
  for (const p of ports) if (p.owner !== undefined && !seen.has(p.owner.uid)) seen.set(p.owner.uid, p.owner);
  return [...seen.values()];
}

export function desiredPortState(input: DesiredInputs): Wanted {
  const { vm, vmi } = input;
  if (vmi === undefined) return { kind: "unmanaged", reason: "no-vmi" };
  const pods = launcherPodsOf(vm, vmi, input.pods);
  const migrations = migrationsOf(vm, vmi, input.migrations);
  const owners = portOwners(input.ports);
  if (owners.length > 0) {
    // Settle a migration whose VMIM is final or gone first; otherwise the one still in flight.
    const byUid = new Map(migrations.map((m) => [uidOf(m), m]));
    const ranked = [...owners].sort((a, b) => rank(byUid.get(a.uid)) - rank(byUid.get(b.uid)));
    return ownedState(input, ranked[0]!, byUid.get(ranked[0]!.uid), pods);
  }
  return unownedState(input, migrations, pods);
}

/** 0: VMIM gone, 1: final, 2: in flight. */
function rank(m: VirtualMachineInstanceMigration | undefined): number {
  return m === undefined ? 0 : isFinalPhase(m.status?.phase) ? 1 : 2;
}

function ownedState(input: DesiredInputs, owner: MigrationOwner, m: VirtualMachineInstanceMigration | undefined, pods: LauncherPod[]): Wanted {
  const { vmi, ports } = input;
  if (m !== undefined) {
    if (isFinalPhase(m.status?.phase)) {
      const outcome = outcomeOf(m, vmi);
      const hold = outcome === "succeeded" ? holdForSourceRelease(input, owner, pods) : undefined;
      return hold ?? completed(owner, outcome, vmi, m, "migration-final");
    }
    const activated = isActivated(owner.uid, vmi, pods, ports);
    // Repair (re-arm) only before activation, and only from a sane record.
    const sane = owner.source !== "" && owner.target !== "" && owner.source !== owner.target;
    return { kind: "armed", owner, repair: sane && !activated, reason: "in-flight" };
  }
  // An orphan: ports armed by a migration we have no VMIM for (aborted and deleted, garbage-collected, or
  // not in our cache yet). The VMI saying it ended decides; else a live target pod or a VMI that still
  // runs it means it is in flight.
  const ended = orphanOutcome(owner.uid, vmi);
  if (ended !== undefined) return (ended === "succeeded" ? holdForSourceRelease(input, owner, pods) : undefined) ?? completed(owner, ended, vmi, undefined, "orphan-ended");
  const target = targetPodOf(owner.uid, pods);
  if (target !== undefined && target.metadata?.deletionTimestamp === undefined) {
    return { kind: "wait", reason: "orphan-in-flight", migrationUid: owner.uid };
  }
  if (vmiStateFor(owner.uid, vmi) !== undefined) return { kind: "wait", reason: "orphan-in-flight", migrationUid: owner.uid };
  const grace = input.orphanGraceMs ?? 0;
  const age = input.orphanAgeMs?.(owner.uid) ?? Infinity;
  if (age < grace) return { kind: "wait", reason: "orphan-grace", migrationUid: owner.uid, retryAfterMs: grace - age };
  const node = vmi?.status?.nodeName;
  if (node !== undefined && node !== "" && node === owner.target) {
    return { kind: "completed", migrationUid: owner.uid, outcome: "succeeded", chassis: node, reason: "orphan-vmi-node" };
  }
  if (node !== undefined && node !== "" && node === owner.source) {
    return { kind: "completed", migrationUid: owner.uid, outcome: "failed", chassis: node, reason: "orphan-vmi-node" };
  }
  return { kind: "unmanaged", reason: "orphan-unresolved", migrationUid: owner.uid, drift: `ports armed by unknown migration ${owner.uid} (${owner.source} -> ${owner.target}); the VMI runs on ${node ?? "no node"}` };
}

/**
 * completeAfterSourceRelease: a wait while a live launcher pod of the VM (not this migration's target) still
 * runs on the source chassis and the grace has not run out; undefined: complete now. A pod with only a
 * deletionTimestamp still counts as present (its NIC is unplugged when its containers are gone).
 */
function holdForSourceRelease(input: DesiredInputs, owner: MigrationOwner, pods: readonly LauncherPod[]): Wanted | undefined {
  const mode = input.completeAfterSourceRelease;
  if (mode === undefined || owner.source === "") return undefined;
  const present = pods.some((p) =>
    p.metadata?.labels?.[LABELS.migrationJobUID] !== owner.uid && p.spec?.nodeName === owner.source && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  if (!present) return undefined;
  const age = input.holdAgeMs?.(owner.uid) ?? Infinity;
  if (age >= mode.graceMs) return undefined;
  return { kind: "wait", reason: "source-pod-present", migrationUid: owner.uid, retryAfterMs: mode.graceMs - age };
}

/** Completion from the ownership record; a record missing a side falls back to the migration's own state. */
function completed(
  owner: MigrationOwner,
  outcome: MigrationOutcome,
  vmi: VirtualMachineInstance | undefined,
  m: VirtualMachineInstanceMigration | undefined,
  reason: "migration-final" | "orphan-ended",
): Wanted {
  const ms = vmiStateFor(owner.uid, vmi) ?? m?.status?.migrationState;
  const chassis =
    outcome === "succeeded"
      ? owner.target || ms?.targetNode || vmi?.status?.nodeName || ""
      : owner.source || ms?.sourceNode || vmi?.status?.nodeName || "";
  return { kind: "completed", migrationUid: owner.uid, outcome, chassis, reason };
}

function unownedState(input: DesiredInputs, migrations: VirtualMachineInstanceMigration[], pods: LauncherPod[]): Wanted {
  const { vmi, ports } = input;
  const m = currentMigration(migrations);
  if (m === undefined) return withDrift({ kind: "unmanaged", reason: "no-migration" }, vmi, ports);
  const uid = uidOf(m);
  if (isFinalPhase(m.status?.phase)) return withDrift({ kind: "unmanaged", reason: "migration-final", migrationUid: uid }, vmi, ports);
  if (input.completed?.has(uid)) return { kind: "unmanaged", reason: "already-completed", migrationUid: uid };
  if (isAborting(m, vmi)) return { kind: "unmanaged", reason: "aborting", migrationUid: uid };
  const target = targetPodOf(uid, pods);
  if (target === undefined) return { kind: "wait", reason: "target-pod-missing", migrationUid: uid };
  if (target.metadata?.deletionTimestamp !== undefined) return { kind: "wait", reason: "target-terminating", migrationUid: uid };
  const targetNode = target.spec?.nodeName;
  if (!targetNode) return { kind: "wait", reason: "target-not-scheduled", migrationUid: uid };
  if (isActivated(uid, vmi, pods, ports)) return { kind: "unmanaged", reason: "activated-before-arm", migrationUid: uid };
  const source = sourceOf(uid, vmi, pods);
  if (!source) return { kind: "wait", reason: "source-unknown", migrationUid: uid };
  // Cross-check with the live source pods: caches are separate streams, and a stale VMI must not name a
  // wrong source (ports requested on a chassis the VM is not on would lose it before the migration ends).
  const live = runningSourceNodes(uid, pods);
  if (live.length > 0 && !live.includes(source)) return { kind: "wait", reason: "source-mismatch", migrationUid: uid };
  if (source === targetNode) return { kind: "unmanaged", reason: "source-equals-target", migrationUid: uid };
  return { kind: "armed", owner: { uid, source, target: targetNode }, repair: true, reason: "target-scheduled" };
}

/** Unowned ports that do not point at the VMI's node (or carry someone else's multichassis options). */
function withDrift(w: Extract<Wanted, { kind: "unmanaged" }>, vmi: VirtualMachineInstance | undefined, ports: readonly PortState[]): Wanted {
  const node = vmi?.status?.nodeName;
  const foreign = ports.filter((p) => p.phase === "foreign").map((p) => p.port);
  if (foreign.length > 0) return { ...w, drift: `ports with multichassis options not owned by ovnkit: ${foreign.join(", ")}` };
  if (!node) return w;
  const off = ports.filter((p) => p.phase === "idle" && p.requestedChassis.length === 1 && p.requestedChassis[0] !== node);
  if (off.length === 0) return w;
  return { ...w, drift: `ports ${off.map((p) => `${p.port} (requested-chassis=${p.requestedChassis[0]})`).join(", ")} do not point at the VMI's node ${node}` };
}
