/**
 * The diff between wanted and current port state: the one backend call to make (or none). PURE.
 */
import type { ArmRequest, CompleteRequest, PortState, VmRef } from "./backend.js";
import type { Wanted } from "./desired-state.js";

export type Action =
  | { readonly op: "none"; readonly reason: string }
  | { readonly op: "requeue"; readonly afterMs: number; readonly reason: string }
  | { readonly op: "arm"; readonly request: ArmRequest }
  | { readonly op: "complete"; readonly request: CompleteRequest };

export interface PlanOptions {
  /** Retry period while a VM to arm has no NIC port in NB yet. Default 2000 ms. */
  readonly noPortsRetryMs?: number;
}

export function isArmedFor(p: PortState, owner: { uid: string; source: string; target: string }): boolean {
  return (
    (p.phase === "armed" || p.phase === "activated") &&
    p.consistent &&
    p.owner?.uid === owner.uid &&
    p.owner.source === owner.source &&
    p.owner.target === owner.target
  );
}

export function planAction(vm: VmRef, wanted: Wanted, ports: readonly PortState[], options: PlanOptions = {}): Action {
  switch (wanted.kind) {
    case "unmanaged":
      return { op: "none", reason: wanted.reason };
    case "wait":
      return wanted.retryAfterMs !== undefined
        ? { op: "requeue", afterMs: wanted.retryAfterMs, reason: wanted.reason }
        : { op: "none", reason: wanted.reason };
    case "armed": {
      if (ports.length === 0) return { op: "requeue", afterMs: options.noPortsRetryMs ?? 2000, reason: "no-ports" };
      if (ports.every((p) => isArmedFor(p, wanted.owner))) return { op: "none", reason: "armed" };
      if (!wanted.repair) return { op: "none", reason: "activated-no-repair" };
      const { uid, source, target } = wanted.owner;
      return { op: "arm", request: { vm, migrationUid: uid, source, target } };
    }
    case "completed": {
      if (!ports.some((p) => p.owner?.uid === wanted.migrationUid)) return { op: "none", reason: "completed" };
      if (wanted.chassis === "") return { op: "none", reason: "chassis-unknown" };
      return { op: "complete", request: { vm, migrationUid: wanted.migrationUid, outcome: wanted.outcome, chassis: wanted.chassis } };
    }
  }
}
