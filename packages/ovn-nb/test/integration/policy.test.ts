/**
 * ACLs (on switches and port groups), port groups and address sets against a real NB ovsdb-server,
 * cross-checked with ovn-nbctl.
 */
import { expect } from "chai";
import { isOvnNbError } from "@ovnkit/ovn-nb";
import { nbctlGet, rejection, startNb, type NbFixture } from "./support.js";

describe("ovn-nb ACLs, port groups, address sets (real NB ovsdb-server)", () => {
  let fx: NbFixture;
  before(async () => {
    fx = await startNb();
    await fx.nb.switches.create({ name: "ls0" });
    for (const name of ["p1", "p2", "p3"]) await fx.nb.switchPorts.create("ls0", { name });
  });
  after(async () => {
    await fx?.stop();
  });

  it("switch ACLs: add (acl-list agrees), duplicate identity ALREADY_EXISTS, mayExist converges, delete by filter", async () => {
    await fx.nb.acls.add({ switch: "ls0" }, { direction: "to-lport", priority: 1000, match: "ip4.src == 10.0.0.0/8", action: "allow-related", name: "allow-internal" });
    await fx.nb.acls.add({ switch: "ls0" }, { direction: "from-lport", priority: 900, match: "ip4", action: "drop", log: true, severity: "warning" });
    const listed = await fx.nbctl("acl-list", "ls0");
    expect(listed).to.contain("to-lport  1000 (ip4.src == 10.0.0.0/8) allow-related").and.contain("from-lport   900 (ip4) drop log");
    const e = await rejection(fx.nb.acls.add({ switch: "ls0" }, { direction: "to-lport", priority: 1000, match: "ip4.src == 10.0.0.0/8", action: "drop" }));
    expect(isOvnNbError(e, "ALREADY_EXISTS")).to.equal(true);
    const conv = await fx.nb.acls.add({ switch: "ls0" }, { direction: "to-lport", priority: 1000, match: "ip4.src == 10.0.0.0/8", action: "drop" }, { mayExist: true });
    expect(conv.action).to.equal("drop");
    expect(fx.nb.acls.list({ switch: "ls0" }).map((a) => `${a.direction}/${a.priority}`)).to.deep.equal(["from-lport/900", "to-lport/1000"]);
    expect(await fx.nb.acls.delete({ switch: "ls0" }, { direction: "from-lport" })).to.equal(1);
    expect(isOvnNbError(await rejection(fx.nb.acls.delete({ switch: "ls0" }, { priority: 1 })), "NOT_FOUND")).to.equal(true);
    expect(await fx.nbctl("acl-list", "ls0")).to.not.contain("from-lport");
    expect(await fx.nbctl("--bare", "--columns=_uuid", "find", "ACL", "direction=from-lport")).to.equal("");
  });

  it("port groups: create with port names, add/remove/set ports (mutations keep others'), ACLs on the group", async () => {
    const pg = await fx.nb.portGroups.create({ name: "pg_web", ports: ["p1"], external_ids: { app: "web" } });
    expect(fx.nb.portGroups.portNames(pg)).to.deep.equal(["p1"]);
    expect(isOvnNbError(await rejection(fx.nb.portGroups.create({ name: "pg_web" })), "ALREADY_EXISTS")).to.equal(true);
    expect(isOvnNbError(await rejection(fx.nb.portGroups.create({ name: "pg_x", ports: ["nope"] })), "NOT_FOUND")).to.equal(true);
    const p3 = fx.nb.switchPorts.require("p3")._uuid;
    await fx.nbctl("add", "Port_Group", "pg_web", "ports", p3);
    await fx.nb.portGroups.addPorts("pg_web", ["p2"]);
    expect(fx.nb.portGroups.portNames("pg_web")).to.deep.equal(["p1", "p2", "p3"]);
    await fx.nb.portGroups.removePorts("pg_web", ["p1"]);
    expect(fx.nb.portGroups.portNames("pg_web")).to.deep.equal(["p2", "p3"]);
    await fx.nb.portGroups.setPorts("pg_web", ["p1"]);
    expect(await nbctlGet(fx, "Port_Group", "pg_web", "ports")).to.equal(`[${fx.nb.switchPorts.require("p1")._uuid}]`);
    await fx.nb.acls.add({ portGroup: "pg_web" }, { direction: "to-lport", priority: 1001, match: "outport == @pg_web && tcp.dst == 80", action: "allow-related" });
    expect(await fx.nbctl("acl-list", "pg_web")).to.contain("outport == @pg_web && tcp.dst == 80");
    expect((await fx.nb.portGroups.ensure({ name: "pg_web", external_ids: { app: "web" } })).ports).to.have.length(1);
    // a port deleted elsewhere leaves the group (weak reference)
    await fx.nb.switchPorts.delete("p1");
    expect(fx.nb.portGroups.require("pg_web").ports).to.deep.equal([]);
    expect(await fx.nb.portGroups.delete("pg_web")).to.equal(true);
    expect((await fx.nbctl("--bare", "--columns=_uuid", "list", "ACL")).split("\n").filter(Boolean)).to.have.length(1);
    expect(fx.nb.acls.list({ switch: "ls0" })).to.have.length(1);
    expect(fx.nb.table("ACL").size).to.equal(1);
  });

  it("address sets: create, add/remove addresses (others' additions kept), set, ensure, delete", async () => {
    await fx.nb.addressSets.create({ name: "as_web", addresses: ["10.0.0.1"] });
    await fx.nbctl("add", "Address_Set", "as_web", "addresses", '"10.0.0.9"');
    await fx.nb.addressSets.addAddresses("as_web", ["10.0.0.2", "10.0.0.1"]);
    await fx.nb.addressSets.removeAddresses("as_web", ["10.0.0.1"]);
    expect(fx.nb.addressSets.require("as_web").addresses.slice().sort()).to.deep.equal(["10.0.0.2", "10.0.0.9"]);
    expect(await nbctlGet(fx, "Address_Set", "as_web", "addresses")).to.equal('["10.0.0.2", "10.0.0.9"]');
    await fx.nb.addressSets.setAddresses("as_web", ["192.168.0.0/16"]);
    expect(await nbctlGet(fx, "Address_Set", "as_web", "addresses")).to.equal('["192.168.0.0/16"]');
    expect(isOvnNbError(await rejection(fx.nb.addressSets.create({ name: "as_web" })), "ALREADY_EXISTS")).to.equal(true);
    const same = await fx.nb.addressSets.ensure({ name: "as_web", addresses: ["192.168.0.0/16"] });
    expect(same.name).to.equal("as_web");
    expect(await fx.nb.addressSets.delete("as_web")).to.equal(true);
    expect(await fx.nb.addressSets.delete("as_web", { ifExists: true })).to.equal(false);
  });
});
