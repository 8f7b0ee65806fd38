/**
 * Logical routers, router ports (and linking a switch), static routes and NAT against a real NB
 * ovsdb-server, cross-checked with ovn-nbctl.
 */
import { expect } from "chai";
import { addStaticRoutePlan, isOvnNbError } from "@ovnkit/ovn-nb";
import { nbctlGet, rejection, startNb, type NbFixture } from "./support.js";

describe("ovn-nb routers, router ports, static routes, NAT (real NB ovsdb-server)", () => {
  let fx: NbFixture;
  before(async () => {
    fx = await startNb();
    await fx.nb.switches.create({ name: "ls0" });
  });
  after(async () => {
    await fx?.stop();
  });

  it("routers: create, ensure, options, enabled, ALREADY_EXISTS, delete", async () => {
    const lr = await fx.nb.routers.create({ name: "lr0", options: { chassis: "hv1" }, external_ids: { owner: "t" } });
    expect(await fx.nbctl("lr-list")).to.contain(`${lr._uuid} (lr0)`);
    expect(isOvnNbError(await rejection(fx.nb.routers.create({ name: "lr0" })), "ALREADY_EXISTS")).to.equal(true);
    expect((await fx.nb.routers.ensure({ name: "lr0", options: { chassis: "hv1" } }))._uuid).to.equal(lr._uuid);
    await fx.nb.routers.setOptions("lr0", { "always_learn_from_arp_request": "false" });
    await fx.nb.routers.removeOptions("lr0", ["chassis"]);
    await fx.nb.routers.setEnabled("lr0", false);
    expect(await nbctlGet(fx, "Logical_Router", "lr0", "options")).to.equal('{always_learn_from_arp_request="false"}');
    expect(await nbctlGet(fx, "Logical_Router", "lr0", "enabled")).to.equal("false");
    await fx.nb.routers.create({ name: "lr-tmp" });
    expect(await fx.nb.routers.delete("lr-tmp")).to.equal(true);
    expect(await fx.nbctl("lr-list")).to.not.contain("lr-tmp");
  });

  it("router ports: create in a router, networks, enabled, options; duplicates and missing routers are typed", async () => {
    const p = await fx.nb.routerPorts.create("lr0", { name: "lrp-ext", mac: "0a:00:00:00:ff:01", networks: ["172.16.0.1/24"] });
    expect(p.networks).to.deep.equal(["172.16.0.1/24"]);
    expect(await fx.nbctl("lrp-list", "lr0")).to.contain("(lrp-ext)");
    expect(fx.nb.routerPorts.routerOf("lrp-ext")?.name).to.equal("lr0");
    await fx.nb.routerPorts.setNetworks("lrp-ext", ["172.16.0.1/24", "fd00::1/64"]);
    await fx.nb.routerPorts.setEnabled("lrp-ext", false);
    await fx.nb.routerPorts.setOptions("lrp-ext", { "gateway_mtu": "1400" });
    expect(await fx.nbctl("lrp-get-enabled", "lrp-ext")).to.equal("disabled");
    expect(await nbctlGet(fx, "Logical_Router_Port", "lrp-ext", "options:gateway_mtu")).to.equal("1400");
    expect(fx.nb.routerPorts.require("lrp-ext").networks.slice().sort()).to.deep.equal(["172.16.0.1/24", "fd00::1/64"]);
    expect(isOvnNbError(await rejection(fx.nb.routerPorts.create("lr0", { name: "lrp-ext", mac: "0a:00:00:00:ff:02", networks: ["1.1.1.1/32"] })), "ALREADY_EXISTS")).to.equal(true);
    expect(isOvnNbError(await rejection(fx.nb.routerPorts.create("nope", { name: "x", mac: "0a:00:00:00:ff:03", networks: ["1.1.1.1/32"] })), "NOT_FOUND")).to.equal(true);
    const same = await fx.nb.routerPorts.ensure("lr0", { name: "lrp-ext", mac: "0a:00:00:00:ff:01", networks: ["fd00::1/64", "172.16.0.1/24"] });
    expect(same._uuid).to.equal(p._uuid);
  });

  it("linkSwitch: router port + 'router' switch port in one transaction", async () => {
    const { routerPort, switchPort } = await fx.nb.routerPorts.linkSwitch("lr0", "ls0", {
      routerPort: { name: "lrp-ls0", mac: "0a:00:00:00:ff:10", networks: ["10.0.0.1/24"] },
      switchPort: "ls0-lr0",
    });
    expect(routerPort.name).to.equal("lrp-ls0");
    expect(fx.nb.switchPorts.require({ _uuid: switchPort }).name).to.equal("ls0-lr0");
    expect(await fx.nbctl("lsp-get-type", "ls0-lr0")).to.equal("router");
    expect(await nbctlGet(fx, "Logical_Switch_Port", "ls0-lr0", "options:router-port")).to.equal("lrp-ls0");
    expect(await nbctlGet(fx, "Logical_Switch_Port", "ls0-lr0", "addresses")).to.equal('[router]');
    // one of the two names taken: nothing is created
    const e = await rejection(fx.nb.routerPorts.linkSwitch("lr0", "ls0", {
      routerPort: { name: "lrp-ls0b", mac: "0a:00:00:00:ff:11", networks: ["10.0.1.1/24"] },
      switchPort: "ls0-lr0",
    }));
    expect(isOvnNbError(e, "ALREADY_EXISTS")).to.equal(true);
    expect(await fx.nbctl("--bare", "--columns=name", "find", "Logical_Router_Port", "name=lrp-ls0b")).to.equal("");
  });

  it("static routes: add, ECMP, duplicate, mayExist, list, delete by filter; visible in lr-route-list", async () => {
    await fx.nb.staticRoutes.add("lr0", { ip_prefix: "0.0.0.0/0", nexthop: "172.16.0.254" });
    await fx.nb.staticRoutes.add("lr0", { ip_prefix: "0.0.0.0/0", nexthop: "172.16.0.253" });
    await fx.nb.staticRoutes.add("lr0", { ip_prefix: "192.168.0.0/16", nexthop: "10.0.0.2", output_port: "lrp-ls0", external_ids: { k: "v" } });
    const e = await rejection(fx.nb.staticRoutes.add("lr0", { ip_prefix: "0.0.0.0/0", nexthop: "172.16.0.254" }));
    expect(isOvnNbError(e, "ALREADY_EXISTS")).to.equal(true);
    const converged = await fx.nb.staticRoutes.add("lr0", { ip_prefix: "192.168.0.0/16", nexthop: "10.0.0.2", external_ids: { k: "w" } }, { mayExist: true });
    expect(converged.external_ids.get("k")).to.equal("w");
    const listed = await fx.nbctl("lr-route-list", "lr0");
    expect(listed).to.contain("172.16.0.254").and.contain("172.16.0.253").and.contain("192.168.0.0/16");
    expect(fx.nb.staticRoutes.list("lr0", { ip_prefix: "0.0.0.0/0" }).map((r) => r.nexthop).sort()).to.deep.equal(["172.16.0.253", "172.16.0.254"]);
    expect(await fx.nb.staticRoutes.delete("lr0", { ip_prefix: "0.0.0.0/0", nexthop: "172.16.0.253" })).to.equal(1);
    expect(isOvnNbError(await rejection(fx.nb.staticRoutes.delete("lr0", { ip_prefix: "9.9.9.9/32" })), "NOT_FOUND")).to.equal(true);
    expect(await fx.nb.staticRoutes.delete("lr0", { ip_prefix: "9.9.9.9/32" }, { ifExists: true })).to.equal(0);
    expect(await fx.nbctl("--bare", "--columns=nexthop", "find", "Logical_Router_Static_Route", "nexthop=172.16.0.253")).to.equal("");
    expect(fx.nb.staticRoutes.list("lr0")).to.have.length(2);
  });

  it("a route added from a stale view of the router's routes is CONFLICT (another writer added one)", async () => {
    const lr = fx.nb.routers.require("lr0");
    const plan = addStaticRoutePlan(lr, fx.nb.staticRoutes.list(lr), { ip_prefix: "10.9.0.0/16", nexthop: "10.0.0.9" });
    await fx.nbctl("lr-route-add", "lr0", "10.8.0.0/16", "10.0.0.8");
    const e = await rejection(fx.nb.run(plan));
    expect(isOvnNbError(e, "CONFLICT")).to.equal(true);
    expect(await fx.nbctl("--bare", "--columns=ip_prefix", "find", "Logical_Router_Static_Route", "ip_prefix=\"10.9.0.0/16\"")).to.equal("");
  });

  it("NAT: snat/dnat_and_snat add, duplicates by ovn-nbctl's identity, mayExist, list, delete; lr-nat-list agrees", async () => {
    await fx.nb.nat.add("lr0", { type: "snat", external_ip: "172.16.0.10", logical_ip: "10.0.0.0/24" });
    await fx.nb.nat.add("lr0", { type: "dnat_and_snat", external_ip: "172.16.0.20", logical_ip: "10.0.0.20", logical_port: "ls0-lr0", external_mac: "0a:00:00:00:aa:01" });
    expect(isOvnNbError(await rejection(fx.nb.nat.add("lr0", { type: "snat", external_ip: "172.16.0.11", logical_ip: "10.0.0.0/24" })), "ALREADY_EXISTS")).to.equal(true);
    const moved = await fx.nb.nat.add("lr0", { type: "snat", external_ip: "172.16.0.11", logical_ip: "10.0.0.0/24" }, { mayExist: true });
    expect(moved.external_ip).to.equal("172.16.0.11");
    const listed = await fx.nbctl("lr-nat-list", "lr0");
    expect(listed).to.contain("172.16.0.11").and.contain("172.16.0.20").and.contain("dnat_and_snat");
    expect(fx.nb.nat.list("lr0", { type: "dnat_and_snat" }).map((n) => n.logical_ip)).to.deep.equal(["10.0.0.20"]);
    expect(await fx.nb.nat.delete("lr0", { type: "snat", ip: "10.0.0.0/24" })).to.equal(1);
    expect(isOvnNbError(await rejection(fx.nb.nat.delete("lr0", { type: "snat", ip: "10.0.0.0/24" })), "NOT_FOUND")).to.equal(true);
    expect(await fx.nb.nat.delete("lr0")).to.equal(1);
    expect(await fx.nbctl("lr-nat-list", "lr0")).to.equal("");
  });

  it("deleting a router garbage-collects its ports, routes and NAT rules", async () => {
    await fx.nb.routerPorts.delete("lrp-ext");
    expect(await fx.nbctl("--bare", "--columns=name", "find", "Logical_Router_Port", "name=lrp-ext")).to.equal("");
    await fx.nb.routers.delete("lr0");
    expect(await fx.nbctl("--bare", "--columns=_uuid", "list", "Logical_Router_Static_Route")).to.equal("");
    expect(await fx.nbctl("--bare", "--columns=_uuid", "list", "Logical_Router_Port")).to.equal("");
    expect(fx.nb.table("Logical_Router_Static_Route").size).to.equal(0);
  });
});
