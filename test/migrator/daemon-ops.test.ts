import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { KubeEventRecorder, type ArmRequest, type CompleteRequest, type DaemonBackend, type PortState, type VmRef } from "@ovnkit/migrator";
import { memoryLogger } from "@ovnkit/migrator/internal";
import { EVENTS_V1_EVENT, FakeKubeApiServer } from "../fake-kube/index.js";
import { startDaemon, type DaemonHandle } from "./support/harness.js";
import { KubeVirtDriver, NS } from "./support/kubevirt-driver.js";
import { MemoryBackend } from "./support/memory-backend.js";
import { until } from "./support/wait.js";

/** One shared NB (MemoryBackend) seen through a per-daemon view that records who called. */
class TaggedBackend implements DaemonBackend {
  constructor(private readonly inner: MemoryBackend, readonly tag: string, readonly log: string[]) {}
  get ready(): boolean {
    return this.inner.ready;
  }
  inspect(vm: VmRef): Promise<PortState[]> {
    return this.inner.inspect(vm);
  }
  arm(r: ArmRequest): Promise<void> {
    this.log.push(`${this.tag}:arm`);
    return this.inner.arm(r);
  }
  complete(r: CompleteRequest): Promise<void> {
    this.log.push(`${this.tag}:complete`);
    return this.inner.complete(r);
  }
}

describe("migrator daemon: leader election, health endpoints, events", function () {
  this.timeout(20_000);
  let server: FakeKubeApiServer;
  let handles: DaemonHandle[];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start({ bookmarkIntervalMs: 500 });
    handles = [];
  });
  afterEach(async () => {
    for (const h of handles) await h.daemon.stop();
    await server.stop();
  });

  it("two replicas: only the leader acts; when it stops, the other takes over mid-migration and completes", async () => {
    const nb = new MemoryBackend();
    const calls: string[] = [];
    const kv = new KubeVirtDriver(server);
    const vm = kv.createVm("vm1", "node-a");
    nb.addVm(vm.ref, 1, "node-a");
    const a = await startDaemon(server, new TaggedBackend(nb, "a", calls), { leaderElect: true, identity: "a" });
    handles.push(a);
    await until(() => a.daemon.elector!.isLeader && a.daemon.controller.isRunning, "a leads");
    const b = await startDaemon(server, new TaggedBackend(nb, "b", calls), { leaderElect: true, identity: "b" });
    handles.push(b);
    await until(() => b.daemon.elector!.leader === "a" && b.daemon.informers.hasSynced, "b follows");
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await until(() => nb.count("arm") === 1, "armed");
    expect(b.daemon.controller.isRunning).to.equal(false);
    await a.daemon.stop();
    handles.splice(0, 1);
    await until(() => b.daemon.controller.isRunning, "b leads");
    m.vmiKnows().targetDomainReady().succeed();
    await until(() => nb.count("complete") === 1, "completed");
    expect(calls).to.deep.equal(["a:arm", "b:complete"]);
    expect(await a.daemon.done).to.deep.equal({ reason: "stopped" });
  });

  it("a leader that loses its lease stops acting and ends with lost-leadership", async () => {
    const nb = new MemoryBackend();
    const a = await startDaemon(server, nb, { leaderElect: true, identity: "a" });
    handles.push(a);
    await until(() => a.daemon.controller.isRunning, "a leads");
    server.faults.failNext({ verbs: ["update", "get"], resource: "leases", code: 500, count: 1_000_000 });
    expect(await a.daemon.done).to.deep.equal({ reason: "lost-leadership" });
    expect(a.daemon.controller.isRunning).to.equal(false);
    server.faults.clear();
  });

  it("/healthz is always ok; /readyz is 503 until the informers synced and while NB is unreachable; /metrics serves text", async () => {
    const nb = new MemoryBackend();
    server.faults.failNext({ verbs: ["list"], resource: "virtualmachineinstances", code: 500, count: 3 });
    server.faults.latencyMs = 100;
    const h = await startDaemon(server, nb);
    handles.push(h);
    const url = h.daemon.health.url;
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    const early = await fetch(`${url}/readyz`);
    expect(early.status).to.equal(503);
    expect(await early.text()).to.match(/\[-\] informers: .*virtualmachineinstances/);
    server.faults.latencyMs = 0;
    await until(async () => (await fetch(`${url}/readyz`)).status === 200, "ready");
    nb.ready = false;
    const down = await fetch(`${url}/readyz`);
    expect(down.status).to.equal(503);
    expect(await down.text()).to.match(/\[-\] ovsdb/);
    nb.ready = true;
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get("content-type")).to.match(/^text\/plain/);
    expect(await metrics.text()).to.match(/ovnkit_migrator_informer_synced\{resource="pods"\} 1/);
    expect((await fetch(`${url}/nope`)).status).to.equal(404);
  });

  it("events.k8s.io Events are recorded on the VMI, and repeats become a series", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const recorder = new KubeEventRecorder({ kubeConfig: kc, instance: "test-1", log: memoryLogger().log });
    const nb = new MemoryBackend();
    const kv = new KubeVirtDriver(server);
    const vm = kv.createVm("vm1", "node-a");
    nb.addVm(vm.ref, 1, "node-a");
    const h = await startDaemon(server, nb, { events: recorder });
    handles.push(h);
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await until(() => nb.count("arm") === 1, "armed");
    m.vmiKnows().succeed();
    await until(() => nb.count("complete") === 1, "completed");
    await recorder.flush();
    const list = () => server.store.list(EVENTS_V1_EVENT, NS).items as { reason: string; note: string; type: string; regarding: { kind: string; name: string; uid: string }; reportingController: string; series?: { count: number } }[];
    expect(list().map((e) => e.reason).sort()).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
    const armed = list().find((e) => e.reason === "MigrationArmed")!;
    expect(armed.regarding).to.deep.include({ kind: "VirtualMachineInstance", name: "vm1", uid: vm.uid });
    expect(armed.note).to.contain("requested-chassis=node-a,node-b");
    expect(armed.reportingController).to.equal("ovnkit.io/migrator");
    recorder.record({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: NS, name: "vm1", uid: vm.uid }, "Warning", "PortDrift", "same note");
    recorder.record({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: NS, name: "vm1", uid: vm.uid }, "Warning", "PortDrift", "same note");
    recorder.record({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: NS, name: "vm1", uid: vm.uid }, "Warning", "PortDrift", "same note");
    await recorder.flush();
    const drift = list().filter((e) => e.reason === "PortDrift");
    expect(drift).to.have.length(1);
    expect(drift[0]!.series?.count).to.equal(3);
  });
});
