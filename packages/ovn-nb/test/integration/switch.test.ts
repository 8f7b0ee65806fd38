/**
 * Logical switches and their ports against a real NB ovsdb-server, cross-checked with ovn-nbctl: create /
 * ensure / delete / get / list / by external_ids, addresses, port security, options, external_ids, enabled,
 * type; typed errors for missing or duplicate objects; map edits keep keys written by others.
 */
import { expect } from "chai";
import { editRowPlan, isOvnNbError, nb as models } from "@ovnkit/ovn-nb";
import { nbctlGet, rejection, startNb, type NbFixture } from "./support.js";

describe("ovn-nb switches and switch ports (real NB ovsdb-server)", () => {
  let fx: NbFixture;
  before(async () => {
    fx = await startNb();
  });
  after(async () => {
    await fx?.stop();
  });

  it("creates a switch (visible to ovn-nbctl and at once in the replica); a second create is ALREADY_EXISTS", async () => {
    const ls = await fx.nb.switches.create({ name: "ls1", external_ids: { owner: "ovnkit" }, other_config: { subnet: "10.0.0.0/24" } });
    expect(ls.name).to.equal("ls1");
    expect(fx.nb.switches.get("ls1")?._uuid).to.equal(ls._uuid);
    expect(fx.nb.switches.get(ls._uuid)?.name).to.equal("ls1");
    expect(await fx.nbctl("ls-list")).to.contain(`${ls._uuid} (ls1)`);
    expect(await nbctlGet(fx, "Logical_Switch", "ls1", "external_ids:owner")).to.equal("ovnkit");
    const e = await rejection(fx.nb.switches.create({ name: "ls1" }));
    expect(isOvnNbError(e, "ALREADY_EXISTS")).to.equal(true);
    expect(e.details).to.deep.include({ what: "logical switch", key: "ls1" });
  });

  it("two concurrent creates of one name: the server guard lets exactly one through", async () => {
    const [a, b] = await Promise.allSettled([fx.nb.switches.create({ name: "race" }), fx.nb.switches.create({ name: "race" })]);
    expect([a.status, b.status].sort()).to.deep.equal(["fulfilled", "rejected"]);
    const lost = (a.status === "rejected" ? a : b) as PromiseRejectedResult;
    expect(isOvnNbError(lost.reason, "ALREADY_EXISTS")).to.equal(true);
    expect((await fx.nbctl("--bare", "--columns=name", "find", "Logical_Switch", "name=race")).split("\n").filter(Boolean)).to.have.length(1);
  });

  it("ensure: idempotent, merges map pairs and keeps keys set by others", async () => {
    await fx.nbctl("set", "Logical_Switch", "ls1", "external_ids:by-nbctl=yes");
    await fx.nb.barrier();
    const before = fx.nb.switches.require("ls1");
    const again = await fx.nb.switches.ensure({ name: "ls1", external_ids: { owner: "ovnkit" } });
    expect(again._uuid).to.equal(before._uuid);
    const merged = await fx.nb.switches.ensure({ name: "ls1", external_ids: { tier: "gold" } });
    expect(Object.fromEntries(merged.external_ids)).to.deep.equal({ owner: "ovnkit", "by-nbctl": "yes", tier: "gold" });
    const fresh = await fx.nb.switches.ensure({ name: "ls2" });
    expect(fx.nb.switches.list().map((s) => s.name).sort()).to.deep.equal(["ls1", "ls2", "race"]);
    expect(fresh.name).to.equal("ls2");
  });

  it("reads by external_ids key through an index; shared names are AMBIGUOUS_NAME", async () => {
    expect(fx.nb.switches.byExternalId("owner", "ovnkit").map((s) => s.name)).to.deep.equal(["ls1"]);
    await fx.nb.switches.setExternalIds("ls2", { owner: "ovnkit" });
    expect(fx.nb.switches.byExternalId("owner", "ovnkit").map((s) => s.name).sort()).to.deep.equal(["ls1", "ls2"]);
    await fx.nbctl("create", "Logical_Switch", "name=dup");
    await fx.nbctl("create", "Logical_Switch", "name=dup");
    await fx.nb.barrier();
    const e = (() => {
      try {
        fx.nb.switches.get("dup");
      } catch (err) {
        return err;
      }
    })();
    expect(isOvnNbError(e, "AMBIGUOUS_NAME")).to.equal(true);
  });

  it("switch ports: create with every common column; duplicate name ALREADY_EXISTS; missing switch NOT_FOUND", async () => {
    const p = await fx.nb.switchPorts.create("ls1", {
      name: "vm1",
      addresses: ["0a:00:00:00:00:01 10.0.0.11"],
      port_security: ["0a:00:00:00:00:01 10.0.0.11"],
      options: { "requested-chassis": "hv1" },
      external_ids: { pod: "ns/vm1" },
      enabled: true,
    });
    expect(p).to.deep.include({ name: "vm1", type: "", enabled: true });
    expect(await fx.nbctl("lsp-list", "ls1")).to.contain("(vm1)");
    expect(await fx.nbctl("lsp-get-addresses", "vm1")).to.equal("0a:00:00:00:00:01 10.0.0.11");
    expect(await fx.nbctl("lsp-get-port-security", "vm1")).to.equal("0a:00:00:00:00:01 10.0.0.11");
    expect(fx.nb.switchPorts.switchOf("vm1")?.name).to.equal("ls1");
    expect(isOvnNbError(await rejection(fx.nb.switchPorts.create("ls2", { name: "vm1" })), "ALREADY_EXISTS")).to.equal(true);
    const e = await rejection(fx.nb.switchPorts.create("nope", { name: "vm9" }));
    expect(isOvnNbError(e, "NOT_FOUND")).to.equal(true);
    expect(e.details).to.deep.include({ what: "logical switch", key: "nope" });
  });

  it("setters: addresses, port security, type, enabled, options and external_ids (other keys kept)", async () => {
    await fx.nbctl("lsp-set-options", "vm1", "requested-chassis=hv1", "by-nbctl=1");
    await fx.nb.barrier();
    expect(await fx.nb.switchPorts.setAddresses("vm1", ["0a:00:00:00:00:02 10.0.0.12", "unknown"])).to.equal(true);
    expect(await fx.nb.switchPorts.setAddresses("vm1", ["unknown", "0a:00:00:00:00:02 10.0.0.12"])).to.equal(false);
    await fx.nb.switchPorts.setPortSecurity("vm1", []);
    await fx.nb.switchPorts.setEnabled("vm1", false);
    await fx.nb.switchPorts.setType("vm1", "localport");
    await fx.nb.switchPorts.setOptions("vm1", { "requested-chassis": "hv2", mcast_flood: "true" });
    await fx.nb.switchPorts.removeOptions("vm1", ["mcast_flood", "absent"]);
    await fx.nb.switchPorts.setExternalIds("vm1", { owner: "me" });
    await fx.nb.switchPorts.removeExternalIds("vm1", ["pod"]);
    expect((await fx.nbctl("lsp-get-addresses", "vm1")).split("\n").sort()).to.deep.equal(["0a:00:00:00:00:02 10.0.0.12", "unknown"]);
    expect(await fx.nbctl("lsp-get-port-security", "vm1")).to.equal("");
    expect(await fx.nbctl("lsp-get-enabled", "vm1")).to.equal("disabled");
    expect(await fx.nbctl("lsp-get-type", "vm1")).to.equal("localport");
    expect(await nbctlGet(fx, "Logical_Switch_Port", "vm1", "options")).to.equal('{by-nbctl="1", requested-chassis=hv2}');
    expect(await nbctlGet(fx, "Logical_Switch_Port", "vm1", "external_ids")).to.equal("{owner=me}");
    const row = fx.nb.switchPorts.require("vm1");
    expect(Object.fromEntries(row.options)).to.deep.equal({ "by-nbctl": "1", "requested-chassis": "hv2" });
  });

  it("ensure port: converges in its switch, ALREADY_EXISTS from another switch, creates when missing", async () => {
    const p = await fx.nb.switchPorts.ensure("ls1", { name: "vm1", type: "", external_ids: { owner: "me" } });
    expect(p.type).to.equal("");
    expect(isOvnNbError(await rejection(fx.nb.switchPorts.ensure("ls2", { name: "vm1" })), "ALREADY_EXISTS")).to.equal(true);
    const q = await fx.nb.switchPorts.ensure("ls2", { name: "vm2", addresses: ["router"] });
    expect(fx.nb.switchPorts.listOf("ls2").map((x) => x.name)).to.deep.equal([q.name]);
  });

  it("a write guarded on a row another client deleted meanwhile is NOT_FOUND and writes nothing", async () => {
    const port = fx.nb.switchPorts.require("vm2");
    await fx.nbctl("lsp-del", "vm2");
    await fx.nb.barrier();
    // the replica already knows: the API refuses before sending
    expect(isOvnNbError(await rejection(fx.nb.switchPorts.setType("vm2", "router")), "NOT_FOUND")).to.equal(true);
    // a plan built from the old row is refused by the server's guard
    const e = await rejection(fx.nb.run(editRowPlan(models.LogicalSwitchPort, "logical switch port", port, { fields: { type: "router" } })));
    expect(isOvnNbError(e, "NOT_FOUND")).to.equal(true);
    expect(await fx.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port", "name=vm2")).to.equal("");
  });

  it("deletes ports (garbage-collected with their switch reference) and switches; ifExists", async () => {
    await fx.nb.switchPorts.create("ls2", { name: "vm3" });
    expect(await fx.nb.switchPorts.delete("vm3")).to.equal(true);
    expect(await fx.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port", "name=vm3")).to.equal("");
    expect(fx.nb.switchPorts.get("vm3")).to.equal(undefined);
    expect(isOvnNbError(await rejection(fx.nb.switchPorts.delete("vm3")), "NOT_FOUND")).to.equal(true);
    expect(await fx.nb.switchPorts.delete("vm3", { ifExists: true })).to.equal(false);
    expect(await fx.nb.switches.delete("ls1")).to.equal(true);
    // its port went with it
    expect(await fx.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port", "name=vm1")).to.equal("");
    expect(fx.nb.switchPorts.get("vm1")).to.equal(undefined);
    expect(await fx.nb.switches.delete("ls1", { ifExists: true })).to.equal(false);
    expect(isOvnNbError(await rejection(fx.nb.switches.delete("ls1")), "NOT_FOUND")).to.equal(true);
  });
});
