/**
 * The data-plane probe on a real sandbox: numbered UDP every 5 ms peer -> VM and VM -> peer, deliveries recorded
 * per chassis from the ports' captures.
 */
import { expect } from "chai";
import { Probe, pollUntil, startSandbox, type Sandbox, type VmPort } from "@ovnkit/sandbox";
import { PEER, VM1, addSwitch } from "./support.js";

describe("sandbox: data-plane probe", function () {
  let sb: Sandbox;
  let vm1At1: VmPort;
  let vm1At2: VmPort;
  let peer: VmPort;

  before(async () => {
    sb = await startSandbox({ chassis: 2 });
    await addSwitch(sb, "ls0", [{ ...VM1, options: ["requested-chassis=hv1"] }, { ...PEER, options: ["requested-chassis=hv2"] }]);
    [vm1At1, peer, vm1At2] = await Promise.all([
      sb.addVmPort("hv1", { ifaceId: VM1.lsp, mac: VM1.mac, ip: VM1.ip, waitInstalled: true }),
      sb.addVmPort("hv2", { ifaceId: PEER.lsp, mac: PEER.mac, ip: PEER.ip, waitInstalled: true }),
      // the NIC of a future migration target: plugged on hv2, not requested there yet
      sb.addVmPort("hv2", { ifaceId: VM1.lsp, name: "vm1-target", mac: VM1.mac, ip: VM1.ip }),
    ]);
    await sb.syncHv();
  });

  after(async () => {
    await sb?.stop({ removeDir: true });
  });

  it("streams every 5 ms to a VM port bound on hv1 and back: all delivered, at hv1 only, none lost", async () => {
    const probe = new Probe({ peer, vm: VM1, locations: [vm1At1, vm1At2], active: vm1At1, intervalMs: 5 });
    probe.start();
    await pollUntil("200 packets sent", () => (probe.report().toVm.sent >= 200 ? true : undefined), 20_000, 5);
    const r = await probe.stop();

    expect(r.sendErrors).to.deep.equal([]);
    expect(r.toVm.sent).to.be.at.least(200);
    expect(r.toVm.lost).to.deep.equal([]);
    expect(r.toVm.delivered).to.equal(r.toVm.sent);
    expect(Object.keys(r.toVm.byChassis)).to.deep.equal(["hv1"]);
    expect(r.toVm.byChassis["hv1"]).to.deep.include({ count: r.toVm.sent, firstSeq: 0, lastSeq: r.toVm.sent - 1 });
    expect(r.toVm.duplicates).to.equal(0);
    expect(r.toVm.gaps).to.deep.equal([]);

    expect(r.fromVm.sent).to.equal(r.toVm.sent);
    expect(r.fromVm.lost).to.deep.equal([]);
    expect(r.fromVm.sentFrom).to.deep.equal({ hv1: r.fromVm.sent });
    expect(r.fromVm.deliveredFrom).to.deep.equal({ hv1: r.fromVm.sent });
    expect(Object.keys(r.fromVm.byChassis)).to.deep.equal(["hv2"]);

    // fixed rate: packet i never leaves before start + i * 5 ms, and each was captured after it was sent
    const first = r.toVm.packets[0]!.sentAt;
    for (const p of r.toVm.packets) {
      expect(p.sentAt).to.be.at.least(first + p.seq * 5 - 1);
      expect(p.deliveredAt["hv1"]!).to.be.at.least(p.sentAt - 1);
    }
  });

  it("records, per chassis and packet, the switch of the binding from hv1 to hv2 mid-stream", async () => {
    const probe = new Probe({ peer, vm: VM1, locations: [vm1At1, vm1At2], active: vm1At1, intervalMs: 5 });
    probe.start();
    await pollUntil("100 packets at hv1", () => ((probe.report().toVm.byChassis["hv1"]?.count ?? 0) >= 100 ? true : undefined), 20_000, 5);
    const switchedAtSeq = probe.report().toVm.sent;
    await sb.nbctl("lsp-set-options", "vm1", "requested-chassis=hv2");
    probe.setActive(vm1At2); // the VM now runs on hv2
    await pollUntil("100 packets at hv2", () => ((probe.report().toVm.byChassis["hv2"]?.count ?? 0) >= 100 ? true : undefined), 20_000, 5);
    const r = await probe.stop();

    const hv1 = r.toVm.byChassis["hv1"]!;
    const hv2 = r.toVm.byChassis["hv2"]!;
    expect(hv1.firstSeq).to.equal(0);
    expect(hv1.lastSeq).to.be.at.least(switchedAtSeq - 1);
    expect(hv2.lastSeq).to.equal(r.toVm.sent - 1);
    expect(hv2.firstSeq).to.be.greaterThan(hv1.lastSeq - 1);
    // every packet is accounted for: delivered somewhere or inside the gap around the switch
    expect(r.toVm.delivered + r.toVm.lost.length).to.equal(r.toVm.sent);
    expect(r.toVm.gaps.length).to.be.at.most(1);
    for (const seq of r.toVm.lost) expect(seq).to.be.within(hv1.lastSeq + 1, hv2.firstSeq - 1);
    expect(r.toVm.maxGapMs).to.equal(r.toVm.gaps[0]?.ms ?? 0);

    expect(Object.keys(r.fromVm.sentFrom).sort()).to.deep.equal(["hv1", "hv2"]);
    expect(r.fromVm.sentFrom["hv1"]! + r.fromVm.sentFrom["hv2"]!).to.equal(r.fromVm.sent);
    const lastFromHv1 = Math.max(...r.fromVm.packets.filter((p) => p.from === "hv1").map((p) => p.seq));
    const lastDelivered = r.fromVm.packets.filter((p) => Object.keys(p.deliveredAt).length > 0).at(-1)!;
    expect(lastDelivered.from).to.equal("hv2");
    expect(lastFromHv1).to.be.lessThan(lastDelivered.seq);
    expect(r.fromVm.deliveredFrom["hv1"]! + r.fromVm.deliveredFrom["hv2"]!).to.equal(r.fromVm.delivered);
    console.log(`      interruption at the move: peer->VM ${r.toVm.maxGapMs.toFixed(1)} ms (${r.toVm.lost.length} lost), VM->peer ${r.fromVm.maxGapMs.toFixed(1)} ms (${r.fromVm.lost.length} lost)`);
  });
});
