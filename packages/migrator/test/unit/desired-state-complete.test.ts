import { expect } from "chai";
import fc from "fast-check";
import { desiredPortState, type DesiredInputs, type Wanted } from "../../src/migration/desired-state.js";
import { planAction, type Action } from "../../src/migration/plan.js";
import { armedPort, foreignPort, idlePort, launcher, VM, vmi, vmim } from "../support/builders.js";
import type { PortState } from "../../src/migration/backend.js";

const M1 = "m1-uid";
const M2 = "m2-uid";
const OWNER_AB = { uid: M1, source: "node-a", target: "node-b" };

function run(partial: Partial<DesiredInputs>): { wanted: Wanted; action: Action } {
  const input: DesiredInputs = { vm: VM, vmi: vmi({ node: "node-b" }), migrations: [], pods: [], ports: [idlePort("p0", "node-a")], ...partial };
  const wanted = desiredPortState(input);
  return { wanted, action: planAction(VM, wanted, input.ports) };
}

describe("migrator desired-state: completion", () => {
  const armed = [armedPort("p0", OWNER_AB), armedPort("p1", OWNER_AB)];

  it("Succeeded -> the target chassis (from the ownership record)", () => {
    expect(run({ migrations: [vmim(M1, "Succeeded")], ports: armed }).action).to.deep.equal({
      op: "complete", request: { vm: VM, migrationUid: M1, outcome: "succeeded", chassis: "node-b" },
    });
  });

  it("Failed -> the source chassis; an abort (VMIM deleted, or abortStatus) -> aborted, source chassis", () => {
    expect(run({ vmi: vmi({ node: "node-a" }), migrations: [vmim(M1, "Failed")], ports: armed }).action).to.deep.equal({
      op: "complete", request: { vm: VM, migrationUid: M1, outcome: "failed", chassis: "node-a" },
    });
    expect(run({ migrations: [vmim(M1, "Failed", { deleting: true })], ports: armed }).action).to.deep.include({ op: "complete" });
    expect((run({ migrations: [vmim(M1, "Failed", { deleting: true })], ports: armed }).action as { request: { outcome: string } }).request.outcome).to.equal("aborted");
    const abortVmi = vmi({ node: "node-a", ms: { migrationUid: M1, abortStatus: "Succeeded", failed: true, completed: true } });
    expect((run({ vmi: abortVmi, migrations: [vmim(M1, "Failed")], ports: armed }).action as { request: { outcome: string; chassis: string } }).request).to.include({ outcome: "aborted", chassis: "node-a" });
  });

  it("Kube-OVN #6220: completion uses the record, not a VMI status that describes another migration", () => {
    const back = { uid: M2, source: "node-b", target: "node-a" };
    const staleVmi = vmi({ node: "node-b", ms: { migrationUid: M1, sourceNode: "node-a", targetNode: "node-b", completed: true } });
    const r = run({ vmi: staleVmi, migrations: [vmim(M1, "Succeeded", { created: "2026-01-01T01:00:00Z" }), vmim(M2, "Succeeded", { created: "2026-01-01T02:00:00Z" })], ports: [armedPort("p0", back)] });
    expect(r.action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M2, outcome: "succeeded", chassis: "node-a" } });
  });

  it("Kube-OVN #7419/#7420: a migration that failed before the VMI knew it is still completed (to the source)", () => {
    const vmiUnaware = vmi({ node: "node-a" });
    const r = run({ vmi: vmiUnaware, migrations: [vmim(M1, "Failed")], pods: [launcher("src", { node: "node-a" })], ports: armed });
    expect(r.action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M1, outcome: "failed", chassis: "node-a" } });
  });

  it("Kube-OVN #7419: a replayed old Succeeded VMIM never touches ports a newer migration owns", () => {
    const newer = { uid: M2, source: "node-b", target: "node-c" };
    const migrations = [vmim(M1, "Succeeded", { created: "2026-01-01T01:00:00Z" }), vmim(M2, "Running", { created: "2026-01-01T02:00:00Z" })];
    const pods = [launcher("src", { node: "node-b" }), launcher("tgt", { migrationUid: M2, node: "node-c" })];
    const r = run({ migrations, pods, ports: [armedPort("p0", newer)] });
    expect(r.wanted).to.deep.include({ kind: "armed", reason: "in-flight" });
    expect(r.action).to.deep.equal({ op: "none", reason: "armed" });
  });

  it("a final migration never touches unowned ports; a port that does not point at the VMI's node is reported as drift", () => {
    const done = run({ migrations: [vmim(M1, "Succeeded")], ports: [idlePort("p0", "node-b")] });
    expect(done.wanted).to.deep.equal({ kind: "unmanaged", reason: "migration-final", migrationUid: M1 });
    expect(done.action.op).to.equal("none");
    const stale = run({ migrations: [vmim(M1, "Succeeded")], ports: [idlePort("p0", "node-a")] });
    expect(stale.action.op).to.equal("none");
    expect((stale.wanted as { drift?: string }).drift).to.match(/requested-chassis=node-a/);
    const foreign = run({ ports: [foreignPort("p0", ["node-a", "node-b"])] });
    expect((foreign.wanted as { drift?: string }).drift).to.match(/not owned by ovnkit/);
  });

  it("already completed: the record is gone, nothing to do", () => {
    expect(run({ migrations: [vmim(M1, "Succeeded")], ports: [idlePort("p0", "node-b")] }).action.op).to.equal("none");
  });

  it("mixed ownership (a final migration still owns one NIC): settle the final one first", () => {
    const newer = { uid: M2, source: "node-b", target: "node-c" };
    const r = run({
      migrations: [vmim(M1, "Succeeded", { created: "2026-01-01T01:00:00Z" }), vmim(M2, "Scheduled", { created: "2026-01-01T02:00:00Z" })],
      pods: [launcher("tgt", { migrationUid: M2, node: "node-c" })],
      ports: [armedPort("p0", newer), armedPort("p1", OWNER_AB)],
    });
    expect(r.action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M1, outcome: "succeeded", chassis: "node-b" } });
  });
});

describe("migrator desired-state: orphans (ports armed by a migration with no VMIM)", () => {
  const armed = [armedPort("p0", OWNER_AB)];

  it("a live target pod of that migration: in flight, wait", () => {
    expect(run({ ports: armed, pods: [launcher("tgt", { migrationUid: M1, node: "node-b" })] }).wanted).to.deep.include({ kind: "wait", reason: "orphan-in-flight" });
  });

  it("the VMI says the migration ended: completed accordingly", () => {
    const ok = vmi({ node: "node-b", ms: { migrationUid: M1, completed: true, sourceNode: "node-a", targetNode: "node-b" } });
    expect(run({ vmi: ok, ports: armed }).action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M1, outcome: "succeeded", chassis: "node-b" } });
    const failed = vmi({ node: "node-a", ms: { migrationUid: M1, completed: true, failed: true } });
    expect((run({ vmi: failed, ports: armed }).action as { request: { outcome: string; chassis: string } }).request).to.include({ outcome: "failed", chassis: "node-a" });
    const aborted = vmi({ node: "node-a", ms: { migrationUid: M1, abortStatus: "Succeeded" } });
    expect((run({ vmi: aborted, ports: armed }).action as { request: { outcome: string } }).request.outcome).to.equal("aborted");
    const running = vmi({ node: "node-a", ms: { migrationUid: M1, sourceNode: "node-a", targetNode: "node-b" } });
    expect(run({ vmi: running, ports: armed }).wanted).to.deep.include({ kind: "wait", reason: "orphan-in-flight" });
  });

  it("an aborted migration whose VMIM is gone is completed even while its target pod still exists", () => {
    const aborted = vmi({ node: "node-a", ms: { migrationUid: M1, abortRequested: true, abortStatus: "Succeeded" } });
    const r = run({ vmi: aborted, ports: armed, pods: [launcher("tgt", { migrationUid: M1, node: "node-b" })] });
    expect(r.action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M1, outcome: "aborted", chassis: "node-a" } });
  });

  it("no word from the VMI: wait out the grace period, then follow the VMI's node", () => {
    const g = run({ vmi: vmi({ node: "node-a" }), ports: armed, orphanGraceMs: 10_000, orphanAgeMs: () => 4_000 });
    expect(g.action).to.deep.equal({ op: "requeue", afterMs: 6_000, reason: "orphan-grace" });
    const onSource = run({ vmi: vmi({ node: "node-a" }), ports: armed, orphanGraceMs: 10_000, orphanAgeMs: () => 10_000 });
    expect(onSource.action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M1, outcome: "failed", chassis: "node-a" } });
    const onTarget = run({ vmi: vmi({ node: "node-b" }), ports: armed });
    expect(onTarget.action).to.deep.equal({ op: "complete", request: { vm: VM, migrationUid: M1, outcome: "succeeded", chassis: "node-b" } });
    const elsewhere = run({ vmi: vmi({ node: "node-z" }), ports: armed });
    expect(elsewhere.wanted).to.deep.include({ kind: "unmanaged", reason: "orphan-unresolved" });
    expect(elsewhere.action.op).to.equal("none");
  });
});

describe("migrator desired-state: invariants (property)", () => {
  const nodes = ["node-a", "node-b", "node-c"];
  const uids = [M1, M2, "m3-uid"];
  const phases = ["", "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded", "Failed"];
  const arbPort = fc.oneof(
    fc.constantFrom(...nodes).map((n) => idlePort("p0", n)),
    fc.record({ uid: fc.constantFrom(...uids), source: fc.constantFrom(...nodes), target: fc.constantFrom(...nodes), activated: fc.boolean(), consistent: fc.boolean() })
      .map((o) => armedPort("p0", { uid: o.uid, source: o.source, target: o.target }, { activated: o.activated, consistent: o.consistent })),
  );
  const arbInput = fc.record({
    node: fc.constantFrom(...nodes),
    migrations: fc.uniqueArray(fc.record({ uid: fc.constantFrom(...uids), phase: fc.constantFrom(...phases), deleting: fc.boolean(), hour: fc.integer({ min: 1, max: 9 }) }), { selector: (m) => m.uid, maxLength: 3 }),
    targets: fc.array(fc.record({ uid: fc.constantFrom(...uids), node: fc.option(fc.constantFrom(...nodes), { nil: undefined }), ready: fc.boolean(), deleting: fc.boolean() }), { maxLength: 3 }),
    ports: fc.array(arbPort, { maxLength: 2 }),
    completed: fc.subarray(uids),
  });

  it("arms only a non-final, non-completed, not activated migration whose target pod has that node; completes only an owner", () => {
    fc.assert(
      fc.property(arbInput, (x) => {
        const migrations = x.migrations.map((m) => vmim(m.uid, m.phase, { deleting: m.deleting, created: `2026-01-01T0${m.hour}:00:00Z` }));
        const pods = [launcher("src", { node: x.node }), ...x.targets.map((t, i) => launcher(`tgt${i}`, { migrationUid: t.uid, ...(t.node ? { node: t.node } : {}), targetReady: t.ready, deleting: t.deleting }))];
        const ports: PortState[] = x.ports.map((p, i) => ({ ...p, port: `p${i}` }));
        const input: DesiredInputs = { vm: VM, vmi: vmi({ node: x.node }), migrations, pods, ports, completed: new Set(x.completed) };
        const action = planAction(VM, desiredPortState(input), ports);
        if (action.op === "arm") {
          const r = action.request;
          const m = migrations.find((mm) => mm.metadata!.uid === r.migrationUid)!;
          expect(["Succeeded", "Failed"]).to.not.include(m.status!.phase);
          expect(r.source).to.not.equal(r.target);
          const owned = ports.some((p) => p.owner?.uid === r.migrationUid);
          if (!owned) {
            expect(x.completed).to.not.include(r.migrationUid);
            const live = pods.filter((p) => p.metadata!.labels!["kubevirt.io/migrationJobUID"] === r.migrationUid && !p.metadata!.deletionTimestamp);
            expect(live.map((p) => p.spec!.nodeName)).to.include(r.target);
            expect(live.some((p) => p.metadata!.annotations!["kubevirt.io/migration-target-ready-timestamp"] !== undefined && p.spec!.nodeName === r.target)).to.equal(false);
          } else {
            expect(ports.some((p) => p.owner?.uid === r.migrationUid && p.phase === "activated")).to.equal(false);
          }
        }
        if (action.op === "complete") {
          const owner = ports.find((p) => p.owner?.uid === action.request.migrationUid)!.owner!;
          expect(action.request.chassis).to.equal(action.request.outcome === "succeeded" ? owner.target : owner.source);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
