/** The simulated underlay: tunnel endpoints, neighbours, and recovery when neighbour entries are gone. */
import { expect } from "chai";
import { pollUntil, startSandbox, type Sandbox, type VmPort } from "@ovnkit/sandbox";
import { PEER, VM1, addSwitch, numbered, received } from "./support.js";

describe("sandbox: underlay and geneve tunnels", function () {
  let sb: Sandbox;
  let vm1: VmPort;
  let peer: VmPort;

  before(async () => {
    sb = await startSandbox({ chassis: 3 });
    await addSwitch(sb, "ls0", [VM1, PEER]);
    [vm1, peer] = await Promise.all([
      sb.addVmPort("hv1", { ifaceId: VM1.lsp, waitInstalled: true }),
      sb.addVmPort("hv2", { ifaceId: PEER.lsp, waitInstalled: true }),
    ]);
    await sb.syncHv();
  });

  after(async () => {
    await sb?.stop({ removeDir: true });
  });

  it("gives every chassis its encap IP, a route, the other chassis as neighbours and a connected br-phys", async () => {
    for (const c of sb.chassis) {
      expect(c.encapIp).to.equal(`192.168.0.${c.name.slice(2)}`);
      expect(await c.appctl("ovs/route/show")).to.match(new RegExp(`192\\.168\\.0\\.0/24 dev br-phys SRC ${c.encapIp.replace(/\./g, "\\.")}`));
      expect(await c.appctl("netdev-dummy/conn-state", "br-phys_n1")).to.contain("connected");
      const neigh = await c.appctl("tnl/neigh/show");
      for (const other of sb.chassis.filter((o) => o !== c)) {
        const mac = (await other.vsctl("get", "Interface", "br-phys", "mac_in_use")).trim().replace(/"/g, "");
        expect(neigh).to.match(new RegExp(`${other.encapIp.replace(/\./g, "\\.")}\\s+${mac}\\s+br-phys`));
      }
      expect(await c.vsctl("get", "Open_vSwitch", ".", "external_ids:ovn-encap-type")).to.contain("geneve");
    }
    const tunnels = await sb.hv("hv1").vsctl("--bare", "--columns=name", "find", "Interface", "type=geneve");
    expect(tunnels.trim().split(/\s+/).sort()).to.deep.equal(["ovn-hv2-0", "ovn-hv3-0"]);
  });

  it("heals itself when neighbour entries are gone: the chassis ARPs, the peer's br-phys answers, traffic resumes", async () => {
    const hv2 = sb.hv("hv2");
    const localRx = async () => Number(/port LOCAL: rx pkts=(\d+)/.exec(await sb.hv("hv1").ofctl("dump-ports", "br-phys", "LOCAL"))![1]);
    const answeredBefore = await localRx();
    expect(await hv2.appctl("tnl/neigh/flush")).to.contain("OK");
    expect(await hv2.appctl("tnl/neigh/show")).to.not.contain("192.168.0.1");
    const stream = 77;
    let seq = 0;
    await pollUntil("traffic hv2 -> hv1 to resume", async () => {
      await peer.send(numbered(PEER, VM1, stream, seq++));
      return (await received(vm1, stream)).length > 0 ? true : undefined;
    }, 10_000, 5);
    const hv1Mac = (await sb.hv("hv1").vsctl("get", "Interface", "br-phys", "mac_in_use")).trim().replace(/"/g, "");
    expect(await hv2.appctl("tnl/neigh/show")).to.match(new RegExp(`192\\.168\\.0\\.1\\s+${hv1Mac}\\s+br-phys`));
    // the ARP reply came from hv1's br-phys itself (a dummy netdev answers ARP for its ip4addr)
    expect(await localRx()).to.be.greaterThan(answeredBefore);
  });
});
