/**
 * MigrationReconciler with completeAfterSourceRelease: a Succeeded migration is held (requeueAfter = grace left,
 * no backend call) while the source pod runs, and completed once it is gone or the grace ran out (clock started
 * at the first hold, in the reconciler). Failed completes at once.
 */
import { expect } from "chai";
import { MigrationReconciler } from "@ovnkit/migrator";
import { launcher, vmi, vmim } from "../../packages/migrator/test/support/builders.js";
import { Cluster, armedVm, ctx } from "./support/cluster-state.js";

describe("migrator reconciler: complete after the source release (opt-in)", () => {
  const src = launcher("src", { node: "node-a" });
  const tgt = launcher("tgt", { migrationUid: "m1", node: "node-b" });

  it("holds a Succeeded migration while the source pod runs (requeueAfter, no backend call), completes once it is gone", async () => {
    const { nb, port } = await armedVm(2);
    const cluster = new Cluster(vmi({ node: "node-b" }), [vmim("m1", "Succeeded")], [src, tgt]);
    const r = new MigrationReconciler({ state: cluster, backend: nb, completeAfterSourceRelease: { graceMs: 30_000 } });
    const held = await r.reconcile("vms/vm1", ctx());
    expect(held.requeueAfterMs).to.be.within(29_000, 30_000);
    expect(nb.calls).to.deep.equal([]);
    expect(nb.port(port).options).to.deep.include({ "requested-chassis": "node-a,node-b" });
    // the clock started at the first hold: a second look asks for no more than what is left
    const again = await r.reconcile("vms/vm1", ctx());
    expect(again.requeueAfterMs).to.be.at.most(held.requeueAfterMs!);
    cluster.podList = [tgt];
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.calls.map((c) => `${c.op}:${c.request.migrationUid}`)).to.deep.equal(["complete:m1"]);
    expect(nb.port(port).options["requested-chassis"]).to.equal("node-b");
  });

  it("completes when the grace ran out although the source pod is still there", async () => {
    const { nb } = await armedVm(2);
    const cluster = new Cluster(vmi({ node: "node-b" }), [vmim("m1", "Succeeded")], [src, tgt]);
    const r = new MigrationReconciler({ state: cluster, backend: nb, completeAfterSourceRelease: { graceMs: 40 } });
    const held = await r.reconcile("vms/vm1", ctx());
    expect(held.requeueAfterMs).to.be.within(1, 40);
    expect(nb.calls).to.deep.equal([]);
    await new Promise((res) => setTimeout(res, held.requeueAfterMs! + 5)); // what the work queue's addAfter does
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.calls.map((c) => c.op)).to.deep.equal(["complete"]);
  });

  it("completes a Failed migration at once (to the source), source pod present", async () => {
    const { nb, port } = await armedVm(2);
    const cluster = new Cluster(vmi({ node: "node-a" }), [vmim("m1", "Failed")], [src, tgt]);
    const r = new MigrationReconciler({ state: cluster, backend: nb, completeAfterSourceRelease: { graceMs: 30_000 } });
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.calls.map((c) => `${c.op}:${"outcome" in c.request ? c.request.outcome : "-"}`)).to.deep.equal(["complete:failed"]);
    expect(nb.port(port).options["requested-chassis"]).to.equal("node-a");
  });

  it("default (mode off): completes at once with the source pod present", async () => {
    const { nb } = await armedVm(2);
    const cluster = new Cluster(vmi({ node: "node-b" }), [vmim("m1", "Succeeded")], [src, tgt]);
    const r = new MigrationReconciler({ state: cluster, backend: nb });
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.calls.map((c) => c.op)).to.deep.equal(["complete"]);
  });
});
