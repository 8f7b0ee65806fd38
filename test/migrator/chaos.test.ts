import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { NbClient } from "@ovnkit/ovn-nb";
import { MemoryEventSink, MigratorDaemon, OvnNbBackend, validateConfig } from "@ovnkit/migrator";
import { memoryLogger } from "@ovnkit/migrator/internal";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { FakeKubeApiServer } from "../fake-kube/index.js";
import { startDaemon, type DaemonHandle } from "./support/harness.js";
import { KubeVirtDriver, type MigrationHandle } from "./support/kubevirt-driver.js";
import { until } from "./support/wait.js";

/**
 * Chaos: the real daemon (in-process, real client-node, OvnNbBackend over a reconnecting NB session with a
 * short inactivity probe) against a real NB ovsdb-server and the fake Kubernetes API server, with faults on
 * either side mid-migration. No periodic resync (resyncSeconds 0): recovery must come from the session, the
 * NB change stream, the informers' restarts and the work queue. Every case asserts the exact final NB state
 * of the VM's port: requested-chassis, no activation-strategy, no ownership record, unrelated keys kept.
 * Recovery times are printed (`[chaos] ...`).
 */
const PORT = "vm1.vms";
const RECORD_KEYS = ["ovnkit.io/migration-uid", "ovnkit.io/migration-source", "ovnkit.io/migration-target"];
/** Probe 100 + 100 ms: a frozen NB is noticed within ~0.2-0.3 s. */
const PROBE = { intervalMs: 100, timeoutMs: 100, dumpTimeoutMs: 2000 };

describe("migrator chaos: real daemon, real NB ovsdb-server, fake Kubernetes API with faults", function () {
  this.timeout(30_000);
  let nbServer: OvsdbServer;
  let kube: FakeKubeApiServer;
  let setup: NbClient | undefined;
  let kv: KubeVirtDriver;
  const handles: DaemonHandle[] = [];
  const backends: OvnNbBackend[] = [];
  let frozen = false;

  beforeEach(async () => {
    nbServer = await startOvsdbServer({ schema: "nb" });
    kube = await FakeKubeApiServer.start({ bookmarkIntervalMs: 500 });
    setup = await NbClient.connect(nbServer.unixRemote);
    await setup.switches.create({ name: "ls1" });
    await setup.switchPorts.create("ls1", {
      name: PORT,
      addresses: ["0a:00:00:00:00:01 10.0.0.10"],
      options: { "requested-chassis": "node-a", mcast_flood: "true" },
      external_ids: { pod: "vms/vm1", owner: "cni" },
    });
    kv = new KubeVirtDriver(kube);
  });
  afterEach(async () => {
    if (frozen) process.kill(nbServer.pid, "SIGCONT");
    frozen = false;
    for (const h of handles.splice(0)) await h.daemon.stop();
    for (const b of backends.splice(0)) await b.close();
    await setup?.close();
    setup = undefined;
    await kube.stop();
    await nbServer.stop({ removeDir: true });
  });

  function newBackend(): OvnNbBackend {
    const b = OvnNbBackend.forRemotes(nbServer.unixRemote, {
      connectTimeoutMs: 2000, probe: PROBE, backoff: { initialMs: 20, maxMs: 200 }, waitMs: 5000, outcomeWaitMs: 10_000,
    });
    backends.push(b);
    return b;
  }

  async function daemon(events: MemoryEventSink, backend = newBackend()): Promise<DaemonHandle> {
    const h = await startDaemon(kube, backend, { events });
    handles.push(h);
    await until(() => h.daemon.controller.isRunning && backend.ready, "daemon running, NB connected");
    return h;
  }

  /** A one-shot client (after an NB restart the old one is gone). */
  async function reader(): Promise<NbClient> {
    if (setup === undefined || setup.ovsdb.status.state !== "connected") {
      await setup?.close().catch(() => undefined);
      setup = await NbClient.connect(nbServer.unixRemote);
    }
    return setup;
  }

  /** "requested-chassis[+activation-strategy][@migration-uid]" of the port in a reader's replica. */
  function state(nb: NbClient): string {
    const row = nb.switchPorts.get(PORT)!;
    const rc = row.options.get("requested-chassis") ?? "";
    const act = row.options.get("activation-strategy");
    const uid = row.external_ids.get("ovnkit.io/migration-uid");
    return `${rc}${act ? "+" + act : ""}${uid ? "@" + uid : ""}`;
  }

  async function expectState(want: string, what: string, timeoutMs = 10_000): Promise<number> {
    const t0 = Date.now();
    const nb = await reader();
    await until(() => state(nb) === want, `${what}: ${want} (now ${state(nb)})`, timeoutMs);
    return Date.now() - t0;
  }

  /** The exact final state: one chassis, no activation strategy, no record, the CNI's keys untouched. */
  async function expectFinal(chassis: string): Promise<void> {
    const nb = await reader();
    await nb.barrier();
    const row = nb.switchPorts.get(PORT)!;
    expect(Object.fromEntries(row.options)).to.deep.equal({ "requested-chassis": chassis, mcast_flood: "true" });
    expect(Object.fromEntries(row.external_ids)).to.deep.equal({ pod: "vms/vm1", owner: "cni" });
  }

  function log(text: string): void {
    console.log(`      [chaos] ${text}`);
  }

  it("(1) NB kill -9 right after the target pod gets its node: after the restart the port is armed, with no new Kubernetes event", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    const h = await daemon(events);
    const backend = backends[0]!;
    const m = vm.migrate("mig1").scheduling();
    await until(() => h.daemon.controller.queue.length === 0 && h.daemon.controller.queue.inFlight === 0, "idle");
    m.targetScheduled("node-b");
    await nbServer.kill9();
    const kubeVersion = kube.store.resourceVersion;
    await until(() => !backend.ready, "readiness reflects the lost NB");
    expect((await fetch(`${h.daemon.health.url}/readyz`)).status).to.equal(503);
    const restartAt = Date.now();
    await nbServer.restart();
    await until(() => backend.ready, "the session reconnected on its own", 10_000);
    const reconnectMs = Date.now() - restartAt;
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed after the restart");
    log(`kill -9 + restart: restart -> session connected ${reconnectMs} ms, restart -> port armed ${Date.now() - restartAt} ms`);
    expect(kube.store.resourceVersion, "no Kubernetes write since the kill").to.equal(kubeVersion);
    // The arm went through after the reconnect (the kill was sent before the daemon could see the pod's node).
    const msgs = h.logs.map((l) => String(l.msg));
    expect(msgs.indexOf("ports armed")).to.be.greaterThan(msgs.indexOf("OVN NB connection restored: re-queueing every VM"));
    expect(msgs.indexOf("OVN NB connection restored: re-queueing every VM")).to.be.greaterThan(-1);
    expect((await fetch(`${h.daemon.health.url}/readyz`)).status).to.equal(200);
    m.phase("Running").vmiKnows().targetDomainReady().succeed();
    await expectState("node-b", "completed");
    await expectFinal("node-b");
    expect(events.reasons().filter((r) => r === "MigrationArmed")).to.have.length(1);
    expect(events.reasons().at(-1)).to.equal("MigrationCompleted");
  });

  it("(1b) NB down when the target pod gets its node, reconcile backoff of a minute: the reconnect re-queues the VM at once", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    const backend = newBackend();
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(kube.kubeconfig());
    const { log: logger, lines } = memoryLogger("debug");
    const d = await MigratorDaemon.start(
      validateConfig({ nb: nbServer.unixRemote, leaderElect: false, identity: "chaos", metricsAddr: "127.0.0.1:0", logLevel: "debug", workers: 2, resyncSeconds: 0 }),
      { kubeConfig, backend, log: logger, events, tuning: { backoff: { baseMs: 60_000, maxMs: 60_000 }, noPortsRetryMs: 50 } },
    );
    handles.push({ daemon: d, logs: lines });
    await until(() => d.controller.isRunning && backend.ready, "daemon running, NB connected");
    const m = vm.migrate("mig1").scheduling();
    await until(() => d.controller.queue.length === 0 && d.controller.queue.inFlight === 0, "idle");
    await nbServer.kill9();
    await until(() => !backend.ready, "NB loss noticed");
    m.targetScheduled("node-b");
    // The reconcile fails (NOT_CONNECTED: no decision on the replica of a lost connection) and backs off 60 s.
    await until(() => lines.some((l) => l.msg === "reconcile failed" && l.code === "NOT_CONNECTED"), "a refused reconcile");
    expect(d.controller.queue.waitingDelayed).to.equal(1);
    const restartAt = Date.now();
    await nbServer.restart();
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed right after the reconnect");
    log(`NB down at scheduling, 60 s reconcile backoff: restart -> port armed ${Date.now() - restartAt} ms`);
    m.phase("Running").vmiKnows().targetDomainReady().succeed();
    await expectState("node-b", "completed");
    await expectFinal("node-b");
    expect(events.reasons()).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
  });

  it("(1c) NB unreachable when the migrator starts, reconcile backoff of a minute: the first connection re-queues the VM", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    await setup!.close();
    setup = undefined;
    await nbServer.kill9();
    // Short connect wait: the first open fails (and is retried by the backend) while NB is down.
    const backend = OvnNbBackend.forRemotes(nbServer.unixRemote, { connectTimeoutMs: 500, probe: PROBE, backoff: { initialMs: 20, maxMs: 200 }, waitMs: 300 });
    backends.push(backend);
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(kube.kubeconfig());
    // Everything is in the API before the daemon starts: no Kubernetes event can re-queue the VM later.
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    const { log: logger, lines } = memoryLogger("debug");
    const d = await MigratorDaemon.start(
      validateConfig({ nb: nbServer.unixRemote, leaderElect: false, identity: "chaos", metricsAddr: "127.0.0.1:0", logLevel: "debug", workers: 2, resyncSeconds: 0 }),
      { kubeConfig, backend, log: logger, events, tuning: { backoff: { baseMs: 60_000, maxMs: 60_000 }, noPortsRetryMs: 50 } },
    );
    handles.push({ daemon: d, logs: lines });
    await until(() => d.controller.isRunning && d.controller.queue.waitingDelayed === 1 && d.controller.queue.length === 0 && d.controller.queue.inFlight === 0,
      "the reconcile refused while NB is unreachable, backing off");
    expect(lines.some((l) => l.msg === "reconcile failed")).to.equal(true);
    expect(backend.ready).to.equal(false);
    expect((await fetch(`${d.health.url}/readyz`)).status).to.equal(503);
    const restartAt = Date.now();
    await nbServer.restart();
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed once NB is first reached");
    log(`NB down at start-up, 60 s reconcile backoff: restart -> port armed ${Date.now() - restartAt} ms`);
    expect(lines.some((l) => l.msg === "OVN NB connection restored: re-queueing every VM")).to.equal(true);
    m.phase("Running").vmiKnows().targetDomainReady().succeed();
    await expectState("node-b", "completed");
    await expectFinal("node-b");
    expect(events.reasons()).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
  });

  it("(1d) stopping the daemon while NB was never reachable does not wait out the first connection's wait", async () => {
    await setup!.close();
    setup = undefined;
    await nbServer.kill9();
    const backend = OvnNbBackend.forRemotes(nbServer.unixRemote, { probe: PROBE, waitMs: 20_000 });
    backends.push(backend);
    const h = await startDaemon(kube, backend, {});
    handles.push(h);
    await until(() => h.daemon.controller.isRunning, "daemon running");
    expect(backend.ready).to.equal(false);
    const stopped = h.daemon.stop().then(() => "stopped");
    const stuck = new Promise<string>((resolve) => setTimeout(() => resolve("still waiting for NB"), 5000).unref());
    expect(await Promise.race([stopped, stuck])).to.equal("stopped");
    expect(await h.daemon.done).to.deep.equal({ reason: "stopped" });
    expect(h.logs.some((l) => /OVN database connection failed/.test(String(l.msg)))).to.equal(false);
  });

  it("(2) NB frozen (SIGSTOP) as the migration ends: the probe notices, /readyz says so, after SIGCONT the completion lands", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    const h = await daemon(events);
    const backend = backends[0]!;
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed");
    m.phase("Running").vmiKnows().targetDomainReady();
    await until(() => h.daemon.controller.queue.length === 0 && h.daemon.controller.queue.inFlight === 0, "idle");
    const stopAt = Date.now();
    process.kill(nbServer.pid, "SIGSTOP");
    frozen = true;
    // Succeeded right away: the completion is decided on a connection that is silently dead.
    m.succeed();
    await until(() => !backend.ready, "the inactivity probe dropped the frozen connection", 5000);
    const detectMs = Date.now() - stopAt;
    const ready = await fetch(`${h.daemon.health.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(await ready.text()).to.match(/\[-\] ovsdb/);
    expect(h.logs.some((l) => /connection failed or lost/.test(String(l.msg)) && (l.err as { code?: string } | undefined)?.code === "PROBE_TIMEOUT")).to.equal(true);
    const contAt = Date.now();
    process.kill(nbServer.pid, "SIGCONT");
    frozen = false;
    const setupAlive = setup!;
    await until(() => setupAlive.switchPorts.get(PORT)!.options.get("requested-chassis") === "node-b", "completed after SIGCONT", 10_000);
    log(`SIGSTOP: detected after ${detectMs} ms (probe ${PROBE.intervalMs}+${PROBE.timeoutMs} ms); SIGCONT -> completion in NB ${Date.now() - contAt} ms`);
    await expectFinal("node-b");
    await until(() => events.reasons().includes("MigrationCompleted"), "completion event");
    expect(events.reasons().filter((r) => r !== "MigrationCompleted" && r !== "MigrationArmed")).to.deep.equal([]);
    expect(events.reasons().filter((r) => r === "MigrationArmed")).to.have.length(1);
  });

  it("(2b) a write sent to a frozen NB (reply lost, OUTCOME_UNKNOWN) is settled after the reconnect: it resolves, exactly once applied", async () => {
    const backend = newBackend();
    backend.start({});
    await until(() => backend.ready, "connected");
    const vm = { namespace: "vms", name: "vm1" };
    await backend.arm({ vm, migrationUid: "u1", source: "node-a", target: "node-b" });
    const nb = await reader();
    await nb.barrier();
    expect(state(nb)).to.equal("node-a,node-b+rarp@u1");
    process.kill(nbServer.pid, "SIGSTOP");
    frozen = true;
    // Sent on the silently dead connection: the probe drops it, the transaction's outcome is unknown.
    const completing = backend.complete({ vm, migrationUid: "u1", outcome: "succeeded", chassis: "node-b" });
    let settled = false;
    void completing.then(() => (settled = true), () => (settled = true));
    await until(() => !backend.ready, "probe timeout");
    expect(settled, "waits for the reconnect instead of failing").to.equal(false);
    process.kill(nbServer.pid, "SIGCONT");
    frozen = false;
    await completing;
    await expectFinal("node-b");
    // Completing again is refused (the first one landed exactly once): STALE_MIGRATION.
    try {
      await backend.complete({ vm, migrationUid: "u1", outcome: "succeeded", chassis: "node-b" });
      expect.fail("a second completion must be refused");
    } catch (e) {
      expect((e as { code?: string }).code).to.equal("STALE_MIGRATION");
    }
  });

  it("(3) watch streams destroyed, expired and stalled mid-migration: the informers restart and the completion still lands", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    const h = await daemon(events);
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed");
    const restarts = () => h.daemon.informers.all.reduce((n, i) => n + i.restarts, 0);
    const before = restarts();
    expect(kube.destroyWatches()).to.equal(3);
    m.phase("Running").vmiKnows();
    await until(() => kube.openWatches().length === 3 && restarts() >= before + 3, "informers restarted after the destroyed streams");
    kube.compact({ expireWatches: true });
    m.targetDomainReady();
    await until(() => kube.openWatches().length === 3, "watches back after 410 Expired");
    expect(kube.stallWatches()).to.equal(3);
    const stalledAt = Date.now();
    m.succeed();
    await expectState("node-b", "completed through stalled streams", 15_000);
    log(`stalled watches: succeed -> completion ${Date.now() - stalledAt} ms (watch idle timeout 2000 ms, bookmarks every 500 ms)`);
    await expectFinal("node-b");
    expect(events.reasons()).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
  });

  it("(4) migrator restarted mid-migration while the migration ends and a newer one starts: no double arm, no stale overwrite", async () => {
    const vm = kv.createVm("vm1", "node-a");
    // Every write the port sees, in order, from an independent replica.
    const seen: string[] = [];
    const nb = await reader();
    const sub = nb.monitor.changesOf("Logical_Switch_Port").subscribe((e) => {
      if (e.kind === "modify" && e.new.name === PORT) seen.push(state(nb));
    });
    try {
      const eventsA = new MemoryEventSink();
      const a = await daemon(eventsA);
      const m1 = vm.migrate("mig1").scheduling().targetScheduled("node-b");
      await expectState(`node-a,node-b+rarp@${m1.uid}`, "armed by the first instance");
      await a.daemon.stop();
      handles.splice(handles.indexOf(a), 1);
      await backends.shift()!.close();
      // While no migrator runs: mig1 succeeds, mig2 (node-b -> node-c) gets its target.
      m1.phase("Running").vmiKnows().targetDomainReady().succeed();
      const m2: MigrationHandle = vm.migrate("mig2").scheduling().targetScheduled("node-c");
      const eventsB = new MemoryEventSink();
      const startAt = Date.now();
      await daemon(eventsB);
      await expectState(`node-b,node-c+rarp@${m2.uid}`, "mig1 completed, then mig2 armed by the new instance");
      log(`restart: new instance started -> mig1 completed and mig2 armed ${Date.now() - startAt} ms`);
      m2.phase("Running").vmiKnows().targetDomainReady().succeed();
      await expectState("node-c", "mig2 completed");
      await expectFinal("node-c");
      expect(seen).to.deep.equal([`node-a,node-b+rarp@${m1.uid}`, "node-b", `node-b,node-c+rarp@${m2.uid}`, "node-c"]);
      expect(eventsA.reasons()).to.deep.equal(["MigrationArmed"]);
      expect(eventsB.reasons()).to.deep.equal(["MigrationCompleted", "MigrationArmed", "MigrationCompleted"]);
    } finally {
      sub.unsubscribe();
    }
  });

  it("(5) a foreign writer takes the port over mid-migration: MIGRATION_CONFLICT as a Warning event, never overwritten; armed again once it lets go", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    const h = await daemon(events);
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed");
    const nb = await reader();
    // Another tool migrates the port its own way, in one transaction: its options, ovnkit's record dropped.
    await nb.transact([{
      op: "mutate", table: "Logical_Switch_Port", where: [["name", "==", PORT]],
      mutations: [
        ["options", "delete", ["set", ["requested-chassis", "activation-strategy"]]],
        ["options", "insert", ["map", [["requested-chassis", "node-a,node-x"], ["activation-strategy", "rarp"], ["foreign", "yes"]]]],
        ["external_ids", "delete", ["set", RECORD_KEYS]],
      ],
    }]);
    const conflicts = () => h.logs.filter((l) => l.msg === "reconcile failed" && l.code === "MIGRATION_CONFLICT").length;
    // No Kubernetes event: the NB change stream queues the VM; retries (backoff) are refused again and again.
    await until(() => conflicts() >= 3, "several refused arms");
    expect(events.events.filter((e) => e.reason === "MigrationArmFailed").every((e) => e.type === "Warning" && /MIGRATION_CONFLICT|foreign|multichassis/i.test(e.note))).to.equal(true);
    expect(events.reasons()).to.include("MigrationArmFailed");
    await nb.barrier();
    expect(state(nb)).to.equal("node-a,node-x+rarp");
    expect(nb.switchPorts.get(PORT)!.options.get("foreign")).to.equal("yes");
    // The other tool lets go (back to the source, its key removed): ovnkit arms its migration again.
    await nb.switchPorts.removeOptions(PORT, ["activation-strategy", "foreign"]);
    await nb.switchPorts.setOptions(PORT, { "requested-chassis": "node-a" });
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed again once the port is free");
    m.phase("Running").vmiKnows().targetDomainReady().succeed();
    await expectState("node-b", "completed");
    await expectFinal("node-b");
    expect(events.reasons().at(-1)).to.equal("MigrationCompleted");
  });

  it("NB watch: an armed port changed by someone else is repaired promptly, with no Kubernetes event and no periodic resync", async () => {
    const events = new MemoryEventSink();
    const vm = kv.createVm("vm1", "node-a");
    await daemon(events);
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await expectState(`node-a,node-b+rarp@${m.uid}`, "armed");
    const kubeVersion = kube.store.resourceVersion;
    const nb = await reader();
    const at = Date.now();
    await nb.switchPorts.removeOptions(PORT, ["activation-strategy"]);
    await expectState(`node-a,node-b+rarp@${m.uid}`, "repaired from the NB change stream", 3000);
    log(`NB watch: foreign change -> repaired ${Date.now() - at} ms`);
    expect(kube.store.resourceVersion).to.equal(kubeVersion);
    m.phase("Running").vmiKnows().targetDomainReady().succeed();
    await expectState("node-b", "completed");
    await expectFinal("node-b");
  });
});
