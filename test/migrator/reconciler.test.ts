import { expect } from "chai";
import { MemoryEventSink, MigrationReconciler, MigratorMetrics } from "@ovnkit/migrator";
import { launcher, vmi, vmim, VM } from "../../packages/migrator/test/support/builders.js";
import { Cluster, armedVm, ctx } from "./support/cluster-state.js";
import { MemoryBackend } from "./support/memory-backend.js";

describe("migrator reconciler (one VM, plain caches, recording backend)", () => {
  it("one reconcile settles an old owner first, then arms the current migration, then stops", async () => {
    const { nb, port } = await armedVm(1);
    const cluster = new Cluster(
      vmi({ node: "node-b" }),
      [vmim("m1", "Succeeded", { created: "2026-01-01T01:00:00Z" }), vmim("m2", "Scheduling", { created: "2026-01-01T02:00:00Z" })],
      [launcher("src", { node: "node-b" }), launcher("tgt2", { migrationUid: "m2", node: "node-c", phase: "Pending" })],
    );
    const events = new MemoryEventSink();
    const r = new MigrationReconciler({ state: cluster, backend: nb, events, metrics: new MigratorMetrics() });
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.calls.map((c) => `${c.op}:${c.request.migrationUid}`)).to.deep.equal(["complete:m1", "arm:m2"]);
    expect(nb.port(port).options).to.deep.include({ "requested-chassis": "node-b,node-c", "activation-strategy": "rarp" });
    expect(events.reasons()).to.deep.equal(["MigrationCompleted", "MigrationArmed"]);
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.calls).to.have.length(2);
  });

  it("a migration it completed is never armed again, even if the cache goes back to Running", async () => {
    const nb = new MemoryBackend();
    nb.addVm(VM, 1, "node-a");
    const cluster = new Cluster(vmi({ node: "node-a" }), [vmim("m1", "Running")], [launcher("src", { node: "node-a" }), launcher("tgt", { migrationUid: "m1", node: "node-b" })]);
    const r = new MigrationReconciler({ state: cluster, backend: nb });
    await r.reconcile("vms/vm1", ctx());
    cluster.vmims = [vmim("m1", "Succeeded")];
    await r.reconcile("vms/vm1", ctx());
    expect(r.completedMigrations.has("m1")).to.equal(true);
    cluster.vmims = [vmim("m1", "Running")];
    await r.reconcile("vms/vm1", ctx());
    expect(nb.calls.map((c) => c.op)).to.deep.equal(["arm", "complete"]);
  });

  it("STALE_MIGRATION from the backend re-reads at once instead of failing the reconcile", async () => {
    const { nb } = await armedVm(1);
    const stale = Object.assign(new Error("someone completed it"), { code: "STALE_MIGRATION" });
    nb.failNext("complete", stale);
    const r = new MigrationReconciler({ state: new Cluster(vmi({ node: "node-b" }), [vmim("m1", "Succeeded")], []), backend: nb });
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.summary(VM)[0]!.requestedChassis).to.equal("node-b");
  });

  it("other backend errors fail the reconcile (rate-limited requeue) with a Warning event", async () => {
    const nb = new MemoryBackend();
    nb.addVm(VM, 1, "node-a");
    nb.failNext("arm", Object.assign(new Error("down"), { code: "NOT_CONNECTED" }));
    const events = new MemoryEventSink();
    const cluster = new Cluster(vmi({ node: "node-a" }), [vmim("m1", "Scheduling")], [launcher("tgt", { migrationUid: "m1", node: "node-b" })]);
    const r = new MigrationReconciler({ state: cluster, backend: nb, events });
    try {
      await r.reconcile("vms/vm1", ctx());
      expect.fail("should throw");
    } catch (e) {
      expect((e as { code?: string }).code).to.equal("NOT_CONNECTED");
    }
    expect(events.events.map((e) => `${e.type}:${e.reason}`)).to.deep.equal(["Warning:MigrationArmFailed"]);
  });

  it("an orphaned owner waits out the grace period (requeueAfter), then follows the VMI", async () => {
    const nb = new MemoryBackend();
    nb.addVm(VM, 1, "node-a");
    await nb.arm({ vm: VM, migrationUid: "gone", source: "node-a", target: "node-b" });
    const r = new MigrationReconciler({ state: new Cluster(vmi({ node: "node-a" }), [], []), backend: nb, orphanGraceMs: 60 });
    const first = await r.reconcile("vms/vm1", ctx());
    expect(first.requeueAfterMs).to.be.within(1, 60);
    await new Promise((res) => setTimeout(res, first.requeueAfterMs! + 5));
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(nb.summary(VM)[0]).to.deep.include({ requestedChassis: "node-a", activation: undefined, owner: undefined });
  });

  it("drift is reported once it persisted, once per change, as a Warning event and a metric", async () => {
    const nb = new MemoryBackend();
    nb.addVm(VM, 1, "node-z");
    const events = new MemoryEventSink();
    const metrics = new MigratorMetrics();
    const cluster = new Cluster(vmi({ node: "node-a" }), [], []);
    const r = new MigrationReconciler({ state: cluster, backend: nb, events, metrics, driftConfirmMs: 50 });
    // Seen once: not reported yet (the caches may be skewed), looked at again later.
    const first = await r.reconcile("vms/vm1", ctx());
    expect(first.requeueAfterMs).to.be.within(1, 50);
    expect(events.events).to.deep.equal([]);
    // A skew that resolves itself is never reported.
    cluster.theVmi = vmi({ node: "node-z" });
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    cluster.theVmi = vmi({ node: "node-a" });
    const again = await r.reconcile("vms/vm1", ctx());
    await new Promise((res) => setTimeout(res, again.requeueAfterMs! + 5));
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(await r.reconcile("vms/vm1", ctx())).to.deep.equal({});
    expect(events.events.map((e) => e.reason)).to.deep.equal(["PortDrift"]);
    expect(await metrics.text()).to.match(/ovnkit_migrator_drift_reports_total 1/);
    expect(nb.calls).to.deep.equal([]);
  });
});
