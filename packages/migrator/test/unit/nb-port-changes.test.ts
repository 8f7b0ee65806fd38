import { expect } from "chai";
import { vmKeysOfPortChange, type PortRowView } from "../../src/migration/nb-port-changes.js";

function row(options: Record<string, string>, ids: Record<string, string>): PortRowView {
  return { options: new Map(Object.entries(options)), external_ids: new Map(Object.entries(ids)) };
}
const vm1 = { pod: "vms/vm1", owner: "cni" };

describe("migrator nb-port-changes: which VM an NB port change concerns", () => {
  it("inserts and deletes of a VM port queue the VM; initial contents and ports of no VM do not", () => {
    expect(vmKeysOfPortChange({ kind: "insert", old: undefined, new: row({}, vm1) }, "pod")).to.deep.equal(["vms/vm1"]);
    expect(vmKeysOfPortChange({ kind: "delete", old: row({}, vm1), new: undefined }, "pod")).to.deep.equal(["vms/vm1"]);
    expect(vmKeysOfPortChange({ kind: "initial", old: undefined, new: row({}, vm1) }, "pod")).to.deep.equal([]);
    expect(vmKeysOfPortChange({ kind: "insert", old: undefined, new: row({}, { owner: "cni" }) }, "pod")).to.deep.equal([]);
    expect(vmKeysOfPortChange({ kind: "insert", old: undefined, new: row({}, { pod: "novm" }) }, "pod")).to.deep.equal([]);
  });

  it("modifies queue the VM only when requested-chassis, activation-strategy or the ownership record changed", () => {
    const before = row({ "requested-chassis": "a", mcast_flood: "true" }, vm1);
    const mod = (o: Record<string, string>, ids: Record<string, string> = vm1) => vmKeysOfPortChange({ kind: "modify", old: before, new: row(o, ids) }, "pod");
    expect(mod({ "requested-chassis": "a,b", mcast_flood: "true" })).to.deep.equal(["vms/vm1"]);
    expect(mod({ "requested-chassis": "a", "activation-strategy": "rarp", mcast_flood: "true" })).to.deep.equal(["vms/vm1"]);
    expect(mod({ "requested-chassis": "a", mcast_flood: "true" }, { ...vm1, "ovnkit.io/migration-uid": "u" })).to.deep.equal(["vms/vm1"]);
    expect(mod({ "requested-chassis": "a", mcast_flood: "false" })).to.deep.equal([]);
    expect(mod({ "requested-chassis": "a", mcast_flood: "true" }, { ...vm1, owner: "other" })).to.deep.equal([]);
  });

  it("a port moved between VMs queues both; the key is configurable", () => {
    const a = row({}, { pod: "vms/vm1" });
    const b = row({}, { pod: "vms/vm2" });
    expect(vmKeysOfPortChange({ kind: "modify", old: a, new: b }, "pod")).to.deep.equal(["vms/vm1", "vms/vm2"]);
    expect(vmKeysOfPortChange({ kind: "modify", old: a, new: row({}, {}) }, "pod")).to.deep.equal(["vms/vm1"]);
    expect(vmKeysOfPortChange({ kind: "insert", old: undefined, new: row({}, { "vm.kubevirt/key": "ns/x" }) }, "vm.kubevirt/key")).to.deep.equal(["ns/x"]);
  });
});
