import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { FakeKubeApiServer } from "../index.js";
import { kubeConfigFor, pod, rejection, statusOf } from "./helpers.js";

describe("fake-kube: CRUD with the real client-node", () => {
  let server: FakeKubeApiServer;
  let core: k8s.CoreV1Api;
  let custom: k8s.CustomObjectsApi;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    const kc = kubeConfigFor(server);
    core = kc.makeApiClient(k8s.CoreV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
  });
  afterEach(async () => {
    await server.stop();
  });

  it("create fills uid, creationTimestamp and a resourceVersion from one global counter", async () => {
    const a = await core.createNamespacedPod({ namespace: "ns1", body: pod("a") });
    const vmi = await custom.createNamespacedCustomObject({
      group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances", namespace: "ns1",
      body: { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm1" }, spec: {} },
    });
    const b = await core.createNamespacedPod({ namespace: "ns2", body: pod("b") });
    expect(a.metadata?.uid).to.match(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.creationTimestamp).to.be.instanceOf(Date);
    const rvs = [a.metadata!.resourceVersion, vmi.metadata.resourceVersion, b.metadata!.resourceVersion].map(Number);
    expect(rvs[1]).to.equal(rvs[0]! + 1);
    expect(rvs[2]).to.equal(rvs[1]! + 1);
    expect(vmi.apiVersion).to.equal("kubevirt.io/v1");
  });

  it("list answers {kind, apiVersion, metadata.resourceVersion, items} across or within namespaces", async () => {
    await core.createNamespacedPod({ namespace: "ns1", body: pod("a") });
    await core.createNamespacedPod({ namespace: "ns2", body: pod("b") });
    const all = await core.listPodForAllNamespaces();
    expect(all.kind).to.equal("PodList");
    expect(all.apiVersion).to.equal("v1");
    expect(all.metadata?.resourceVersion).to.equal(server.store.resourceVersion);
    expect(all.items.map((p) => p.metadata?.name)).to.deep.equal(["a", "b"]);
    const one = await core.listNamespacedPod({ namespace: "ns2" });
    expect(one.items.map((p) => p.metadata?.name)).to.deep.equal(["b"]);
  });

  it("label and field selectors filter lists", async () => {
    await core.createNamespacedPod({ namespace: "ns", body: pod("l1", { labels: { "kubevirt.io": "virt-launcher", tier: "a" }, nodeName: "n1" }) });
    await core.createNamespacedPod({ namespace: "ns", body: pod("l2", { labels: { "kubevirt.io": "virt-launcher" }, nodeName: "n2" }) });
    await core.createNamespacedPod({ namespace: "ns", body: pod("h1", { labels: { "kubevirt.io": "hotplug-disk", tier: "b" }, nodeName: "n1" }) });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: "ns", ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) })).items.map((p) => p.metadata!.name);
    expect(await names("kubevirt.io=virt-launcher")).to.deep.equal(["l1", "l2"]);
    expect(await names("kubevirt.io==virt-launcher,tier")).to.deep.equal(["l1"]);
    expect(await names("kubevirt.io!=virt-launcher")).to.deep.equal(["h1"]);
    expect(await names("tier in (a,b)")).to.deep.equal(["h1", "l1"]);
    expect(await names("tier notin (a)")).to.deep.equal(["h1", "l2"]);
    expect(await names("!tier")).to.deep.equal(["l2"]);
    expect(await names(undefined, "spec.nodeName=n1")).to.deep.equal(["h1", "l1"]);
    expect(await names("kubevirt.io=virt-launcher", "spec.nodeName!=n1,metadata.namespace=ns")).to.deep.equal(["l2"]);
    expect(await names(undefined, "metadata.name=l2")).to.deep.equal(["l2"]);
    const bad = statusOf(await rejection(core.listNamespacedPod({ namespace: "ns", fieldSelector: "spec.hostname=x" })));
    expect(bad).to.include({ code: 400, reason: "BadRequest", kind: "Status" });
    const badLabel = statusOf(await rejection(core.listNamespacedPod({ namespace: "ns", labelSelector: "tier in (a" })));
    expect(badLabel.code).to.equal(400);
  });

  it("pods support field selector status.phase", async () => {
    const p = await core.createNamespacedPod({ namespace: "ns", body: pod("p") });
    await core.replaceNamespacedPodStatus({ namespace: "ns", name: "p", body: { ...p, status: { phase: "Running" } } });
    await core.createNamespacedPod({ namespace: "ns", body: pod("q") });
    const running = await core.listNamespacedPod({ namespace: "ns", fieldSelector: "status.phase=Running" });
    expect(running.items.map((x) => x.metadata!.name)).to.deep.equal(["p"]);
  });

  it("GET of a missing object is a 404 Status; a duplicate create is 409 AlreadyExists; a bad name is 422", async () => {
    const nf = statusOf(await rejection(core.readNamespacedPod({ namespace: "ns", name: "nope" })));
    expect(nf).to.include({ code: 404, reason: "NotFound", kind: "Status" });
    await core.createNamespacedPod({ namespace: "ns", body: pod("dup") });
    const dup = statusOf(await rejection(core.createNamespacedPod({ namespace: "ns", body: pod("dup") })));
    expect(dup).to.include({ code: 409, reason: "AlreadyExists" });
    const bad = statusOf(await rejection(core.createNamespacedPod({ namespace: "ns", body: pod("Not_Valid") })));
    expect(bad).to.include({ code: 422, reason: "Invalid" });
  });

  it("PUT with a stale resourceVersion is a 409 Conflict; with the current one it succeeds", async () => {
    const created = await core.createNamespacedPod({ namespace: "ns", body: pod("p") });
    const updated = await core.replaceNamespacedPod({ namespace: "ns", name: "p", body: { ...created, metadata: { ...created.metadata, labels: { a: "1" } } } });
    expect(Number(updated.metadata!.resourceVersion)).to.be.greaterThan(Number(created.metadata!.resourceVersion));
    const stale = statusOf(await rejection(core.replaceNamespacedPod({ namespace: "ns", name: "p", body: { ...created, metadata: { ...created.metadata, labels: { a: "2" } } } })));
    expect(stale).to.include({ code: 409, reason: "Conflict" });
    expect((await core.readNamespacedPod({ namespace: "ns", name: "p" })).metadata!.labels).to.deep.equal({ a: "1" });
  });

  it("a no-op PUT does not bump the resourceVersion", async () => {
    const created = await core.createNamespacedPod({ namespace: "ns", body: pod("p") });
    const same = await core.replaceNamespacedPod({ namespace: "ns", name: "p", body: created });
    expect(same.metadata!.resourceVersion).to.equal(created.metadata!.resourceVersion);
  });

  it("json-patch: add with ~1 escapes, a failing test op is 422 and changes nothing", async () => {
    await core.createNamespacedPod({ namespace: "ns", body: pod("p", { labels: { a: "1" } }) });
    const p1 = await core.patchNamespacedPod({
      namespace: "ns", name: "p",
      body: [{ op: "test", path: "/metadata/labels/a", value: "1" }, { op: "add", path: "/metadata/annotations", value: { "kubevirt.io~1domain": "x" } }, { op: "add", path: "/metadata/labels/kubevirt.io~1migrationJobUID", value: "u1" }],
    });
    expect(p1.metadata!.labels).to.deep.equal({ a: "1", "kubevirt.io/migrationJobUID": "u1" });
    expect(p1.metadata!.annotations).to.deep.equal({ "kubevirt.io~1domain": "x" });
    const failed = statusOf(await rejection(core.patchNamespacedPod({
      namespace: "ns", name: "p", body: [{ op: "test", path: "/metadata/labels/a", value: "2" }, { op: "remove", path: "/metadata/labels/a" }],
    })));
    expect(failed).to.include({ code: 422, reason: "Invalid" });
    expect((await core.readNamespacedPod({ namespace: "ns", name: "p" })).metadata!.labels).to.have.property("a", "1");
    const missing = statusOf(await rejection(core.patchNamespacedPod({ namespace: "ns", name: "p", body: [{ op: "remove", path: "/metadata/labels/zz" }] })));
    expect(missing.code).to.equal(422);
  });

  it("merge-patch: null deletes, objects merge; a stale metadata.resourceVersion in the patch is 409", async () => {
    const created = await core.createNamespacedPod({ namespace: "ns", body: pod("p", { labels: { a: "1", b: "2" } }) });
    const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    const p1 = await core.patchNamespacedPod({ namespace: "ns", name: "p", body: { metadata: { labels: { a: null, c: "3" } } } }, merge);
    expect(p1.metadata!.labels).to.deep.equal({ b: "2", c: "3" });
    const stale = statusOf(await rejection(core.patchNamespacedPod({ namespace: "ns", name: "p", body: { metadata: { resourceVersion: created.metadata!.resourceVersion, labels: { d: "4" } } } }, merge)));
    expect(stale).to.include({ code: 409, reason: "Conflict" });
  });

  it("status subresource: main writes keep the stored status, /status writes only status", async () => {
    const base = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "m1" }, spec: { vmiName: "vm1" }, status: { phase: "Pending" } };
    const gvr = { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstancemigrations", namespace: "ns" };
    await custom.createNamespacedCustomObject({ ...gvr, body: base });
    const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    const a = await custom.patchNamespacedCustomObject({ ...gvr, name: "m1", body: { spec: { vmiName: "vm2" }, status: { phase: "Failed" } } }, merge);
    expect(a.spec.vmiName).to.equal("vm2");
    expect(a.status.phase).to.equal("Pending");
    expect(a.metadata.generation).to.equal(2);
    const b = await custom.patchNamespacedCustomObjectStatus({ ...gvr, name: "m1", body: { spec: { vmiName: "vm3" }, status: { phase: "Scheduling" } } }, merge);
    expect(b.spec.vmiName).to.equal("vm2");
    expect(b.status.phase).to.equal("Scheduling");
  });

  it("delete returns the object; finalizers turn delete into a deletionTimestamp until they are removed", async () => {
    await core.createNamespacedPod({ namespace: "ns", body: pod("p") });
    await core.deleteNamespacedPod({ namespace: "ns", name: "p" });
    expect(statusOf(await rejection(core.readNamespacedPod({ namespace: "ns", name: "p" }))).code).to.equal(404);
    await core.createNamespacedPod({ namespace: "ns", body: { ...pod("f"), metadata: { name: "f", finalizers: ["x/y"] } } });
    await core.deleteNamespacedPod({ namespace: "ns", name: "f" });
    const f = await core.readNamespacedPod({ namespace: "ns", name: "f" });
    expect(f.metadata!.deletionTimestamp).to.be.instanceOf(Date);
    await core.patchNamespacedPod({ namespace: "ns", name: "f", body: [{ op: "remove", path: "/metadata/finalizers" }] });
    expect(statusOf(await rejection(core.readNamespacedPod({ namespace: "ns", name: "f" }))).code).to.equal(404);
  });

  it("leases and both kinds of events are served", async () => {
    const coord = kubeConfigFor(server).makeApiClient(k8s.CoordinationV1Api);
    const lease = await coord.createNamespacedLease({ namespace: "kube-system", body: { metadata: { name: "l" }, spec: { holderIdentity: "a", leaseDurationSeconds: 15 } } });
    expect(lease.spec!.holderIdentity).to.equal("a");
    await core.createNamespacedEvent({ namespace: "ns", body: { metadata: { name: "e1" }, involvedObject: { kind: "Pod", name: "p" }, reason: "R", message: "m" } });
    const ev = kubeConfigFor(server).makeApiClient(k8s.EventsV1Api);
    await ev.createNamespacedEvent({ namespace: "ns", body: { metadata: { name: "e2" }, eventTime: new k8s.V1MicroTime(), reason: "R2", action: "A", reportingController: "c", reportingInstance: "i", type: "Normal" } });
    expect((await core.listNamespacedEvent({ namespace: "ns" })).items.map((e) => e.reason)).to.deep.equal(["R"]);
    expect((await ev.listNamespacedEvent({ namespace: "ns" })).items.map((e) => e.reason)).to.deep.equal(["R2"]);
  });

  it("fault injection: latency, an injected 409 on the next write, an injected 500 on list", async () => {
    await core.createNamespacedPod({ namespace: "ns", body: pod("p") });
    server.faults.conflictOnNextWrite("pods");
    const c = statusOf(await rejection(core.patchNamespacedPod({ namespace: "ns", name: "p", body: [{ op: "add", path: "/metadata/labels", value: { a: "1" } }] })));
    expect(c).to.include({ code: 409, reason: "Conflict" });
    await core.patchNamespacedPod({ namespace: "ns", name: "p", body: [{ op: "add", path: "/metadata/labels", value: { a: "1" } }] });
    server.faults.failNext({ verbs: ["list"], code: 500 });
    expect(statusOf(await rejection(core.listNamespacedPod({ namespace: "ns" }))).code).to.equal(500);
    expect((await core.listNamespacedPod({ namespace: "ns" })).items).to.have.length(1);
    server.faults.latencyMs = 60;
    const t0 = Date.now();
    await core.readNamespacedPod({ namespace: "ns", name: "p" });
    expect(Date.now() - t0).to.be.at.least(55);
  });
});
