/**
 * The demo's analysis (pure) on synthetic probe records: each check fails when its property is violated, and the
 * interruption is the time from the last delivery with the VM on the source to the first with it on the target.
 */
import { expect } from "chai";
import type { Delivery, SentPacket } from "@ovnkit/sandbox";
import type { PortBindingState } from "@ovnkit/ovn-nb";
import { analyze, type AnalysisInput } from "../../examples/demo/analysis.js";
import { syntheticProbe, syntheticTimeline } from "./synthetic-records.js";

const T0 = 1_000_000;
const STEPS: Record<string, number> = {
  "probe-start": 0, "arm": 100, "sb-additional-chassis": 120, "source-paused": 400, "rarp": 430, "sb-activated": 440,
  "complete": 470, "sb-target-alone": 480, "hv-synced": 490, "tail-end": 590,
};
const FINAL: PortBindingState = {
  logicalPort: "vm1", uuid: "u", chassis: "hv2", additionalChassis: [], requestedChassis: "hv2", requestedAdditionalChassis: [],
  activatedOn: [], activationStrategy: undefined, up: true,
};

/** A 5 ms stream over 0..600 ms: the VM on hv1 until `pausedAt`, on hv2 from `deliverAtHv2From`; duplicates until 480. */
function run(opts: { hv2From?: number; earlyHv2?: number[]; final?: PortBindingState; dropped?: number; stopHv1At?: number } = {}): AnalysisInput {
  const timeline = syntheticTimeline(T0, STEPS);
  const hv2From = opts.hv2From ?? 440;
  const sentTo: SentPacket[] = [];
  const sentFrom: SentPacket[] = [];
  const toVm: Delivery[] = [];
  const fromVm: Delivery[] = [];
  for (let seq = 0; seq * 5 <= 600; seq++) {
    const t = seq * 5;
    sentTo.push({ seq, sentAt: T0 + t, from: "hv3" });
    if (t < (opts.stopHv1At ?? 480)) toVm.push({ seq, chassis: "hv1", at: T0 + t + 0.5 });
    if (t >= hv2From || opts.earlyHv2?.includes(seq)) toVm.push({ seq, chassis: "hv2", at: T0 + t + 0.6 });
    if (t < 400) {
      sentFrom.push({ seq, sentAt: T0 + t, from: "hv1" });
      fromVm.push({ seq, chassis: "hv3", at: T0 + t + 0.5 });
    } else if (t >= 430) {
      sentFrom.push({ seq, sentAt: T0 + t, from: "hv2" });
      if (t >= hv2From) fromVm.push({ seq, chassis: "hv3", at: T0 + t + 0.5 });
    }
  }
  const probe = syntheticProbe(T0, { sent: sentTo, delivered: toVm }, { sent: sentFrom, delivered: fromVm });
  return { probe, timeline, source: "hv1", target: "hv2", finalBinding: opts.final ?? FINAL, droppedAtTargetBeforeRarp: opts.dropped ?? 50, driverLatencies: [] };
}

const failed = (i: AnalysisInput) => analyze(i).checks.filter((c) => !c.ok).map((c) => c.name);

describe("e2e: demo analysis (synthetic probe records)", () => {
  it("a clean switch-over passes: gaps from the last delivery on hv1 (before the pause) to the first on hv2", () => {
    const a = analyze(run());
    expect(failed(run())).to.deep.equal([]);
    expect(a.toVm.lastAtSource).to.deep.equal({ seq: 79, at: T0 + 395.5 });
    expect(a.toVm.firstAtTarget).to.deep.equal({ seq: 88, at: T0 + 440.6 });
    expect(a.toVm.gapMs).to.be.closeTo(45.1, 1e-6);
    expect(a.toVm.lost).to.equal(8); // 80..87: at the paused source or nowhere
    expect(a.fromVm.gapMs).to.be.closeTo(45, 1e-6);
    expect(a.fromVm.lost).to.equal(2); // sent from hv2 at 430 and 435, still blocked
    expect(a.vmPausedMs).to.equal(30);
    expect(a.duplicated).to.equal(8); // 440..475 at both
    expect(a.tail).to.deep.equal({ sent: 21, atTarget: 21, atSource: 0, lost: 0 });
    expect(a.interruptionMs).to.be.closeTo(45.1, 1e-6);
  });

  it("fails when anything reaches hv2 before the RARP, or nothing was duplicated there", () => {
    expect(failed(run({ earlyHv2: [30] }))).to.deep.equal(["nothing reaches hv2 before the RARP (traffic duplicated there, but blocked)"]);
    expect(analyze(run({ earlyHv2: [30, 31] })).deliveredAtTargetBeforeRarp).to.equal(2);
    expect(failed(run({ dropped: 0 }))).to.deep.equal(["nothing reaches hv2 before the RARP (traffic duplicated there, but blocked)"]);
  });

  it("fails when the interruption reaches 500 ms, or when the target never receives", () => {
    expect(failed(run({ hv2From: 900 }))).to.include("network interruption < 500 ms in both directions");
    const late = analyze(run({ hv2From: 900 }));
    expect(late.toVm.firstAtTarget).to.equal(undefined);
    expect(Number.isNaN(late.toVm.gapMs)).to.equal(true);
  });

  it("fails when the port does not end on hv2 alone, or hv1 still gets traffic after the move", () => {
    expect(failed(run({ final: { ...FINAL, additionalChassis: ["hv1"] } }))).to.deep.equal(["the port ends bound on hv2 alone"]);
    expect(failed(run({ final: { ...FINAL, chassis: "hv1" } }))).to.deep.equal(["the port ends bound on hv2 alone"]);
    expect(failed(run({ stopHv1At: 700 }))).to.deep.equal(["after COMPLETE, traffic reaches hv2 only (hv1's NIC still plugged), nothing lost"]);
    expect(failed(run({ stopHv1At: 430 }))).to.deep.equal(["after the RARP, traffic reaches both hv1 and hv2 until COMPLETE"]);
  });
});
