/**
 * End to end, the paths beside the happy one, on a real 3-chassis OVN sandbox with ovnkit-migrator driven
 * through the fake Kubernetes API (examples/demo/scenario.ts), asserted from the raw per-packet records and
 * independent readers (ovn-sbctl, ovn-nbctl, the NB database file's own transaction log), not from the demo's
 * verdict alone:
 *
 *   --outcome failed   the migration is armed, then fails at the switch-over (VMIM Failed): the VM resumes on
 *                      hv1, the port goes back to hv1 alone, the target never received anything, and the
 *                      network lost nothing (no interruption beyond the VM's own pause)
 *   --nics 2           a VM with two NICs: both armed in ONE NB transaction and completed in ONE, each NIC
 *                      migrated with the same guarantees as a single one
 */
import { expect } from "chai";
import { join } from "node:path";
import type { ScenarioResult } from "../../examples/demo/scenario.js";
import { dbLog, nbGet, runScenarioThenRead, sbBinding, type DbLogRecord, type SbBinding } from "./support.js";

const LIMIT_MS = 500;
/** Shorter phases than the demo's defaults (the suite must stay fast); enough packets in each phase. */
const FAST = { steadyMs: 50, memorySyncMs: 150, tailMs: 60 };

const keysOf = (deliveredAt: Record<string, number>): string[] => Object.keys(deliveredAt).sort();

describe("e2e: a migration that fails after arming (--outcome failed, driver: migrator)", function () {
  let r: ScenarioResult;
  let sb: SbBinding;
  let nb: { options: string; externalIds: string };
  let leftovers: { pid: number; cmdline: string }[];

  before(async function () {
    this.timeout(60_000);
    ({ r, read: { sb, nb }, leftovers } = await runScenarioThenRead({ driver: "migrator", outcome: "failed", ...FAST }, async (run) => ({
      sb: await sbBinding(run.sbRemote, "vm1"),
      nb: { options: await nbGet(run.nbRemote, "vm1", "options"), externalIds: await nbGet(run.nbRemote, "vm1", "external_ids") },
    })));
  });

  it("was armed (the target was prepared) before it failed", () => {
    expect(r.timeline.require("arm")).to.be.below(r.timeline.require("source-paused"));
    expect(r.timeline.require("sb-additional-chassis")).to.be.below(r.timeline.require("source-paused"));
    expect(r.timeline.require("source-paused")).to.be.below(r.timeline.require("source-resumed"));
    expect(r.timeline.at("rarp")).to.equal(undefined);
  });

  it("never delivered anything at hv2, although OVN duplicated the VM's traffic there", () => {
    expect(r.probe.toVm.packets.filter((p) => p.deliveredAt["hv2"] !== undefined).map((p) => p.seq)).to.deep.equal([]);
    expect(r.probe.fromVm.packets.filter((p) => p.from !== "hv1").map((p) => p.seq)).to.deep.equal([]);
    const counted = r.timeline.events.find((e) => e.step === "drop-counters")!;
    expect(Number(/: (\d+) packets for vm1 duplicated/.exec(counted.text)![1])).to.be.greaterThan(0);
  });

  it("lost nothing in the network: every packet reached hv1, the only interruption is the VM's pause", () => {
    const pausedAt = r.timeline.require("source-paused");
    const resumedAt = r.timeline.require("source-resumed");
    expect(r.probe.toVm.packets.length).to.be.greaterThan(50);
    for (const p of r.probe.toVm.packets) expect(keysOf(p.deliveredAt), `peer -> VM seq ${p.seq}`).to.deep.equal(["hv1"]);
    // VM -> peer: every packet left from hv1 and reached the peer (on hv3)
    for (const p of r.probe.fromVm.packets) expect([p.from, ...keysOf(p.deliveredAt)], `VM -> peer seq ${p.seq}`).to.deep.equal(["hv1", "hv3"]);
    // the VM sent nothing while paused, and the peer -> VM packets it missed are exactly those that reached it paused
    expect(r.probe.fromVm.packets.filter((p) => p.sentAt > pausedAt + 1 && p.sentAt < resumedAt - 1)).to.deep.equal([]);
    const lastBefore = Math.max(...r.probe.toVm.packets.map((p) => p.deliveredAt["hv1"]!).filter((t) => t <= pausedAt));
    const firstAfter = Math.min(...r.probe.toVm.packets.map((p) => p.deliveredAt["hv1"]!).filter((t) => t >= resumedAt));
    expect(firstAfter - lastBefore).to.be.below(LIMIT_MS);
    expect(r.analysis.toVm.gapMs).to.be.closeTo(firstAfter - lastBefore, 0.001);
  });

  it("puts the port back on hv1 alone (SB with ovn-sbctl, NB with ovn-nbctl): no activation, no owner", () => {
    expect(sb.chassis).to.equal("hv1");
    expect(sb.additional).to.equal("[]");
    expect(sb.options).to.include("requested-chassis=hv1");
    expect(sb.options).not.to.include("activation-strategy");
    expect(sb.options).not.to.include("additional-chassis-activated");
    expect(nb.options).to.match(/requested-chassis=(hv1|"hv1")[,}]/);
    expect(nb.options).not.to.include("activation-strategy");
    expect(nb.externalIds).not.to.include("ovnkit.io/migration");
    expect(nb.externalIds).to.include("pod=\"default/vm1\"");
  });

  it("after the completion (failed), traffic reaches hv1 only while hv2's NIC is still plugged", () => {
    const syncedAt = r.timeline.require("hv-synced");
    const tailEnd = r.timeline.require("tail-end");
    expect(tailEnd).to.be.below(r.timeline.require("target-unplugged"));
    const tail = r.probe.toVm.packets.filter((p) => p.sentAt >= syncedAt && p.sentAt <= tailEnd);
    expect(tail.length).to.be.greaterThan(5);
    for (const p of tail) expect(keysOf(p.deliveredAt), `seq ${p.seq}`).to.deep.equal(["hv1"]);
  });

  it("was completed as failed by ovnkit-migrator from the KubeVirt objects, and the demo's analysis agrees", () => {
    expect(r.timeline.events.find((e) => e.step === "complete")!.text).to.match(/^ovnkit-migrator COMPLETED \(failed\): requested-chassis=hv1 /);
    const events = r.driver.summary.filter((l) => l.startsWith("Event on VMI vm1:"));
    expect(events.map((l) => /: Normal (\w+)/.exec(l)?.[1])).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
    expect(events[1]).to.match(/failed: ports requested on hv1/);
    expect(r.analysis.outcome).to.equal("failed");
    expect(r.analysis.ok, JSON.stringify(r.analysis.checks.filter((c) => !c.ok))).to.equal(true);
  });

  it("leaves no process behind", () => {
    expect(leftovers).to.deep.equal([]);
  });
});

describe("e2e: a VM with two NICs (--nics 2, driver: migrator)", function () {
  const NICS = ["vm1", "vm1-nic1"];
  let r: ScenarioResult;
  let log: DbLogRecord[];
  const sb = new Map<string, SbBinding>();
  let leftovers: { pid: number; cmdline: string }[];

  before(async function () {
    this.timeout(60_000);
    ({ r, read: log, leftovers } = await runScenarioThenRead({ driver: "migrator", nics: 2, ...FAST }, async (run) => {
      const nbLog = await dbLog(join(run.sandboxDir, "nb", "db.db"));
      for (const nic of NICS) sb.set(nic, await sbBinding(run.sbRemote, nic));
      return nbLog;
    }));
  });

  /** NB transactions (from the database file) in which some port's requested-chassis became `value`. */
  const setting = (pattern: RegExp): DbLogRecord[] => log.filter((rec) => [...rec.rows.values()].some((lines) => lines.some((l) => pattern.test(l))));
  const ARMED = /requested-chassis="hv1,hv2"/;
  const ON_HV2 = /requested-chassis="?hv2"?[,}]/;

  it("armed both NICs in one NB transaction (the NB database's own log)", () => {
    const armed = setting(ARMED);
    expect(armed.map((rec) => rec.index)).to.have.length(1);
    for (const nic of NICS) expect(armed[0]!.rows.get(nic)?.some((l) => ARMED.test(l) && l.includes("activation-strategy=rarp")), nic).to.equal(true);
  });

  it("completed both NICs in one NB transaction", () => {
    const armedAt = setting(ARMED)[0]!.index;
    const completed = setting(ON_HV2).filter((rec) => rec.index > armedAt);
    expect(completed.map((rec) => rec.index)).to.have.length(1);
    for (const nic of NICS) expect(completed[0]!.rows.get(nic)?.some((l) => ON_HV2.test(l)), nic).to.equal(true);
    // and the demo's own record of the NB updates says the same
    expect(r.transactions.map((t) => Object.keys(t.requestedChassis).sort())).to.deep.equal([NICS, NICS]);
  });

  it("migrated each NIC: nothing at hv2 before the RARP, interruption < 500 ms, bound on hv2 alone, traffic at hv2 only", () => {
    expect(r.nics.map((n) => n.lsp)).to.deep.equal(NICS);
    const pausedAt = r.timeline.require("source-paused");
    const rarpAt = r.timeline.require("rarp");
    const syncedAt = r.timeline.require("hv-synced");
    const tailEnd = r.timeline.require("tail-end");
    for (const n of r.nics) {
      const packets = n.probe.toVm.packets;
      expect(packets.length, n.lsp).to.be.greaterThan(50);
      expect(packets.filter((p) => p.deliveredAt["hv2"] !== undefined && p.deliveredAt["hv2"] < rarpAt).map((p) => p.seq), n.lsp).to.deep.equal([]);
      const lastHv1 = Math.max(...packets.map((p) => p.deliveredAt["hv1"] ?? -Infinity).filter((t) => t <= pausedAt));
      const firstHv2 = Math.min(...packets.map((p) => p.deliveredAt["hv2"] ?? Infinity));
      expect(firstHv2 - lastHv1, n.lsp).to.be.below(LIMIT_MS);
      expect(n.probe.fromVm.packets.some((p) => p.from === "hv2" && Object.keys(p.deliveredAt).length > 0), n.lsp).to.equal(true);
      const tail = packets.filter((p) => p.sentAt >= syncedAt && p.sentAt <= tailEnd);
      expect(tail.length, n.lsp).to.be.greaterThan(5);
      for (const p of tail) expect(keysOf(p.deliveredAt), `${n.lsp} seq ${p.seq}`).to.deep.equal(["hv2"]);
      const b = sb.get(n.lsp)!;
      expect(b.chassis, n.lsp).to.equal("hv2");
      expect(b.additional, n.lsp).to.equal("[]");
      expect(b.options, n.lsp).not.to.include("activation-strategy");
    }
    expect(r.analysis.ok, JSON.stringify(r.analysis.checks.filter((c) => !c.ok))).to.equal(true);
    expect(r.analysis.checks.map((c) => c.name).filter((name) => name.includes("one NB transaction"))).to.have.length(2);
  });

  it("leaves no process behind", () => {
    expect(leftovers).to.deep.equal([]);
  });
});
