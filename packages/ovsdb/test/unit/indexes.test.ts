import { expect } from "chai";
import fc from "fast-check";
import { Replica, type ReplicaTableOptions } from "../../src/cache/replica.js";
import type { WireRow } from "../../src/protocol/notation.js";
import { codeOf } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const U = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

function items(indexes: ReplicaTableOptions | true = true): Replica {
  return new Replica(schema, { Item: indexes });
}

describe("cache/indexes", () => {
  it("builds the schema index (Item: name) and finds rows by TYPED value", () => {
    const r = items();
    r.applyUpdates({ Item: { [U(1)]: { insert: { name: "a" } }, [U(2)]: { insert: { name: "b" } } } });
    const t = r.table("Item");
    expect(t.indexNames()).to.deep.equal(["name"]);
    expect(t.index("name").unique).to.equal(true);
    expect(t.index("name").one("a")!._uuid).to.equal(U(1));
    expect(t.index("name").one("zzz")).to.equal(undefined);
    r.applyUpdates({ Item: { [U(1)]: { modify: { name: "a2" } } } });
    expect(t.index("name").one("a")).to.equal(undefined);
    expect(t.index("name").one("a2")!._uuid).to.equal(U(1));
    r.applyUpdates({ Item: { [U(1)]: { delete: null } } });
    expect(t.index("name").uuids("a2")).to.deep.equal([]);
  });

  it("skips a schema index whose columns are not all monitored", () => {
    const r = items({ columns: ["count"] });
    expect(r.table("Item").indexNames()).to.deep.equal([]);
    expect(codeOf(() => r.table("Item").index("name"))).to.equal("VALIDATION_ERROR");
  });

  it("indexes one key of a map column (external_ids:pod), non-unique; rows without the key are not indexed", () => {
    const r = items({ indexes: [{ name: "pod", columns: [{ column: "external_ids", key: "pod" }] }] });
    r.applyUpdates({
      Item: {
        [U(1)]: { insert: { name: "nic0", external_ids: ["map", [["pod", "ns/vm"], ["x", "y"]]] } },
        [U(2)]: { insert: { name: "nic1", external_ids: ["map", [["pod", "ns/vm"]]] } },
        [U(3)]: { insert: { name: "other", external_ids: ["map", [["x", "ns/vm"]]] } },
        [U(4)]: { insert: { name: "none" } },
      },
    });
    const pod = r.table("Item").index("pod");
    expect(pod.get("ns/vm").map((row) => row.name).sort()).to.deep.equal(["nic0", "nic1"]);
    expect(codeOf(() => pod.one("ns/vm"))).to.equal("VALIDATION_ERROR");
    // update2 map difference: change the pod key of nic1, add it to "other"
    r.applyUpdates({
      Item: {
        [U(2)]: { modify: { external_ids: ["map", [["pod", "ns/vm2"]]] } },
        [U(3)]: { modify: { external_ids: ["map", [["pod", "ns/vm2"]]] } },
      },
    });
    expect(pod.get("ns/vm").map((row) => row.name)).to.deep.equal(["nic0"]);
    expect(pod.get("ns/vm2").map((row) => row.name).sort()).to.deep.equal(["nic1", "other"]);
    // removing the key (same value in the difference) unindexes the row
    r.applyUpdates({ Item: { [U(1)]: { modify: { external_ids: ["map", [["pod", "ns/vm"]]] } } } });
    expect(pod.get("ns/vm")).to.deep.equal([]);
    expect(r.table("Item").get(U(1))!.external_ids).to.deep.equal(new Map([["x", "y"]]));
  });

  it("indexes sets order-insensitively, uuids, optional values (null = empty) and integers (number or bigint)", () => {
    const r = items({
      indexes: [
        { name: "tags", columns: ["tags"] },
        { name: "thing", columns: ["thing"] },
        { name: "big", columns: ["big"] },
        { name: "name+count", columns: ["name", "count"], unique: true },
      ],
    });
    r.applyUpdates({
      Item: {
        [U(1)]: { insert: { name: "a", count: 1, tags: ["set", ["x", "y"]], thing: ["uuid", U(9)], big: 2n ** 60n } },
        [U(2)]: { insert: { name: "a", count: 2, tags: "x", big: 7 } },
      },
    });
    const t = r.table("Item");
    expect(t.index("tags").get(["y", "x"]).map((row) => row._uuid)).to.deep.equal([U(1)]);
    expect(t.index("tags").get(["x"]).map((row) => row._uuid)).to.deep.equal([U(2)]);
    expect(t.index("thing").get(U(9).toUpperCase()).map((row) => row._uuid)).to.deep.equal([U(1)]);
    expect(t.index("thing").get(null).map((row) => row._uuid)).to.deep.equal([U(2)]);
    expect(t.index("big").get(2n ** 60n).map((row) => row._uuid)).to.deep.equal([U(1)]);
    expect(t.index("big").get(7n).map((row) => row._uuid)).to.deep.equal([U(2)]);
    expect(t.index("big").get(7).map((row) => row._uuid)).to.deep.equal([U(2)]);
    expect(t.index("name+count").one("a", 2)!._uuid).to.equal(U(2));
    expect(t.index("name+count").one("a", 3)).to.equal(undefined);
    expect(codeOf(() => t.index("name+count").one("a"))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => t.index("thing").get(42))).to.equal("VALIDATION_ERROR");
  });

  it("keeps a unique index right when rows swap keys within one message", () => {
    const r = items();
    r.applyUpdates({ Item: { [U(1)]: { insert: { name: "x" } }, [U(2)]: { insert: { name: "y" } } } });
    r.applyUpdates({ Item: { [U(1)]: { modify: { name: "y" } }, [U(2)]: { modify: { name: "x" } } } });
    const name = r.table("Item").index("name");
    expect(name.one("x")!._uuid).to.equal(U(2));
    expect(name.one("y")!._uuid).to.equal(U(1));
    // delete + insert of the same key in one message, in either order
    r.applyUpdates({ Item: { [U(3)]: { insert: { name: "x" } }, [U(2)]: { delete: null } } });
    expect(name.one("x")!._uuid).to.equal(U(3));
  });

  it("adds an index later, built from the current rows; rejects bad specs", () => {
    const r = items({ columns: ["name", "count", "external_ids"] });
    r.applyUpdates({ Item: { [U(1)]: { insert: { name: "a", count: 5 } } } });
    const t = r.table("Item");
    expect(t.addIndex({ name: "count", columns: ["count"] }).get(5).map((row) => row.name)).to.deep.equal(["a"]);
    expect(codeOf(() => t.addIndex({ name: "count", columns: ["count"] }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => t.addIndex({ name: "tags", columns: ["tags"] }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => t.addIndex({ name: "bad", columns: [{ column: "name", key: "x" }] }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => t.addIndex({ name: "none", columns: [] }))).to.equal("VALIDATION_ERROR");
  });

  it("property: after any sequence of update2 messages every index lookup equals a scan", () => {
    const names = ["a", "b", "c"];
    const pods = ["p1", "p2"];
    const tags = ["t1", "t2", "t3"];
    const op = fc.record({
      uuid: fc.integer({ min: 1, max: 6 }),
      name: fc.constantFrom(...names),
      pod: fc.option(fc.constantFrom(...pods), { nil: undefined }),
      tags: fc.subarray(tags),
      del: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 12 }), (messages) => {
        const r = items({
          indexes: [
            { name: "pod", columns: [{ column: "external_ids", key: "pod" }] },
            { name: "tags", columns: ["tags"] },
          ],
        });
        const t = r.table("Item");
        const model = new Map<string, WireRow>();
        for (const msg of messages) {
          const upd: Record<string, unknown> = {};
          for (const o of msg) {
            const uuid = U(o.uuid);
            if (uuid in upd) continue;
            const row: WireRow = { name: o.name, tags: ["set", o.tags], external_ids: ["map", o.pod ? [["pod", o.pod]] : []] };
            const cur = model.get(uuid);
            if (cur === undefined) {
              upd[uuid] = { insert: row };
              model.set(uuid, row);
            } else if (o.del) {
              upd[uuid] = { delete: null };
              model.delete(uuid);
            } else {
              // the difference ovsdb-server would send
              const curTags = (cur.tags as ["set", string[]])[1];
              const curPod = (cur.external_ids as ["map", [string, string][]])[1][0]?.[1];
              const diffMap: [string, string][] = o.pod === curPod ? [] : o.pod === undefined ? [["pod", curPod!]] : [["pod", o.pod]];
              upd[uuid] = {
                modify: {
                  name: o.name,
                  tags: ["set", tags.filter((x) => curTags.includes(x) !== o.tags.includes(x))],
                  external_ids: ["map", diffMap],
                },
              };
              model.set(uuid, row);
            }
          }
          r.applyUpdates({ Item: upd });
        }
        expect(t.size).to.equal(model.size);
        for (const n of names) {
          expect(t.index("name").uuids(n).slice().sort()).to.deep.equal(t.filter((row) => row.name === n).map((row) => row._uuid).sort());
        }
        for (const p of pods) {
          const scan = t.filter((row) => (row.external_ids as Map<string, string>).get("pod") === p).map((row) => row._uuid);
          expect(t.index("pod").uuids(p).slice().sort()).to.deep.equal(scan.sort());
        }
        for (const sub of [[], ["t1"], ["t2", "t1"], ["t1", "t2", "t3"]]) {
          const scan = t.filter((row) => {
            const v = row.tags as string[];
            return v.length === sub.length && sub.every((x) => v.includes(x));
          });
          expect(t.index("tags").uuids(sub).slice().sort()).to.deep.equal(scan.map((row) => row._uuid).sort());
        }
        for (const [uuid, row] of model) {
          const typed = t.get(uuid)!;
          expect(typed.name).to.equal(row.name);
          expect([...(typed.tags as string[])].sort()).to.deep.equal([...(row.tags as ["set", string[]])[1]].sort());
        }
      }),
    );
  });
});
