import { expect } from "chai";
import { desiredPortState, type DesiredInputs, type Wanted } from "../../src/migration/desired-state.js";
import { planAction, type Action } from "../../src/migration/plan.js";
import type { PortState } from "../../src/migration/backend.js";
import { armedPort, foreignPort, idlePort, launcher, VM, vmi, vmim } from "../support/builders.js";

const M1 = "m1-uid";
const M2 = "m2-uid";
const OWNER_AB = { uid: M1, source: "node-a", target: "node-b" };

function run(partial: Partial<DesiredInputs>): { wanted: Wanted; action: Action } {
  const input: DesiredInputs = { vm: VM, vmi: vmi({ node: "node-a" }), migrations: [], pods: [], ports: [idlePort("vm1.vms", "node-a")], ...partial };
  const wanted = desiredPortState(input);
  return { wanted, action: planAction(VM, wanted, input.ports) };
}

const source = launcher("virt-launcher-vm1-src", { node: "node-a" });

describe("migrator desired-state: arming", () => {
  it("no VMI / no migration: ports are not managed", () => {
    expect(run({ vmi: undefined }).wanted).to.deep.include({ kind: "unmanaged", reason: "no-vmi" });
    expect(run({ pods: [source] }).action).to.deep.include({ op: "none", reason: "no-migration" });
  });

  it("Kube-OVN #6823: Scheduling seen before the target pod has a node waits, and arms once it has one", () => {
    const pending = launcher("tgt", { migrationUid: M1, phase: "Pending" });
    expect(run({ migrations: [vmim(M1, "Scheduling")], pods: [source, pending] }).wanted).to.deep.include({ kind: "wait", reason: "target-not-scheduled" });
    expect(run({ migrations: [vmim(M1, "Scheduling")], pods: [source] }).wanted).to.deep.include({ kind: "wait", reason: "target-pod-missing" });
    const scheduled = launcher("tgt", { migrationUid: M1, phase: "Pending", node: "node-b" });
    const { action } = run({ migrations: [vmim(M1, "Scheduling")], pods: [source, scheduled] });
    expect(action).to.deep.equal({ op: "arm", request: { vm: VM, migrationUid: M1, source: "node-a", target: "node-b" } });
  });

  it("Kube-OVN #7415/#7416: a target kept Pending (hotplug volumes) is armed as soon as it has spec.nodeName, whatever the VMIM phase", () => {
    for (const phase of ["", "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"]) {
      const { action } = run({ migrations: [vmim(M1, phase)], pods: [source, launcher("tgt", { migrationUid: M1, phase: "Pending", node: "node-b" })] });
      expect(action.op, phase).to.equal("arm");
    }
  });

  it("a hotplug attachment pod with the migrationJobUID label is not the target (filter on kubevirt.io=virt-launcher)", () => {
    const hotplug = launcher("hp", { migrationUid: M1, node: "node-c", app: "hotplug-disk" });
    const target = launcher("tgt", { migrationUid: M1, phase: "Pending" });
    expect(run({ migrations: [vmim(M1, "Scheduling")], pods: [source, hotplug, target] }).wanted).to.deep.include({ kind: "wait", reason: "target-not-scheduled" });
    const scheduled = launcher("tgt", { migrationUid: M1, node: "node-b" });
    expect(run({ migrations: [vmim(M1, "Scheduling")], pods: [source, hotplug, scheduled] }).action).to.deep.include({ op: "arm" });
    expect((run({ migrations: [vmim(M1, "Scheduling")], pods: [source, hotplug, scheduled] }).action as { request: { target: string } }).request.target).to.equal("node-b");
  });

  it("pods of another VMI (another created-by uid) are ignored", () => {
    const other = launcher("tgt-other", { migrationUid: M1, node: "node-c", vmiUid: "someone-else" });
    expect(run({ migrations: [vmim(M1, "Scheduling")], pods: [source, other] }).wanted).to.deep.include({ kind: "wait", reason: "target-pod-missing" });
  });

  it("source: the VMI's migrationState for THIS migration, else the VMI's node, else the live source pod", () => {
    const target = launcher("tgt", { migrationUid: M1, node: "node-b" });
    const a = run({ vmi: vmi({ node: "node-x", ms: { migrationUid: M1, sourceNode: "node-a", targetNode: "node-b" } }), migrations: [vmim(M1, "Scheduled")], pods: [target] });
    expect((a.wanted as { owner: { source: string } }).owner.source).to.equal("node-a");
    const b = run({ vmi: vmi({}), migrations: [vmim(M1, "Scheduled")], pods: [source, target] });
    expect((b.wanted as { owner: { source: string } }).owner.source).to.equal("node-a");
    expect(run({ vmi: vmi({}), migrations: [vmim(M1, "Scheduled")], pods: [target] }).wanted).to.deep.include({ kind: "wait", reason: "source-unknown" });
  });

  it("Kube-OVN #6220: A->B->A arms source B, target A even while the VMI's migrationState still describes A->B", () => {
    const staleVmi = vmi({ node: "node-b", ms: { migrationUid: M1, sourceNode: "node-a", targetNode: "node-b", completed: true } });
    const back = launcher("tgt2", { migrationUid: M2, node: "node-a", phase: "Pending" });
    const { action } = run({
      vmi: staleVmi,
      migrations: [vmim(M1, "Succeeded", { created: "2026-01-01T01:00:00Z" }), vmim(M2, "Scheduling", { created: "2026-01-01T02:00:00Z" })],
      pods: [launcher("src-on-b", { node: "node-b", migrationUid: M1 }), back],
      ports: [idlePort("vm1.vms", "node-b")],
    });
    expect(action).to.deep.equal({ op: "arm", request: { vm: VM, migrationUid: M2, source: "node-b", target: "node-a" } });
  });

  it("a stale VMI naming a node where no live launcher pod runs is not trusted as the source", () => {
    const target = launcher("tgt", { migrationUid: M1, node: "node-b", phase: "Pending" });
    const staleVmi = vmi({ node: "node-c" });
    expect(run({ vmi: staleVmi, migrations: [vmim(M1, "Scheduling")], pods: [source, target] }).wanted).to.deep.include({ kind: "wait", reason: "source-mismatch" });
    const finishedOldSource = launcher("old", { node: "node-c", phase: "Succeeded" });
    expect(run({ vmi: vmi({ node: "node-a" }), migrations: [vmim(M1, "Scheduling")], pods: [finishedOldSource, source, target] }).action.op).to.equal("arm");
  });

  it("source equal to target is never armed", () => {
    expect(run({ migrations: [vmim(M1, "Scheduled")], pods: [source, launcher("tgt", { migrationUid: M1, node: "node-a" })] }).wanted).to.deep.include({ kind: "unmanaged", reason: "source-equals-target" });
  });

  it("a VMIM of a previous VMI incarnation (created before this VMI) is ignored", () => {
    const old = vmim(M1, "Scheduling", { created: "2025-12-31T00:00:00Z" });
    expect(run({ migrations: [old], pods: [source, launcher("tgt", { migrationUid: M1, node: "node-b" })] }).wanted).to.deep.include({ kind: "unmanaged", reason: "no-migration" });
  });

  it("never arms after activation (target domain ready on the VMI, or the target-ready annotation, or SB activated)", () => {
    const target = launcher("tgt", { migrationUid: M1, node: "node-b" });
    const readyVmi = vmi({ node: "node-a", ms: { migrationUid: M1, sourceNode: "node-a", targetNode: "node-b", targetNodeDomainReadyTimestamp: "2026-01-01T01:00:05Z" } });
    expect(run({ vmi: readyVmi, migrations: [vmim(M1, "Running")], pods: [source, target] }).wanted).to.deep.include({ kind: "unmanaged", reason: "activated-before-arm" });
    const annotated = launcher("tgt", { migrationUid: M1, node: "node-b", targetReady: true });
    expect(run({ migrations: [vmim(M1, "Running")], pods: [source, annotated] }).action.op).to.equal("none");
  });

  it("Kube-OVN #5955: a migration this daemon completed is never armed again, even if a stale cache shows it Running", () => {
    const target = launcher("tgt", { migrationUid: M1, node: "node-b" });
    const r = run({ migrations: [vmim(M1, "Running")], pods: [source, target], completed: new Set([M1]) });
    expect(r.wanted).to.deep.include({ kind: "unmanaged", reason: "already-completed" });
    expect(r.action.op).to.equal("none");
  });

  it("an abort requested before arming: not armed", () => {
    const target = launcher("tgt", { migrationUid: M1, node: "node-b" });
    expect(run({ migrations: [vmim(M1, "Scheduling", { deleting: true })], pods: [source, target] }).wanted).to.deep.include({ kind: "unmanaged", reason: "aborting" });
    const abortVmi = vmi({ node: "node-a", ms: { migrationUid: M1, abortRequested: true } });
    expect(run({ vmi: abortVmi, migrations: [vmim(M1, "Scheduling")], pods: [source, target] }).wanted).to.deep.include({ kind: "unmanaged", reason: "aborting" });
  });

  it("a target pod being deleted before arming: wait (the migration will fail)", () => {
    const target = launcher("tgt", { migrationUid: M1, node: "node-b", deleting: true });
    expect(run({ migrations: [vmim(M1, "Scheduling")], pods: [source, target] }).wanted).to.deep.include({ kind: "wait", reason: "target-terminating" });
  });

  it("no NIC port in NB yet: requeue after a while", () => {
    const r = run({ migrations: [vmim(M1, "Scheduling")], pods: [source, launcher("tgt", { migrationUid: M1, node: "node-b" })], ports: [] });
    expect(r.action).to.deep.equal({ op: "requeue", afterMs: 2000, reason: "no-ports" });
  });
});

describe("migrator desired-state: in flight", () => {
  const target = launcher("tgt", { migrationUid: M1, node: "node-b" });

  it("already armed by this migration: nothing to do (one arm, not one per event)", () => {
    const r = run({ migrations: [vmim(M1, "Running")], pods: [source, target], ports: [armedPort("p0", OWNER_AB), armedPort("p1", OWNER_AB)] });
    expect(r.wanted).to.deep.include({ kind: "armed", reason: "in-flight", repair: true });
    expect(r.action).to.deep.equal({ op: "none", reason: "armed" });
  });

  it("all NICs move together: one armed port and one idle port -> arm (the whole VM) again", () => {
    const r = run({ migrations: [vmim(M1, "Running")], pods: [source, target], ports: [armedPort("p0", OWNER_AB), idlePort("p1", "node-a")] });
    expect(r.action).to.deep.equal({ op: "arm", request: { vm: VM, migrationUid: M1, source: "node-a", target: "node-b" } });
  });

  it("never re-arms in Running after activation: drifted options are left alone once the target runs", () => {
    const ready = launcher("tgt", { migrationUid: M1, node: "node-b", targetReady: true });
    const drifted = armedPort("p0", OWNER_AB, { consistent: false });
    const r = run({ migrations: [vmim(M1, "Running")], pods: [source, ready], ports: [drifted] });
    expect(r.wanted).to.deep.include({ kind: "armed", repair: false });
    expect(r.action).to.deep.equal({ op: "none", reason: "activated-no-repair" });
    const sbActivated = run({ migrations: [vmim(M1, "Running")], pods: [source, target], ports: [armedPort("p0", OWNER_AB, { activated: true }), idlePort("p1", "node-a")] });
    expect(sbActivated.action.op).to.equal("none");
  });

  it("before activation, drifted options are repaired by re-arming", () => {
    const r = run({ migrations: [vmim(M1, "Scheduled")], pods: [source, target], ports: [armedPort("p0", OWNER_AB, { consistent: false })] });
    expect(r.action.op).to.equal("arm");
  });

  it("Kube-OVN #6665-like: deleting a launcher pod (source, target, or all) never clears a migration in flight", () => {
    const ports = [armedPort("p0", OWNER_AB)];
    for (const pods of [[target], [source], [], [source, launcher("tgt", { migrationUid: M1, node: "node-b", deleting: true })]]) {
      const r = run({ migrations: [vmim(M1, "Running")], pods, ports });
      expect(r.wanted.kind).to.equal("armed");
      expect(r.action).to.deep.equal({ op: "none", reason: "armed" });
    }
  });

  it("an abort requested while armed keeps the ports armed until the migration is final", () => {
    const r = run({ migrations: [vmim(M1, "Running", { deleting: true })], pods: [source, target], ports: [armedPort("p0", OWNER_AB)] });
    expect(r.action).to.deep.equal({ op: "none", reason: "armed" });
  });
});
