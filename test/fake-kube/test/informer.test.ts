import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { FakeKubeApiServer, POD } from "../index.js";
import { kubeConfigFor, pod, until } from "./helpers.js";

describe("fake-kube: client-node 1.4 informers against the fake", () => {
  let server: FakeKubeApiServer;
  let kc: k8s.KubeConfig;
  let informer: k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    kc = kubeConfigFor(server);
  });
  afterEach(async () => {
    await informer?.stop();
    await server.stop();
  });

  function podInformer(labelSelector?: string) {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    return k8s.makeInformer(kc, "/api/v1/pods", () => core.listPodForAllNamespaces(labelSelector ? { labelSelector } : {}), labelSelector);
  }

  const names = () => informer.list().map((p) => p.metadata!.name).sort();
  const lists = () => server.requests.filter((r) => r.verb === "list").length;

  it("lists, then watches from the list's resourceVersion; the cache follows adds, updates and deletes", async () => {
    server.store.create(POD, "ns", pod("a") as never);
    informer = podInformer();
    const events: string[] = [];
    informer.on("add", (p) => events.push(`add:${p.metadata!.name}`));
    informer.on("update", (p) => events.push(`update:${p.metadata!.name}`));
    informer.on("delete", (p) => events.push(`delete:${p.metadata!.name}`));
    await informer.start();
    await until(() => server.openWatches("pods").length === 1, "watch open");
    const watchReq = server.requests.find((r) => r.verb === "watch")!;
    expect(watchReq.query.resourceVersion).to.equal(String(Number(server.store.resourceVersion)));
    server.store.create(POD, "ns", pod("b") as never);
    server.store.patch(POD, "ns", "a", "merge", { metadata: { labels: { x: "1" } } });
    server.store.delete(POD, "ns", "b");
    await until(() => events.length === 4, "4 events");
    expect(events).to.deep.equal(["add:a", "add:b", "update:a", "delete:b"]);
    expect(names()).to.deep.equal(["a"]);
  });

  it("relists after a 410 Expired on its watch and reports what changed meanwhile", async () => {
    server.store.create(POD, "ns", pod("a") as never);
    informer = podInformer();
    const deleted: string[] = [];
    informer.on("delete", (p) => deleted.push(p.metadata!.name!));
    await informer.start();
    await until(() => server.openWatches("pods").length === 1, "watch open");
    server.stallWatches();
    server.store.delete(POD, "ns", "a");
    server.store.create(POD, "ns", pod("b") as never);
    expect(lists()).to.equal(1);
    server.compact();
    server.destroyWatches();
    // A destroyed socket stops a 1.4 informer: restart it, it resumes from its resourceVersion, gets 410, relists.
    await informer.start();
    await until(() => names().join() === "b", "relisted cache");
    expect(lists()).to.equal(2);
    expect(deleted).to.deep.equal(["a"]);
  });

  it("an ERROR 410 on an open watch makes the informer relist on its own", async () => {
    informer = podInformer();
    await informer.start();
    await until(() => server.openWatches("pods").length === 1, "watch open");
    server.compact({ expireWatches: true });
    await until(() => lists() === 2 && server.openWatches("pods").length === 1, "relist and new watch");
  });

  it("a clean end of the watch (EOF) makes the informer re-watch without relisting", async () => {
    informer = podInformer();
    await informer.start();
    await until(() => server.openWatches("pods").length === 1, "watch open");
    server.endWatches();
    await until(() => server.requests.filter((r) => r.verb === "watch").length === 2 && server.openWatches("pods").length === 1, "re-watch");
    expect(lists()).to.equal(1);
  });

  it("stops for good on a destroyed connection (client-node 1.4 behaviour the migrator must handle)", async () => {
    informer = podInformer();
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    await until(() => server.openWatches("pods").length === 1, "watch open");
    server.destroyWatches();
    await until(() => errors.length === 1, "error callback");
    server.store.create(POD, "ns", pod("late") as never);
    const watchesBefore = server.requests.filter((r) => r.verb === "watch").length;
    const probe = podInformer();
    await probe.start();
    await until(() => probe.list().length === 1, "a fresh informer sees the pod");
    await probe.stop();
    expect(names()).to.deep.equal([]);
    // Only the probe watched again.
    expect(server.requests.filter((r) => r.verb === "watch").length).to.equal(watchesBefore + 1);
  });

  it("label selectors are passed to list and watch", async () => {
    informer = podInformer("kubevirt.io=virt-launcher");
    await informer.start();
    server.store.create(POD, "ns", pod("l", { labels: { "kubevirt.io": "virt-launcher" } }) as never);
    server.store.create(POD, "ns", pod("h", { labels: { "kubevirt.io": "hotplug-disk" } }) as never);
    await until(() => names().length === 1, "launcher pod cached");
    expect(names()).to.deep.equal(["l"]);
    expect(server.requests.find((r) => r.verb === "watch")!.query.labelSelector).to.equal("kubevirt.io=virt-launcher");
  });
});
