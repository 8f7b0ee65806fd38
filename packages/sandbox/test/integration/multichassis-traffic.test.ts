/**
 * The sandbox proves where traffic goes: a VM port bound on hv1, then multichassis (hv1,hv2) with RARP activation,
 * then moved to hv2. A peer on hv3 streams numbered frames to the VM; captures (tx_pcap) and OpenFlow counters
 * are two independent witnesses of every delivery. The steps run in order on one sandbox.
 */
import { expect } from "chai";
import { buildRarp, buildUdp, startSandbox, type Sandbox, type VmPort } from "@ovnkit/sandbox";
import {
  PEER, VM1, addSwitch, barrier, expectSeqs, portBinding, received, rxPackets, sendNumbered, txPackets, waitBinding, waitReceived,
  type Nic,
} from "./support.js";

const H1: Nic = { lsp: "h1", mac: "0a:00:00:00:01:01", ip: "10.0.0.101" };
const H2: Nic = { lsp: "h2", mac: "0a:00:00:00:01:02", ip: "10.0.0.102" };
const K = 25;

describe("sandbox: traffic follows the port binding (hv1 -> multichassis with RARP -> hv2)", function () {
  let sb: Sandbox;
  let vm1At1: VmPort;
  let vm1At2: VmPort;
  let peer: VmPort;
  let h1: VmPort;
  let h2: VmPort;
  const witnesses = () => [{ port: h1, nic: H1 }, { port: h2, nic: H2 }];

  /** Frames sent to VM1 by the peer, then a barrier to both hv1 and hv2: returns what each location got. */
  async function toVm(): Promise<{ hv1: number[]; hv2: number[]; tx1: number; tx2: number }> {
    const [tx1Before, tx2Before, rxBefore] = await Promise.all([txPackets(vm1At1), txPackets(vm1At2), rxPackets(peer)]);
    const stream = await sendNumbered(peer, PEER, VM1, K);
    await barrier(peer, rxBefore + K, { port: peer, nic: PEER }, witnesses());
    const [hv1, hv2, tx1, tx2] = await Promise.all([received(vm1At1, stream), received(vm1At2, stream), txPackets(vm1At1), txPackets(vm1At2)]);
    return { hv1, hv2, tx1: tx1 - tx1Before, tx2: tx2 - tx2Before };
  }

  /** Frames the VM sends from hv2 to the peer, then a barrier from hv2: how many reached the peer. */
  async function fromVmAtHv2(): Promise<number> {
    const rxBefore = await rxPackets(vm1At2);
    const stream = await sendNumbered(vm1At2, VM1, PEER, K);
    await barrier(vm1At2, rxBefore + K, { port: h2, nic: H2 }, [{ port: peer, nic: PEER }]);
    return (await received(peer, stream)).length;
  }

  before(async function () {
    sb = await startSandbox({ chassis: 3 });
    await addSwitch(sb, "ls0", [
      { ...VM1, options: ["requested-chassis=hv1"] },
      { ...PEER, options: ["requested-chassis=hv3"] },
      { ...H1, options: ["requested-chassis=hv1"] },
      { ...H2, options: ["requested-chassis=hv2"] },
    ]);
    [vm1At1, peer, h1, h2] = await Promise.all([
      sb.addVmPort("hv1", { ifaceId: VM1.lsp, mac: VM1.mac, ip: VM1.ip, waitInstalled: true }),
      sb.addVmPort("hv3", { ifaceId: PEER.lsp, mac: PEER.mac, ip: PEER.ip, waitInstalled: true }),
      sb.addVmPort("hv1", { ifaceId: H1.lsp, waitInstalled: true }),
      sb.addVmPort("hv2", { ifaceId: H2.lsp, waitInstalled: true }),
    ]);
    // the migration target's NIC exists on hv2 from the start, but requested-chassis does not name hv2 yet
    vm1At2 = await sb.addVmPort("hv2", { ifaceId: VM1.lsp, mac: VM1.mac, ip: VM1.ip });
    await sb.syncHv();
  });

  after(async () => {
    await sb?.stop({ removeDir: true });
  });

  it("bound on hv1: SB says hv1, traffic reaches hv1 only (pcap and OpenFlow counters agree)", async () => {
    const b = await waitBinding(sb, "vm1", "chassis hv1", (x) => x.chassis === "hv1");
    expect(b.additionalChassis).to.deep.equal([]);
    const r = await toVm();
    expectSeqs(r.hv1, K);
    expect(r.hv2).to.deep.equal([]);
    expect(r.tx1).to.equal(K);
    expect(r.tx2).to.equal(0);
    expect(await fromVmAtHv2()).to.equal(0);
  });

  it("delivers a frame byte for byte: what ovs-vswitchd composes from a flow equals buildUdp", async () => {
    const flow = `in_port(1),eth(src=${PEER.mac},dst=${VM1.mac}),eth_type(0x0800),ipv4(src=${PEER.ip},dst=${VM1.ip},proto=17,tos=0,ttl=64,frag=no),udp(src=1234,dst=5678)`;
    await sb.hv("hv3").appctl("netdev-dummy/receive", peer.name, flow);
    const [got] = await vm1At1.waitFor((f) => f.frame.udp?.srcPort === 1234 && f.frame.udp.dstPort === 5678);
    const ours = buildUdp({ srcMac: PEER.mac, dstMac: VM1.mac, srcIp: PEER.ip, dstIp: VM1.ip, srcPort: 1234, dstPort: 5678, payload: got!.frame.udp!.payload });
    expect(got!.data.toString("hex")).to.equal(ours.toString("hex"));
    expect(got!.frame.udp!.payload.length).to.be.greaterThan(0);
  });

  it("multichassis hv1,hv2 with activation-strategy=rarp: hv2 is bound but blocked until it sends a RARP", async () => {
    await sb.nbctl("lsp-set-options", "vm1", "requested-chassis=hv1,hv2", "activation-strategy=rarp");
    const b = await waitBinding(sb, "vm1", "additional chassis hv2", (x) => x.additionalChassis.includes("hv2"));
    expect(b.chassis).to.equal("hv1");
    expect(b.options.has("additional-chassis-activated")).to.equal(false);
    await sb.syncHv();
    const r = await toVm();
    expectSeqs(r.hv1, K);
    expect(r.hv2).to.deep.equal([]);
    expect(r.tx2).to.equal(0);
    expect(await fromVmAtHv2()).to.equal(0);
  });

  it("after a RARP injected on hv2's port: activated, traffic reaches both hv1 and hv2, and hv2 can send", async () => {
    await vm1At2.send(buildRarp({ mac: VM1.mac }));
    const b = await waitBinding(sb, "vm1", "additional-chassis-activated=hv2", (x) => x.options.get("additional-chassis-activated") === "hv2");
    expect(b.chassis).to.equal("hv1");
    await sb.syncHv();
    const r = await toVm();
    expectSeqs(r.hv1, K);
    expectSeqs(r.hv2, K);
    expect(r.tx1).to.equal(K);
    expect(r.tx2).to.equal(K);
    expect(await fromVmAtHv2()).to.equal(K);
  });

  it("moved (requested-chassis=hv2): SB says hv2, traffic reaches hv2 only although hv1's NIC is still plugged", async () => {
    await sb.nbctl("lsp-set-options", "vm1", "requested-chassis=hv2");
    // northd drops the activation mark once there is no additional chassis (a step after the binding moves)
    const b = await waitBinding(sb, "vm1", "chassis hv2, no additional chassis, activation mark gone",
      (x) => x.chassis === "hv2" && x.additionalChassis.length === 0 && !x.options.has("additional-chassis-activated"));
    expect(b.options.get("requested-chassis")).to.equal("hv2");
    await sb.syncHv();
    const r = await toVm();
    expect(r.hv1).to.deep.equal([]);
    expect(r.tx1).to.equal(0);
    expectSeqs(r.hv2, K);
    expect(r.tx2).to.equal(K);
    expect(await fromVmAtHv2()).to.equal(K);
    expect((await portBinding(sb, "vm1"))!.up).to.equal(true);
  });

  it("unplugging the NIC on hv2 stops delivery there (captures stay readable)", async () => {
    const before = vm1At2.received.length;
    await vm1At2.detach();
    await sb.syncHv();
    const rxBefore = await rxPackets(peer);
    const stream = await sendNumbered(peer, PEER, VM1, K);
    await barrier(peer, rxBefore + K, { port: peer, nic: PEER }, witnesses());
    expect(await received(vm1At1, stream)).to.deep.equal([]);
    expect(vm1At2.received.length).to.equal(before);
    await waitReceived(h2, (await sendNumbered(peer, PEER, H2, 1)), 1);
  });
});
