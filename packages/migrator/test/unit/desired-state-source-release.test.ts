/**
 * completeAfterSourceRelease (opt-in): a Succeeded migration is completed once the source virt-launcher pod is
 * gone, or when the grace ran out; until then a wait with requeueAfter. Failed/aborted complete at once, and the
 * default (mode off) completes at once as before.
 */
import { expect } from "chai";
import { desiredPortState, type DesiredInputs, type Wanted } from "../../src/migration/desired-state.js";
import { planAction, type Action } from "../../src/migration/plan.js";
import { armedPort, launcher, VM, vmi, vmim } from "../support/builders.js";

const M1 = "m1-uid";
const M2 = "m2-uid";
const OWNER_AB = { uid: M1, source: "node-a", target: "node-b" };
const MODE = { graceMs: 30_000 };
const armed = [armedPort("p0", OWNER_AB), armedPort("p1", OWNER_AB)];
const target = launcher("tgt", { migrationUid: M1, node: "node-b" });
const source = (opts: { phase?: string; deleting?: boolean } = {}) => launcher("src", { node: "node-a", ...opts });
const COMPLETE_B: Action = { op: "complete", request: { vm: VM, migrationUid: M1, outcome: "succeeded", chassis: "node-b" } };

function run(partial: Partial<DesiredInputs>): { wanted: Wanted; action: Action } {
  const input: DesiredInputs = {
    vm: VM, vmi: vmi({ node: "node-b" }), migrations: [vmim(M1, "Succeeded")], pods: [source(), target], ports: armed,
    completeAfterSourceRelease: MODE, holdAgeMs: () => 0, ...partial,
  };
  const wanted = desiredPortState(input);
  return { wanted, action: planAction(VM, wanted, input.ports) };
}

describe("migrator desired-state: complete after the source release (opt-in)", () => {
  const table: { name: string; input: Partial<DesiredInputs>; wanted?: Wanted; action: Action }[] = [
    {
      name: "Succeeded, source pod Running -> wait, requeued at the end of the grace",
      input: {},
      wanted: { kind: "wait", reason: "source-pod-present", migrationUid: M1, retryAfterMs: 30_000 },
      action: { op: "requeue", afterMs: 30_000, reason: "source-pod-present" },
    },
    {
      name: "Succeeded, source pod present, 12 s into the grace -> requeued for the 18 s left",
      input: { holdAgeMs: () => 12_000 },
      action: { op: "requeue", afterMs: 18_000, reason: "source-pod-present" },
    },
    {
      name: "Succeeded, source pod being deleted but still running (NIC still plugged) -> still waits",
      input: { pods: [source({ deleting: true }), target] },
      action: { op: "requeue", afterMs: 30_000, reason: "source-pod-present" },
    },
    { name: "Succeeded, source pod gone from the cache -> complete", input: { pods: [target] }, action: COMPLETE_B },
    { name: "Succeeded, source pod terminated (phase Succeeded) -> complete", input: { pods: [source({ phase: "Succeeded" }), target] }, action: COMPLETE_B },
    { name: "Succeeded, source pod terminated (phase Failed) -> complete", input: { pods: [source({ phase: "Failed" }), target] }, action: COMPLETE_B },
    { name: "Succeeded, grace expired with the source pod still there -> complete", input: { holdAgeMs: () => 30_000 }, action: COMPLETE_B },
    { name: "Succeeded, no hold clock given (forever) -> complete", input: { holdAgeMs: undefined }, action: COMPLETE_B },
    {
      name: "the target pod (this migration's) on its node does not hold anything",
      input: { pods: [target, launcher("other-node", { node: "node-c" })] },
      action: COMPLETE_B,
    },
    {
      name: "Failed -> the source at once (the source pod stays: it runs the VM)",
      input: { vmi: vmi({ node: "node-a" }), migrations: [vmim(M1, "Failed")] },
      action: { op: "complete", request: { vm: VM, migrationUid: M1, outcome: "failed", chassis: "node-a" } },
    },
    {
      name: "aborted (VMIM deleted) -> the source at once",
      input: { vmi: vmi({ node: "node-a" }), migrations: [vmim(M1, "Failed", { deleting: true })] },
      action: { op: "complete", request: { vm: VM, migrationUid: M1, outcome: "aborted", chassis: "node-a" } },
    },
    {
      name: "mode off (default): Succeeded completes at once although the source pod runs",
      input: { completeAfterSourceRelease: undefined },
      action: COMPLETE_B,
    },
    {
      name: "orphan (VMIM gone) that the VMI says succeeded, source pod present -> waits too",
      input: { migrations: [], vmi: vmi({ node: "node-b", ms: { migrationUid: M1, sourceNode: "node-a", targetNode: "node-b", completed: true } }) },
      action: { op: "requeue", afterMs: 30_000, reason: "source-pod-present" },
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const r = run(c.input);
      if (c.wanted !== undefined) expect(r.wanted).to.deep.equal(c.wanted);
      expect(r.action).to.deep.equal(c.action);
    });
  }

  it("keeps the guards: only the owner's VMIM completes its ports; an in-flight newer migration stays armed", () => {
    const newer = { uid: M2, source: "node-b", target: "node-c" };
    const migrations = [vmim(M1, "Succeeded", { created: "2026-01-01T01:00:00Z" }), vmim(M2, "Running", { created: "2026-01-01T02:00:00Z" })];
    const r = run({ migrations, pods: [launcher("src", { node: "node-b" }), launcher("tgt2", { migrationUid: M2, node: "node-c" })], ports: [armedPort("p0", newer)] });
    expect(r.action).to.deep.equal({ op: "none", reason: "armed" });
  });

  it("multi-NIC: a completion held or released covers every owned port at once (one complete request)", () => {
    const held = run({});
    expect(held.action.op).to.equal("requeue");
    const released = run({ pods: [target] });
    expect(released.action).to.deep.equal(COMPLETE_B);
  });
});
