import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { FakeKubeApiServer, POD } from "../index.js";
import { kubeConfigFor, pod, until } from "./helpers.js";

interface Seen {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  code?: number;
}

describe("fake-kube: watch with the real client-node Watch", () => {
  let server: FakeKubeApiServer;
  let watch: k8s.Watch;
  const controllers: AbortController[] = [];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start({ bookmarkIntervalMs: 20 });
    watch = new k8s.Watch(kubeConfigFor(server));
  });
  afterEach(async () => {
    for (const c of controllers.splice(0)) c.abort();
    await server.stop();
  });

  async function open(path: string, query: Record<string, string>, seen: Seen[], done: { err?: unknown; called: boolean } = { called: false }) {
    const c = await watch.watch(path, query, (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) => {
      seen.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, ...(obj.code !== undefined ? { code: obj.code } : {}) });
    }, (err) => {
      done.called = true;
      done.err = err;
    });
    controllers.push(c);
    return done;
  }

  it("headers arrive before any event: the watch call resolves on an empty, quiet collection", async () => {
    const seen: Seen[] = [];
    await open("/api/v1/namespaces/ns/pods", { resourceVersion: server.store.resourceVersion }, seen);
    expect(server.openWatches("pods")).to.have.length(1);
    server.store.create(POD, "ns", pod("a") as never);
    await until(() => seen.length === 1, "ADDED");
    expect(seen[0]).to.include({ type: "ADDED", name: "a" });
  });

  it("replays the events after the requested resourceVersion, then streams", async () => {
    const a = server.store.create(POD, "ns", pod("a") as never);
    server.store.patch(POD, "ns", "a", "merge", { metadata: { labels: { x: "1" } } });
    server.store.create(POD, "ns", pod("b") as never);
    server.store.delete(POD, "ns", "a");
    const seen: Seen[] = [];
    await open("/api/v1/pods", { resourceVersion: a.metadata!.resourceVersion! }, seen);
    await until(() => seen.length === 3, "replay");
    expect(seen.map((s) => `${s.type}:${s.name}`)).to.deep.equal(["MODIFIED:a", "ADDED:b", "DELETED:a"]);
    server.store.create(POD, "ns", pod("c") as never);
    await until(() => seen.length === 4, "live event");
    expect(seen.map((s) => Number(s.rv))).to.deep.equal([...seen.map((s) => Number(s.rv))].sort((x, y) => x - y));
  });

  it("without a resourceVersion, sends ADDED for every current object first", async () => {
    server.store.create(POD, "ns", pod("a") as never);
    server.store.create(POD, "ns", pod("b") as never);
    const seen: Seen[] = [];
    await open("/api/v1/namespaces/ns/pods", {}, seen);
    await until(() => seen.length === 2, "synthetic ADDED");
    expect(seen.map((s) => `${s.type}:${s.name}`)).to.deep.equal(["ADDED:a", "ADDED:b"]);
  });

  it("a too-old resourceVersion gets an ERROR 410 Expired event and the stream closes", async () => {
    const a = server.store.create(POD, "ns", pod("a") as never);
    server.store.create(POD, "ns", pod("b") as never);
    server.compact();
    const seen: Seen[] = [];
    const done = await open("/api/v1/pods", { resourceVersion: a.metadata!.resourceVersion! }, seen);
    await until(() => done.called, "close");
    expect(seen).to.deep.equal([{ type: "ERROR", name: undefined, rv: undefined, code: 410 }]);
    expect(done.err).to.equal(null);
  });

  it("compact({expireWatches}) sends 410 to open watches", async () => {
    const seen: Seen[] = [];
    const done = await open("/api/v1/pods", { resourceVersion: server.store.resourceVersion }, seen);
    server.compact({ expireWatches: true });
    await until(() => done.called, "close");
    expect(seen.map((s) => s.code)).to.deep.equal([410]);
  });

  it("selector transitions: an object that stops matching is DELETED for the watcher, one that starts is ADDED", async () => {
    const seen: Seen[] = [];
    await open("/api/v1/namespaces/ns/pods", { resourceVersion: server.store.resourceVersion, labelSelector: "kubevirt.io=virt-launcher", fieldSelector: "spec.nodeName=n1" }, seen);
    server.store.create(POD, "ns", pod("a", { labels: { "kubevirt.io": "virt-launcher" }, nodeName: "n1" }) as never);
    server.store.create(POD, "ns", pod("b", { labels: { "kubevirt.io": "other" }, nodeName: "n1" }) as never);
    server.store.patch(POD, "ns", "a", "merge", { metadata: { labels: { "kubevirt.io": "gone" } } });
    server.store.patch(POD, "ns", "b", "merge", { metadata: { labels: { "kubevirt.io": "virt-launcher" } } });
    server.store.create(POD, "other", pod("c", { labels: { "kubevirt.io": "virt-launcher" }, nodeName: "n1" }) as never);
    await until(() => seen.length === 3, "3 events");
    expect(seen.map((s) => `${s.type}:${s.name}`)).to.deep.equal(["ADDED:a", "DELETED:a", "ADDED:b"]);
  });

  it("BOOKMARK events only when allowWatchBookmarks=true; timeoutSeconds ends the stream cleanly", async () => {
    const quiet: Seen[] = [];
    await open("/api/v1/pods", { resourceVersion: server.store.resourceVersion }, quiet);
    const seen: Seen[] = [];
    const done = await open("/api/v1/pods", { resourceVersion: server.store.resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: "1" }, seen);
    await until(() => seen.filter((s) => s.type === "BOOKMARK").length >= 2, "bookmarks");
    expect(seen[0]!.rv).to.equal(server.store.resourceVersion);
    await until(() => done.called, "timeout close", 3000);
    expect(done.err).to.equal(null);
    expect(quiet).to.deep.equal([]);
  });

  it("faults: a destroyed watch socket ends the client's watch with an error", async () => {
    const seen: Seen[] = [];
    const done = await open("/api/v1/pods", { resourceVersion: server.store.resourceVersion }, seen);
    expect(server.destroyWatches("pods")).to.equal(1);
    await until(() => done.called, "done");
    expect(done.err).to.be.instanceOf(Error);
  });

  it("faults: a stalled watch stays open and delivers nothing", async () => {
    const seen: Seen[] = [];
    const done = await open("/api/v1/pods", { resourceVersion: server.store.resourceVersion }, seen);
    server.stallWatches();
    server.store.create(POD, "ns", pod("a") as never);
    const probe: Seen[] = [];
    await open("/api/v1/pods", { resourceVersion: "0" }, probe);
    await until(() => probe.length === 1, "a live watch sees the object");
    expect(seen).to.deep.equal([]);
    expect(done.called).to.equal(false);
  });
});
