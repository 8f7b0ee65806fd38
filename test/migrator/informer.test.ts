import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { ResilientInformer } from "@ovnkit/migrator/internal";
import { memoryLogger } from "@ovnkit/migrator/internal";
import { MigratorMetrics } from "@ovnkit/migrator";
import { FakeKubeApiServer, POD } from "../fake-kube/index.js";
import { until } from "./support/wait.js";

function pod(name: string): Record<string, unknown> {
  return { metadata: { name, labels: { "kubevirt.io": "virt-launcher" } }, spec: { containers: [{ name: "c", image: "i" }] } };
}

describe("migrator ResilientInformer against the fake API server (real client-node)", () => {
  let server: FakeKubeApiServer;
  let informer: ResilientInformer<k8s.V1Pod>;
  let metrics: MigratorMetrics;
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start({ bookmarkIntervalMs: 0 });
  });
  afterEach(async () => {
    await informer?.stop();
    await server.stop();
  });

  function make(tuning: { watchIdleTimeoutMs?: number; healthyAfterMs?: number } = {}) {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ml = memoryLogger();
    logs = ml.lines;
    metrics = new MigratorMetrics();
    informer = new ResilientInformer<k8s.V1Pod>({
      resource: "pods", kubeConfig: kc, path: "/api/v1/pods", labelSelector: "kubevirt.io=virt-launcher",
      list: () => core.listPodForAllNamespaces({ labelSelector: "kubevirt.io=virt-launcher" }),
      log: ml.log, metrics, restartBackoff: { baseMs: 10, maxMs: 50 }, ...tuning,
    });
    return informer;
  }
  const names = () => informer.list().map((p) => p.metadata!.name).sort().join(",");

  it("asks the server for bookmarks and a timeoutSeconds on every watch", async () => {
    await make().start();
    await informer.waitForSync(2000);
    await until(() => server.openWatches().length === 1, "watch");
    const w = server.requests.find((r) => r.verb === "watch")!;
    expect(w.query).to.include({ allowWatchBookmarks: "true", timeoutSeconds: "300", labelSelector: "kubevirt.io=virt-launcher" });
  });

  it("restarts after a destroyed connection (client-node alone stops for good) and resumes without relisting", async () => {
    server.store.create(POD, "ns", pod("a") as never);
    await make().start();
    await informer.waitForSync(2000);
    await until(() => server.openWatches().length === 1, "watch");
    server.destroyWatches();
    server.store.create(POD, "ns", pod("b") as never);
    await until(() => names() === "a,b", "cache follows after restart");
    expect(informer.restarts).to.be.at.least(1);
    expect(server.requests.filter((r) => r.verb === "list")).to.have.length(1);
    expect(await metrics.text()).to.match(/ovnkit_migrator_informer_restarts_total\{resource="pods",reason="error"\} [1-9]/);
  });

  it("restarts after a failed initial list (500) and then syncs", async () => {
    server.faults.failNext({ verbs: ["list"], code: 500, count: 2 });
    server.store.create(POD, "ns", pod("a") as never);
    await make().start();
    expect(informer.hasSynced).to.equal(false);
    await informer.waitForSync(3000);
    expect(names()).to.equal("a");
    expect(server.requests.filter((r) => r.verb === "list").map((r) => r.status)).to.deep.equal([500, 500, 200]);
  });

  it("a restart after compaction gets 410 and relists: deletions made meanwhile reach the cache", async () => {
    server.store.create(POD, "ns", pod("a") as never);
    await make().start();
    await informer.waitForSync(2000);
    await until(() => server.openWatches().length === 1, "watch");
    const deleted: string[] = [];
    informer.on("delete", (p) => deleted.push(p.metadata!.name!));
    server.faults.failNext({ verbs: ["watch"], code: 503, count: 1 });
    server.destroyWatches();
    server.store.delete(POD, "ns", "a");
    server.store.create(POD, "ns", pod("c") as never);
    server.compact();
    await until(() => names() === "c", "relisted");
    expect(deleted).to.deep.equal(["a"]);
    expect(server.requests.filter((r) => r.verb === "list")).to.have.length(2);
  });

  it("the watchdog aborts a stalled watch and the restart replays what was missed", async () => {
    await make({ watchIdleTimeoutMs: 150 }).start();
    await informer.waitForSync(2000);
    await until(() => server.openWatches().length === 1, "watch");
    server.stallWatches();
    server.store.create(POD, "ns", pod("late") as never);
    await until(() => names() === "late", "missed event replayed", 5000);
    expect(logs.some((l) => l.msg === "watch stalled: aborting it")).to.equal(true);
    expect(await metrics.text()).to.match(/ovnkit_migrator_informer_restarts_total\{resource="pods",reason="stalled"\} [1-9]/);
  });

  it("bookmarks keep a quiet watch alive (no stall restart)", async () => {
    await server.stop();
    server = await FakeKubeApiServer.start({ bookmarkIntervalMs: 30 });
    await make({ watchIdleTimeoutMs: 300 }).start();
    await informer.waitForSync(2000);
    await until(() => server.openWatches().length === 1, "watch");
    const watchesBefore = server.requests.filter((r) => r.verb === "watch").length;
    await new Promise((r) => setTimeout(r, 700));
    expect(server.requests.filter((r) => r.verb === "watch").length).to.equal(watchesBefore);
    expect(informer.restarts).to.equal(0);
  });

  it("stop() ends everything: no restart, no error log", async () => {
    await make().start();
    await informer.waitForSync(2000);
    await until(() => server.openWatches().length === 1, "watch");
    await informer.stop();
    await until(() => server.openWatches().length === 0, "watch closed");
    expect(logs.filter((l) => l.level === 40 || l.level === 50)).to.deep.equal([]);
    expect(informer.restarts).to.equal(0);
  });
});
