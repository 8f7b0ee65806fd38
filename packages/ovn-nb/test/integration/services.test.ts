/**
 * Load balancers (and attaching them to switches and routers), DHCP options and NB_Global against a real NB
 * ovsdb-server, cross-checked with ovn-nbctl.
 */
import { expect } from "chai";
import { bumpNbCfgPlan, isOvnNbError } from "@ovnkit/ovn-nb";
import { nbctlGet, rejection, startNb, type NbFixture } from "./support.js";

describe("ovn-nb load balancers, DHCP options, NB_Global (real NB ovsdb-server)", () => {
  let fx: NbFixture;
  before(async () => {
    fx = await startNb();
    await fx.nb.switches.create({ name: "ls0" });
    await fx.nb.routers.create({ name: "lr0" });
    await fx.nb.switchPorts.create("ls0", { name: "vm1" });
  });
  after(async () => {
    await fx?.stop();
  });

  it("load balancers: create, set/remove vips (others kept), options, attach to switch and router, delete", async () => {
    const lb = await fx.nb.loadBalancers.create({ name: "lb0", protocol: "tcp", vips: { "10.96.0.1:80": "10.0.0.2:8080" } });
    expect(lb.protocol).to.equal("tcp");
    expect(isOvnNbError(await rejection(fx.nb.loadBalancers.create({ name: "lb0" })), "ALREADY_EXISTS")).to.equal(true);
    await fx.nbctl("set", "Load_Balancer", "lb0", 'vips:"10.96.0.2:53"="10.0.0.5:53"');
    await fx.nb.loadBalancers.setVip("lb0", "10.96.0.1:80", ["10.0.0.2:8080", "10.0.0.3:8080"]);
    await fx.nb.loadBalancers.setOptions("lb0", { reject: "true" });
    expect(Object.fromEntries(fx.nb.loadBalancers.require("lb0").vips)).to.deep.equal({
      "10.96.0.1:80": "10.0.0.2:8080,10.0.0.3:8080",
      "10.96.0.2:53": "10.0.0.5:53",
    });
    await fx.nb.loadBalancers.removeVip("lb0", "10.96.0.2:53");
    expect(await fx.nbctl("lb-list")).to.contain("10.0.0.2:8080,10.0.0.3:8080").and.not.contain("10.96.0.2");
    await fx.nb.loadBalancers.addToSwitch("lb0", "ls0");
    await fx.nb.loadBalancers.addToRouter("lb0", "lr0");
    expect(await fx.nbctl("ls-lb-list", "ls0")).to.contain("lb0");
    expect(await fx.nbctl("lr-lb-list", "lr0")).to.contain("lb0");
    expect(fx.nb.loadBalancers.usedBy("lb0")).to.deep.equal({ switches: ["ls0"], routers: ["lr0"] });
    await fx.nb.loadBalancers.removeFromSwitch("lb0", "ls0");
    expect(await fx.nbctl("ls-lb-list", "ls0")).to.equal("");
    expect(await fx.nb.loadBalancers.delete("lb0")).to.equal(true);
    expect(fx.nb.routers.require("lr0").load_balancer).to.deep.equal([]);
  });

  it("DHCP options: create, by cidr, set/remove options, link to a port, delete clears the port's weak reference", async () => {
    const d = await fx.nb.dhcpOptions.create({ cidr: "10.0.0.0/24", options: { lease_time: "3600", router: "10.0.0.1" }, external_ids: { subnet: "s1" } });
    expect(fx.nb.dhcpOptions.byCidr("10.0.0.0/24").map((x) => x._uuid)).to.deep.equal([d._uuid]);
    expect(fx.nb.dhcpOptions.byExternalId("subnet", "s1")).to.have.length(1);
    await fx.nb.dhcpOptions.setOptions(d._uuid, { server_id: "10.0.0.1", server_mac: "0a:00:00:00:00:fe" });
    await fx.nb.dhcpOptions.removeOptions(d._uuid, ["lease_time"]);
    expect((await fx.nbctl("dhcp-options-get-options", d._uuid)).split("\n").sort()).to.deep.equal(["router=10.0.0.1", "server_id=10.0.0.1", "server_mac=0a:00:00:00:00:fe"]);
    await fx.nb.switchPorts.setDhcpv4Options("vm1", d._uuid);
    expect(await fx.nbctl("lsp-get-dhcpv4-options", "vm1")).to.contain(d._uuid);
    expect(isOvnNbError(await rejection(fx.nb.dhcpOptions.delete("ls0")), "NOT_FOUND")).to.equal(true);
    await fx.nb.dhcpOptions.delete(d._uuid);
    expect(fx.nb.switchPorts.require("vm1").dhcpv4_options).to.equal(null);
    expect(await fx.nbctl("dhcp-options-list")).to.equal("");
  });

  it("NB_Global: options and external_ids edits keep other keys; nb_cfg bump", async () => {
    await fx.nbctl("set", "NB_Global", ".", "options:by-nbctl=1");
    await fx.nb.global.setOptions({ "northd_probe_interval": "5000" });
    await fx.nb.global.setExternalIds({ owner: "ovnkit" });
    await fx.nb.global.removeOptions(["absent"]);
    expect(await nbctlGet(fx, "NB_Global", ".", "options")).to.equal('{by-nbctl="1", northd_probe_interval="5000"}');
    expect(await nbctlGet(fx, "NB_Global", ".", "external_ids:owner")).to.equal("ovnkit");
    const before = Number(fx.nb.global.require().nb_cfg);
    expect(await fx.nb.run(bumpNbCfgPlan(fx.nb.global.require()))).to.equal(before + 1);
    expect(Number(await nbctlGet(fx, "NB_Global", ".", "nb_cfg"))).to.equal(before + 1);
    // no ovn-northd here: sync("sb") cannot complete and times out with a typed error
    const e = await rejection(fx.nb.global.sync("sb", { timeoutMs: 100 }));
    expect(e.code).to.equal("REQUEST_TIMEOUT");
  });
});
