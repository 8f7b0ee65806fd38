import { expect } from "chai";
import { NbClient } from "@ovnkit/ovn-nb";
import { MemoryEventSink, OvnNbBackend, isMigratorError } from "@ovnkit/migrator";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { FakeKubeApiServer } from "../fake-kube/index.js";
import { startDaemon, type DaemonHandle } from "./support/harness.js";
import { KubeVirtDriver } from "./support/kubevirt-driver.js";
import { until } from "./support/wait.js";

/**
 * The daemon with the REAL backend: OvnNbBackend over @ovnkit/ovn-nb's migration operations on a real NB
 * ovsdb-server. The LSP options change at the right phases; other keys survive.
 */
describe("migrator daemon + OvnNbBackend against a real NB ovsdb-server", function () {
  this.timeout(30_000);
  let nbServer: OvsdbServer;
  let kube: FakeKubeApiServer;
  let setup: NbClient;
  let backend: OvnNbBackend;
  let handle: DaemonHandle | undefined;
  let kv: KubeVirtDriver;
  let events: MemoryEventSink;

  beforeEach(async () => {
    nbServer = await startOvsdbServer({ schema: "nb" });
    kube = await FakeKubeApiServer.start({ bookmarkIntervalMs: 500 });
    setup = await NbClient.connect(nbServer.unixRemote);
    await setup.switches.create({ name: "ls1" });
    backend = OvnNbBackend.forRemotes(nbServer.unixRemote, { connectTimeoutMs: 2000 });
    kv = new KubeVirtDriver(kube);
    events = new MemoryEventSink();
  });
  afterEach(async () => {
    await handle?.daemon.stop();
    handle = undefined;
    await backend.close();
    await setup.close();
    await kube.stop();
    await nbServer.stop({ removeDir: true });
  });

  async function addPorts(vm: string, nics: number, chassis: string): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < nics; i++) {
      const name = i === 0 ? `${vm}.vms` : `${vm}.vms.net${i}`;
      await setup.switchPorts.create("ls1", {
        name,
        addresses: [`0a:00:00:00:00:0${i + 1} 10.0.0.${i + 10}`],
        options: { "requested-chassis": chassis, "mcast_flood": "true" },
        external_ids: { pod: `vms/${vm}`, owner: "cni" },
      });
      names.push(name);
    }
    return names;
  }

  /** "requested-chassis[+activation-strategy][@migration-uid]" of a port, from the setup client's replica. */
  function state(port: string): string {
    const row = setup.switchPorts.get(port)!;
    const rc = row.options.get("requested-chassis") ?? "";
    const act = row.options.get("activation-strategy");
    const uid = row.external_ids.get("ovnkit.io/migration-uid");
    return `${rc}${act ? "+" + act : ""}${uid ? "@" + uid : ""}`;
  }

  async function expectState(ports: string[], want: string, what: string): Promise<void> {
    await until(() => ports.every((p) => state(p) === want), `${what}: ${want} (now ${ports.map(state).join(" | ")})`);
  }

  it("a migration moves every NIC port: src,dst+rarp once the target pod has a node, dst on Succeeded; other keys untouched", async () => {
    const ports = await addPorts("vm1", 2, "node-a");
    const vm = kv.createVm("vm1", "node-a");
    handle = await startDaemon(kube, backend, { events });
    await until(() => handle!.daemon.controller.isRunning && backend.ready, "daemon running and connected");
    const m = vm.migrate("mig1").phase("Pending").scheduling();
    await until(() => handle!.daemon.controller.queue.length === 0 && handle!.daemon.controller.queue.inFlight === 0, "idle");
    expect(ports.map(state)).to.deep.equal(["node-a", "node-a"]);
    m.targetScheduled("node-b");
    await expectState(ports, `node-a,node-b+rarp@${m.uid}`, "armed");
    m.phase("Scheduled").phase("PreparingTarget").vmiKnows().phase("TargetReady").targetRunning().phase("Running").targetDomainReady();
    m.succeed();
    await expectState(ports, "node-b", "completed");
    for (const p of ports) {
      const row = setup.switchPorts.get(p)!;
      expect(row.options.get("mcast_flood")).to.equal("true");
      expect(row.external_ids.get("owner")).to.equal("cni");
      expect([...row.external_ids.keys()].filter((k) => k.startsWith("ovnkit.io/"))).to.deep.equal([]);
    }
    expect(events.reasons()).to.deep.equal(["MigrationArmed", "MigrationCompleted"]);
  });

  it("failure and abort go back to the source", async () => {
    const p1 = await addPorts("vm1", 1, "node-a");
    const p2 = await addPorts("vm2", 1, "node-a");
    const vm1 = kv.createVm("vm1", "node-a");
    const vm2 = kv.createVm("vm2", "node-a");
    handle = await startDaemon(kube, backend, { events });
    const m1 = vm1.migrate("mig1").scheduling().targetScheduled("node-b");
    const m2 = vm2.migrate("mig2").scheduling().targetScheduled("node-c");
    await expectState(p1, `node-a,node-b+rarp@${m1.uid}`, "vm1 armed");
    await expectState(p2, `node-a,node-c+rarp@${m2.uid}`, "vm2 armed");
    m1.phase("Running").vmiKnows().fail();
    m2.phase("Running").vmiKnows().requestAbort();
    await expectState(p1, "node-a", "vm1 back on its source");
    expect(p2.map(state)).to.deep.equal([`node-a,node-c+rarp@${m2.uid}`]);
    m2.aborted();
    await expectState(p2, "node-a", "vm2 back on its source");
  });

  it("a port with someone else's multichassis options is not overwritten: MIGRATION_CONFLICT, a Warning event, retries", async () => {
    const ports = await addPorts("vm1", 1, "node-a");
    await setup.switchPorts.ensure("ls1", { name: ports[0]!, options: { "requested-chassis": "node-a,node-x", "activation-strategy": "rarp" } });
    const vm = kv.createVm("vm1", "node-a");
    handle = await startDaemon(kube, backend, { events });
    vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await until(() => events.reasons().includes("MigrationArmFailed"), "a warning");
    expect(state(ports[0]!)).to.equal("node-a,node-x+rarp");
    expect(handle.logs.some((l) => l.msg === "reconcile failed" && l.code === "MIGRATION_CONFLICT")).to.equal(true);
  });

  it("the NB server restarts mid-migration: the backend reconnects and the completion still lands", async () => {
    const ports = await addPorts("vm1", 1, "node-a");
    const vm = kv.createVm("vm1", "node-a");
    handle = await startDaemon(kube, backend, { events });
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    await expectState(ports, `node-a,node-b+rarp@${m.uid}`, "armed");
    await setup.close();
    await nbServer.kill9();
    await until(() => !backend.ready, "readiness reflects the lost NB connection");
    await nbServer.restart();
    await until(() => backend.ready, "the backend reconnected on its own", 10_000);
    m.vmiKnows().targetDomainReady().succeed();
    setup = await NbClient.connect(nbServer.unixRemote);
    await expectState(ports, "node-b", "completed after the NB restart");
  });

  it("adapter: inspect of a VM without ports is empty; arm of it is NOT_FOUND", async () => {
    expect(await backend.inspect({ namespace: "vms", name: "ghost" })).to.deep.equal([]);
    try {
      await backend.arm({ vm: { namespace: "vms", name: "ghost" }, migrationUid: "u", source: "a", target: "b" });
      expect.fail("arm should fail");
    } catch (e) {
      expect((e as { code?: string }).code).to.equal("NOT_FOUND");
      expect(isMigratorError(e)).to.equal(false);
    }
  });
});
