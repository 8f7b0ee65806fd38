/**
 * End to end: the demo's scenario (examples/demo/scenario.ts) on a real 3-chassis OVN sandbox, a live migration
 * of "vm1" from hv1 to hv2 with the data-plane probe running, asserting the properties the product stands on
 * from the raw per-packet records and an independent SB reader (ovn-sbctl), not from the demo's own verdict:
 *
 *   - before the RARP nothing is delivered at hv2, although OVN duplicates the traffic there (drop counter > 0)
 *   - after the RARP packets reach both hv1 and hv2 (until COMPLETE)
 *   - after COMPLETE the port is bound on hv2 alone and traffic reaches hv2 only
 *   - the interruption (last delivery with the VM on hv1 -> first with the VM on hv2) is < 500 ms both ways
 *   - no daemon is left behind
 */
import { expect } from "chai";
import type { DriverName, ScenarioResult } from "../../examples/demo/scenario.js";
import { expectBoundOnHv2Alone, expectInterruptionBelow, runScenarioThenRead, sbBinding, type SbBinding } from "./support.js";

const LIMIT_MS = 500;
/** Two replicas (NB, SB) updated in one event-loop turn are observed in either order: tolerance for ordering checks. */
const SAME_TURN_MS = 5;
/** Shorter phases than the demo's defaults (the suite must stay fast); enough packets in each phase. */
const FAST = { steadyMs: 50, memorySyncMs: 150, tailMs: 60 };

function suite(driver: DriverName): void {
  describe(`e2e: live migration hv1 -> hv2 on an OVN sandbox (driver: ${driver})`, function () {
    let r: ScenarioResult;
    let sb: SbBinding;
    let leftovers: { pid: number; cmdline: string }[];

    before(async function () {
      this.timeout(60_000);
      // an independent reader of the final SB state, before the sandbox goes
      ({ r, read: sb, leftovers } = await runScenarioThenRead({ driver, ...FAST }, (run) => sbBinding(run.sbRemote, "vm1")));
    });

    it("delivers nothing at hv2 before the RARP, although OVN duplicates the traffic there", () => {
      const rarpAt = r.timeline.require("rarp");
      const armAt = r.timeline.require("arm");
      const early = r.probe.toVm.packets.filter((p) => p.deliveredAt["hv2"] !== undefined && p.deliveredAt["hv2"] < rarpAt);
      expect(early.map((p) => p.seq)).to.deep.equal([]);
      // packets sent while armed and before the pause: delivered at hv1 (the running VM) and only there
      const pausedAt = r.timeline.require("source-paused");
      const armed = r.probe.toVm.packets.filter((p) => p.sentAt > armAt + 50 && p.sentAt < pausedAt - 20);
      expect(armed.length).to.be.greaterThan(10);
      for (const p of armed) expect(Object.keys(p.deliveredAt), `seq ${p.seq}`).to.deep.equal(["hv1"]);
      // ...while the target's blocking flow dropped the copies OVN sent to hv2
      const counted = r.timeline.events.find((e) => e.step === "drop-counters")!;
      const dropped = Number(/(\d+) packets for vm1 duplicated/.exec(counted.text)![1]);
      const sentWhileArmed = r.probe.toVm.packets.filter((p) => p.sentAt > armAt && p.sentAt < counted.at).length;
      expect(dropped).to.be.within(1, sentWhileArmed);
    });

    it("delivers at both hv1 and hv2 after the RARP, until COMPLETE", () => {
      const rarpAt = r.timeline.require("rarp");
      const both = r.probe.toVm.packets.filter((p) => p.deliveredAt["hv1"] !== undefined && p.deliveredAt["hv2"] !== undefined);
      expect(both.length).to.be.greaterThan(0);
      for (const p of both) expect(p.deliveredAt["hv2"]).to.be.at.least(rarpAt);
      // the VM's packets from hv2 reach the peer
      expect(r.probe.fromVm.packets.some((p) => p.from === "hv2" && Object.keys(p.deliveredAt).length > 0)).to.equal(true);
    });

    it("ends with the port bound on hv2 alone (SB, read with ovn-sbctl) and traffic at hv2 only", () => {
      expectBoundOnHv2Alone(r, sb);
      const syncedAt = r.timeline.require("hv-synced");
      // once the target received its first packet, it received every later one, except at most a few packets
      // sent while the chassis move from multichassis to hv2 alone (COMPLETE -> every chassis synced): OVN 23.03
      // drops 1-2 there in about one run in eight on this VM (delivered nowhere, neither hv1 nor hv2). Any other
      // loss after the target's first delivery fails.
      const firstAtHv2 = Math.min(...r.probe.toVm.packets.filter((p) => p.deliveredAt["hv2"] !== undefined).map((p) => p.seq));
      const after = r.probe.toVm.packets.filter((p) => p.seq > firstAtHv2);
      expect(after.length).to.be.greaterThan(20);
      const completeAt = r.timeline.require("complete");
      const missing = after.filter((p) => p.deliveredAt["hv2"] === undefined);
      const outsideMove = missing.filter((p) => p.sentAt < completeAt - SAME_TURN_MS || p.sentAt > syncedAt);
      expect(outsideMove.map((p) => p.seq), "lost at hv2 outside COMPLETE -> synced").to.deep.equal([]);
      expect(missing.length, `lost at hv2 while the binding moved: ${missing.map((p) => p.seq).join(",")}`).to.be.at.most(3);
    });

    it(`interrupts the network for less than ${LIMIT_MS} ms in each direction`, () => {
      // peer -> VM: last delivery at hv1 while the VM ran there, first at hv2 once it resumed there; VM -> peer
      const gaps = expectInterruptionBelow(r, LIMIT_MS);
      // the demo's own analysis says the same
      expect(r.analysis.toVm.gapMs).to.be.closeTo(gaps.toVmMs, 0.001);
      expect(r.analysis.fromVm.gapMs).to.be.closeTo(gaps.fromVmMs, 0.001);
      expect(r.analysis.ok, JSON.stringify(r.analysis.checks.filter((c) => !c.ok))).to.equal(true);
    });

    it("measures the control plane: SB additional_chassis, activation and the final binding, in order", () => {
      const t = (s: string) => r.timeline.require(s);
      expect(t("arm")).to.be.at.most(t("sb-additional-chassis") + SAME_TURN_MS);
      expect(t("sb-additional-chassis")).to.be.below(t("rarp"));
      expect(t("rarp")).to.be.below(t("sb-activated"));
      expect(t("complete")).to.be.above(t("sb-activated"));
      expect(t("complete")).to.be.below(t("sb-target-alone") + SAME_TURN_MS);
      for (const l of r.analysis.latencies) expect(l.ms, l.label).to.be.within(-SAME_TURN_MS, 10_000);
    });

    if (driver === "migrator") {
      it("was driven by ovnkit-migrator from the KubeVirt objects: kube write -> NB write latencies, Events on the VMI", () => {
        const kube = r.analysis.latencies.filter((l) => l.label.startsWith("kube write"));
        expect(kube.map((l) => l.label)).to.have.length(2);
        for (const l of kube) expect(l.ms, l.label).to.be.within(-50, 2_000);
        expect(r.timeline.events.find((e) => e.step === "arm")!.text).to.match(/^ovnkit-migrator ARMED: requested-chassis="hv1,hv2", activation-strategy=rarp/);
        expect(r.timeline.events.find((e) => e.step === "complete")!.text).to.match(/^ovnkit-migrator COMPLETED: requested-chassis=hv2/);
        const events = r.driver.summary.filter((l) => l.startsWith("Event on VMI vm1:"));
        expect(events.map((l) => /: Normal (\w+)/.exec(l)?.[1])).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
        expect(r.driver.summary.find((l) => l.startsWith("migrator log:"))).to.match(/, 0 warnings\/errors$/);
      });
    }

    it("leaves no process behind", () => {
      expect(leftovers).to.deep.equal([]);
    });
  });
}

suite("direct");
suite("migrator");
