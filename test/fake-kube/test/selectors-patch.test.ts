import { expect } from "chai";
import { applyJsonPatch, applyMergePatch, KubeStatusError, matchesFields, matchesLabels, parseFieldSelector, parseJsonPatch, parseLabelSelector } from "../index.js";

function code(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof KubeStatusError) return e.code;
    throw e;
  }
  throw new Error("expected a KubeStatusError");
}

describe("fake-kube: label and field selectors (pure)", () => {
  const labels = { "kubevirt.io": "virt-launcher", "kubevirt.io/migrationJobUID": "u1", n: "5" };
  const cases: [string, boolean][] = [
    ["", true],
    ["kubevirt.io=virt-launcher", true],
    ["kubevirt.io==virt-launcher", true],
    ["kubevirt.io!=virt-launcher", false],
    ["absent!=x", true],
    ["kubevirt.io in (a, virt-launcher)", true],
    ["kubevirt.io notin (virt-launcher)", false],
    ["absent notin (x)", true],
    ["kubevirt.io/migrationJobUID", true],
    ["!kubevirt.io/migrationJobUID", false],
    ["!absent", true],
    ["kubevirt.io=virt-launcher,kubevirt.io/migrationJobUID=u1", true],
    ["kubevirt.io=virt-launcher,kubevirt.io/migrationJobUID=u2", false],
    ["n>4", true],
    ["n<5", false],
  ];
  for (const [sel, want] of cases) {
    it(`${JSON.stringify(sel)} -> ${want}`, () => {
      expect(matchesLabels(parseLabelSelector(sel), labels)).to.equal(want);
    });
  }

  it("rejects malformed label selectors with 400", () => {
    for (const bad of ["a in (b", "a=b=c", ",", "a in b)", "-bad-=x"]) expect(code(() => parseLabelSelector(bad)), bad).to.equal(400);
  });

  it("field selectors: =, ==, != and unsupported labels", () => {
    const supported = ["metadata.name", "spec.nodeName"];
    const fields = { "metadata.name": "p", "spec.nodeName": "" };
    expect(matchesFields(parseFieldSelector("spec.nodeName=", supported), fields)).to.equal(true);
    expect(matchesFields(parseFieldSelector("spec.nodeName!=", supported), fields)).to.equal(false);
    expect(matchesFields(parseFieldSelector("metadata.name==p,spec.nodeName!=n1", supported), fields)).to.equal(true);
    expect(code(() => parseFieldSelector("status.podIP=1", supported))).to.equal(400);
  });
});

describe("fake-kube: json-patch and merge-patch (pure)", () => {
  const doc = { metadata: { labels: { "a/b": "1", "m~n": "2" } }, list: [1, 2, 3] };

  it("~1 and ~0 escapes address keys with / and ~", () => {
    const out = applyJsonPatch(doc, parseJsonPatch([
      { op: "test", path: "/metadata/labels/a~1b", value: "1" },
      { op: "replace", path: "/metadata/labels/m~0n", value: "3" },
      { op: "remove", path: "/metadata/labels/a~1b" },
    ]));
    expect(out).to.deep.equal({ metadata: { labels: { "m~n": "3" } }, list: [1, 2, 3] });
    expect(doc.metadata.labels).to.deep.equal({ "a/b": "1", "m~n": "2" });
  });

  it("array add/-, move, copy; test compares deeply", () => {
    const out = applyJsonPatch(doc, parseJsonPatch([
      { op: "add", path: "/list/-", value: 4 },
      { op: "add", path: "/list/0", value: 0 },
      { op: "copy", from: "/list", path: "/copy" },
      { op: "move", from: "/metadata/labels", path: "/labels" },
      { op: "test", path: "/copy", value: [0, 1, 2, 3, 4] },
    ]));
    expect(out).to.deep.equal({ metadata: {}, list: [0, 1, 2, 3, 4], copy: [0, 1, 2, 3, 4], labels: { "a/b": "1", "m~n": "2" } });
  });

  it("a failed test or a missing path is 422; a malformed patch is 400", () => {
    expect(code(() => applyJsonPatch(doc, parseJsonPatch([{ op: "test", path: "/list", value: [1, 2] }])))).to.equal(422);
    expect(code(() => applyJsonPatch(doc, parseJsonPatch([{ op: "replace", path: "/nope/x", value: 1 }])))).to.equal(422);
    expect(code(() => applyJsonPatch(doc, parseJsonPatch([{ op: "remove", path: "/list/3" }])))).to.equal(422);
    expect(code(() => parseJsonPatch({ op: "add" }))).to.equal(400);
    expect(code(() => parseJsonPatch([{ op: "frob", path: "/a" }]))).to.equal(400);
    expect(code(() => parseJsonPatch([{ op: "add", path: "/a" }]))).to.equal(400);
  });

  it("merge-patch: null deletes, objects merge recursively, arrays replace", () => {
    expect(applyMergePatch(doc, { metadata: { labels: { "a/b": null, c: "x" } }, list: [9] })).to.deep.equal({
      metadata: { labels: { "m~n": "2", c: "x" } },
      list: [9],
    });
  });
});
