/**
 * The demo's analysis of a failed migration (analysis-failed.ts) and the multi-NIC join (nics.ts), pure, on
 * synthetic probe records: each check fails when its property is violated.
 */
import { expect } from "chai";
import type { Delivery, SentPacket } from "@ovnkit/sandbox";
import type { PortBindingState } from "@ovnkit/ovn-nb";
import type { AnalysisInput } from "../../examples/demo/analysis.js";
import { analyzeFailed } from "../../examples/demo/analysis-failed.js";
import type { PortTransaction } from "../../examples/demo/nb-transactions.js";
import { combineNics } from "../../examples/demo/nics.js";
import { syntheticProbe, syntheticTimeline } from "./synthetic-records.js";

const T0 = 2_000_000;
const STEPS: Record<string, number> = {
  "probe-start": 0, "arm": 100, "sb-additional-chassis": 120, "source-paused": 400, "source-resumed": 430, "complete": 440,
  "sb-source-alone": 450, "hv-synced": 460, "tail-end": 560,
};
const FINAL: PortBindingState = {
  logicalPort: "vm1", uuid: "u", chassis: "hv1", additionalChassis: [], requestedChassis: "hv1", requestedAdditionalChassis: [],
  activatedOn: [], activationStrategy: undefined, up: true,
};

/** A 5 ms stream over 0..600 ms, the VM on hv1 throughout except its pause (400-430). */
function run(opts: { atHv2?: number[]; lost?: number[]; final?: PortBindingState; dropped?: number } = {}): AnalysisInput {
  const timeline = syntheticTimeline(T0, STEPS);
  const sentTo: SentPacket[] = [];
  const sentFrom: SentPacket[] = [];
  const toVm: Delivery[] = [];
  const fromVm: Delivery[] = [];
  for (let seq = 0; seq * 5 <= 600; seq++) {
    const t = seq * 5;
    sentTo.push({ seq, sentAt: T0 + t, from: "hv3" });
    if (!opts.lost?.includes(seq)) toVm.push({ seq, chassis: "hv1", at: T0 + t + 0.5 });
    if (opts.atHv2?.includes(seq)) toVm.push({ seq, chassis: "hv2", at: T0 + t + 0.6 });
    if (t < 400 || t >= 430) {
      sentFrom.push({ seq, sentAt: T0 + t, from: "hv1" });
      fromVm.push({ seq, chassis: "hv3", at: T0 + t + 0.5 });
    }
  }
  const probe = syntheticProbe(T0, { sent: sentTo, delivered: toVm }, { sent: sentFrom, delivered: fromVm });
  return { probe, timeline, source: "hv1", target: "hv2", finalBinding: opts.final ?? FINAL, droppedAtTargetBeforeRarp: opts.dropped ?? 40, driverLatencies: [] };
}

const failed = (i: AnalysisInput) => analyzeFailed(i).checks.filter((c) => !c.ok).map((c) => c.name);
const TARGET_CHECK = "the target hv2 never received anything (traffic duplicated there, but blocked)";

describe("e2e: demo analysis of a failed migration (synthetic probe records)", () => {
  it("a clean failure passes: the only interruption is the VM's pause, measured at hv1 on both sides of it", () => {
    const a = analyzeFailed(run());
    expect(failed(run())).to.deep.equal([]);
    expect(a.outcome).to.equal("failed");
    expect(a.resumedOn).to.equal("hv1");
    expect(a.toVm.lastAtSource).to.deep.equal({ seq: 79, at: T0 + 395.5 });
    expect(a.toVm.firstAtTarget).to.deep.equal({ seq: 86, at: T0 + 430.5 });
    expect(a.toVm.gapMs).to.be.closeTo(35, 1e-6);
    expect(a.toVm.lost).to.equal(6); // 80..85 reached hv1 while the VM was paused
    expect(a.fromVm.gapMs).to.be.closeTo(35, 1e-6);
    expect(a.fromVm.lost).to.equal(0);
    expect(a.vmPausedMs).to.equal(30);
    expect(a.tail).to.deep.equal({ sent: 21, atTarget: 0, atSource: 21, lost: 0 });
  });

  it("fails when anything reaches hv2, or nothing was duplicated there", () => {
    expect(failed(run({ atHv2: [30] }))).to.deep.equal([TARGET_CHECK]);
    expect(failed(run({ dropped: 0 }))).to.deep.equal([TARGET_CHECK]);
    expect(failed(run({ atHv2: [100] }))).to.deep.equal([TARGET_CHECK, "after COMPLETE (failed), traffic reaches hv1 only (hv2's NIC still plugged), nothing lost"]);
  });

  it("fails when the network lost a packet, even outside the pause", () => {
    expect(failed(run({ lost: [50] }))).to.deep.equal(["no interruption beyond the VM's pause: the network lost nothing in either direction"]);
    expect(failed(run({ lost: [82] }))).to.deep.equal(["no interruption beyond the VM's pause: the network lost nothing in either direction"]);
  });

  it("fails when the port does not go back to hv1 alone", () => {
    for (const final of [{ ...FINAL, additionalChassis: ["hv2"] }, { ...FINAL, chassis: "hv2" }, { ...FINAL, requestedChassis: "hv1,hv2" }, { ...FINAL, activationStrategy: "rarp" }]) {
      expect(failed(run({ final })), JSON.stringify(final)).to.deep.equal(["the port goes back to hv1 alone"]);
    }
  });
});

describe("e2e: demo multi-NIC join (nics.ts)", () => {
  const CH = { source: "hv1", target: "hv2" };
  const txn = (n: number, at: number, rc: Record<string, string>): PortTransaction => ({ at, txn: `update #${n}`, requestedChassis: rc });
  const nics = () => [{ lsp: "vm1", analysis: analyzeFailed(run()) }, { lsp: "vm1-nic1", analysis: analyzeFailed(run()) }];
  const failedNames = (txns: PortTransaction[], n = nics()) => combineNics(n, txns, CH).checks.filter((c) => !c.ok).map((c) => c.name);

  it("passes when both NICs were armed in one transaction and completed in one", () => {
    const txns = [txn(1, 100, { "vm1": "hv1,hv2", "vm1-nic1": "hv1,hv2" }), txn(2, 440, { "vm1": "hv1", "vm1-nic1": "hv1" })];
    const a = combineNics(nics(), txns, CH);
    expect(failedNames(txns)).to.deep.equal([]);
    expect(a.checks.filter((c) => c.name.startsWith("vm1-nic1: "))).to.have.length(5);
  });

  it("fails when the NICs were armed or completed one by one", () => {
    const split = [txn(1, 100, { "vm1": "hv1,hv2" }), txn(2, 101, { "vm1-nic1": "hv1,hv2" }), txn(3, 440, { "vm1": "hv1", "vm1-nic1": "hv1" })];
    expect(failedNames(split)).to.deep.equal(["all 2 NICs armed in one NB transaction"]);
    const splitEnd = [txn(1, 100, { "vm1": "hv1,hv2", "vm1-nic1": "hv1,hv2" }), txn(2, 440, { "vm1": "hv1" }), txn(3, 441, { "vm1-nic1": "hv1" })];
    expect(failedNames(splitEnd)).to.deep.equal(["all 2 NICs completed in one NB transaction (requested-chassis=hv1)"]);
  });

  it("fails when one NIC's own check fails, naming the NIC", () => {
    const txns = [txn(1, 100, { "vm1": "hv1,hv2", "vm1-nic1": "hv1,hv2" }), txn(2, 440, { "vm1": "hv1", "vm1-nic1": "hv1" })];
    const bad = [{ lsp: "vm1", analysis: analyzeFailed(run()) }, { lsp: "vm1-nic1", analysis: analyzeFailed(run({ atHv2: [30] })) }];
    expect(failedNames(txns, bad)).to.deep.equal([`vm1-nic1: ${TARGET_CHECK}`]);
  });
});
