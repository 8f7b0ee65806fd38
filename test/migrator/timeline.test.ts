import { expect } from "chai";
import { FakeKubeApiServer } from "../fake-kube/index.js";
import { startDaemon, type DaemonHandle } from "./support/harness.js";
import { KubeVirtDriver, NS, type MigrationHandle, type VmHandle } from "./support/kubevirt-driver.js";
import { MemoryBackend } from "./support/memory-backend.js";
import { until } from "./support/wait.js";

/** The migrator daemon (real client-node informers against the fake API server) driving a recording backend. */
describe("migrator daemon: migration timelines against the fake API server and a recording backend", function () {
  this.timeout(20_000);
  let server: FakeKubeApiServer;
  let backend: MemoryBackend;
  let kv: KubeVirtDriver;
  let handles: DaemonHandle[];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start({ bookmarkIntervalMs: 500 });
    backend = new MemoryBackend();
    kv = new KubeVirtDriver(server);
    handles = [];
  });
  afterEach(async () => {
    for (const h of handles) await h.daemon.stop();
    await server.stop();
  });

  async function daemon(opts: Parameters<typeof startDaemon>[2] = {}): Promise<DaemonHandle> {
    const h = await startDaemon(server, backend, opts);
    handles.push(h);
    await until(() => h.daemon.informers.hasSynced && h.daemon.controller.isRunning, "daemon running");
    return h;
  }
  /** Waits until the queue is idle (nothing queued, nothing in flight). */
  async function settled(h: DaemonHandle): Promise<void> {
    await until(() => h.daemon.controller.queue.length === 0 && h.daemon.controller.queue.inFlight === 0, "queue idle");
  }
  /** A VM "vm1" running on node-a, with `nics` ports in the backend. */
  function vmOnNodeA(nics = 1): VmHandle {
    const vm = kv.createVm("vm1", "node-a");
    backend.addVm(vm.ref, nics, "node-a");
    return vm;
  }
  /** Starts migration `name` of `vm`, schedules its target pod on `target`, waits until the backend saw `arms` arms. */
  async function armed(vm: VmHandle, name: string, target: string, arms: number, what: string): Promise<MigrationHandle> {
    const m = vm.migrate(name).scheduling().targetScheduled(target);
    await until(() => backend.count("arm") === arms, what);
    return m;
  }
  /** Stops a daemon before the end of the test (afterEach then leaves it alone). */
  async function stopDaemon(h: DaemonHandle): Promise<void> {
    await h.daemon.stop();
    handles.splice(handles.indexOf(h), 1);
  }
  const ports = (vm: { namespace: string; name: string }) => backend.summary(vm).map((p) => `${p.port}=${p.requestedChassis ?? ""}${p.activation ? "+" + p.activation : ""}${p.owner ? "@" + p.owner : ""}`);

  it("happy path: armed once the target pod has a node (still Pending), kept through Running, completed to the target on Succeeded", async () => {
    const vm = vmOnNodeA(2);
    const h = await daemon();
    const m = vm.migrate("mig1");
    m.phase("Pending").scheduling();
    await settled(h);
    expect(backend.count("arm")).to.equal(0);
    m.targetScheduled("node-b");
    await until(() => backend.count("arm") === 1, "armed");
    expect(ports(vm.ref)).to.deep.equal([`vm1.vms=node-a,node-b+rarp@${m.uid}`, `vm1.vms.nic1=node-a,node-b+rarp@${m.uid}`]);
    m.phase("Scheduled").phase("PreparingTarget").vmiKnows().phase("TargetReady").targetRunning().phase("Running").targetDomainReady();
    await settled(h);
    expect(backend.count("arm")).to.equal(1);
    m.succeed();
    await until(() => backend.count("complete") === 1, "completed");
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-b", "vm1.vms.nic1=node-b"]);
    expect(backend.calls.map((c) => c.op)).to.deep.equal(["arm", "complete"]);
    expect(backend.calls[1]!.request).to.deep.include({ outcome: "succeeded", chassis: "node-b" });
    const metrics = await (await fetch(`${h.daemon.health.url}/metrics`)).text();
    expect(metrics).to.match(/ovnkit_migrator_backend_ops_total\{op="arm",result="ok"\} 1/);
    expect(metrics).to.match(/ovnkit_migrator_event_to_transaction_seconds_count\{op="complete"\} 1/);
  });

  it("failure: completed back to the source", async () => {
    const vm = vmOnNodeA();
    await daemon();
    const m = await armed(vm, "mig1", "node-b", 1, "armed");
    m.phase("Running").vmiKnows().fail();
    await until(() => backend.count("complete") === 1, "completed");
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-a"]);
    expect(backend.calls[1]!.request).to.deep.include({ outcome: "failed", chassis: "node-a" });
  });

  it("a failure before the VMI knew the migration still clears src,dst+rarp (Kube-OVN #7419/#7420)", async () => {
    const vm = vmOnNodeA();
    await daemon();
    const m = await armed(vm, "mig1", "node-b", 1, "armed");
    m.deleteTargetPod().fail({ vmiKnew: false });
    await until(() => backend.count("complete") === 1, "completed");
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-a"]);
  });

  it("abort: stays armed while the abort is pending, back to the source once aborted (the VMIM then disappears)", async () => {
    const vm = vmOnNodeA();
    const h = await daemon();
    const m = await armed(vm, "mig1", "node-b", 1, "armed");
    m.phase("Running").vmiKnows().requestAbort();
    await settled(h);
    expect(ports(vm.ref)).to.deep.equal([`vm1.vms=node-a,node-b+rarp@${m.uid}`]);
    m.aborted();
    await until(() => backend.count("complete") === 1, "completed");
    expect(backend.calls[1]!.request).to.deep.include({ outcome: "aborted", chassis: "node-a" });
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-a"]);
  });

  it("deleting the source launcher pod in flight does not clear the options (Kube-OVN #6665-like)", async () => {
    const vm = vmOnNodeA();
    const h = await daemon();
    const m = await armed(vm, "mig1", "node-b", 1, "armed");
    vm.deletePod("virt-launcher-vm1-node-a");
    await settled(h);
    expect(ports(vm.ref)).to.deep.equal([`vm1.vms=node-a,node-b+rarp@${m.uid}`]);
    expect(backend.calls).to.have.length(1);
  });

  it("A -> B -> A: the second migration arms B,A and ends on A", async () => {
    const vm = vmOnNodeA();
    await daemon();
    const m1 = await armed(vm, "mig1", "node-b", 1, "armed 1");
    m1.vmiKnows().targetDomainReady().succeed();
    await until(() => backend.count("complete") === 1, "completed 1");
    const m2 = await armed(vm, "mig2", "node-a", 2, "armed 2");
    expect(ports(vm.ref)).to.deep.equal([`vm1.vms=node-b,node-a+rarp@${m2.uid}`]);
    m2.vmiKnows().targetDomainReady().succeed();
    await until(() => backend.count("complete") === 2, "completed 2");
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-a"]);
  });

  it("restart mid-migration: the new instance neither re-arms nor completes early, and completes on Succeeded", async () => {
    const vm = vmOnNodeA();
    const first = await daemon();
    const m = await armed(vm, "mig1", "node-b", 1, "armed");
    await stopDaemon(first);
    m.phase("Running").vmiKnows().targetDomainReady();
    const second = await daemon();
    await settled(second);
    expect(backend.calls.map((c) => c.op)).to.deep.equal(["arm"]);
    m.succeed();
    await until(() => backend.count("complete") === 1, "completed");
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-b"]);
  });

  it("down during the whole end of a migration: on restart the armed ports are completed from the VMIM", async () => {
    const vm = vmOnNodeA();
    const first = await daemon();
    const m = await armed(vm, "mig1", "node-b", 1, "armed");
    await stopDaemon(first);
    m.vmiKnows().targetDomainReady().succeed();
    await daemon();
    await until(() => backend.count("complete") === 1, "completed after restart");
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-b"]);
  });

  it("restart replaying an old Succeeded VMIM never touches a newer migration's ports (Kube-OVN #7419)", async () => {
    const vm = vmOnNodeA();
    const first = await daemon();
    const m1 = await armed(vm, "mig1", "node-b", 1, "armed 1");
    m1.vmiKnows().targetDomainReady().succeed();
    await until(() => backend.count("complete") === 1, "completed 1");
    const m2 = await armed(vm, "mig2", "node-c", 2, "armed 2");
    await stopDaemon(first);
    const second = await daemon();
    await settled(second);
    expect(backend.calls.length).to.equal(3);
    expect(ports(vm.ref)).to.deep.equal([`vm1.vms=node-b,node-c+rarp@${m2.uid}`]);
  });

  it("informer faults mid-migration (destroyed watches, compaction, a stalled stream) do not lose the migration", async () => {
    const vm = vmOnNodeA();
    const h = await daemon();
    const m = vm.migrate("mig1").scheduling();
    server.destroyWatches();
    m.targetScheduled("node-b");
    await until(() => backend.count("arm") === 1, "armed despite a reset");
    server.stallWatches();
    server.compact();
    m.vmiKnows().targetDomainReady().succeed();
    await until(() => backend.count("complete") === 1, "completed after the watchdog and a relist", 10_000);
    expect(ports(vm.ref)).to.deep.equal(["vm1.vms=node-b"]);
    expect(h.daemon.informers.all.reduce((n, i) => n + i.restarts, 0)).to.be.at.least(3);
  });

  it("a backend error is retried with backoff; a transient STALE_MIGRATION is re-read at once", async () => {
    const vm = vmOnNodeA();
    const h = await daemon();
    backend.failNext("arm", Object.assign(new Error("NB unreachable"), { code: "NOT_CONNECTED" }));
    const m = await armed(vm, "mig1", "node-b", 1, "armed after a retry");
    expect(h.logs.some((l) => l.msg === "reconcile failed" && l.code === "NOT_CONNECTED")).to.equal(true);
    m.vmiKnows().succeed();
    await until(() => backend.count("complete") === 1, "completed");
    expect(ports({ namespace: NS, name: "vm1" })).to.deep.equal(["vm1.vms=node-b"]);
  });
});
