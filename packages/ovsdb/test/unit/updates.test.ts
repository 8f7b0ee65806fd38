import { expect } from "chai";
import fc from "fast-check";
import type { OvsdbError } from "../../src/protocol/errors.js";
import type { WireAtom, WireRow, WireValue } from "../../src/protocol/notation.js";
import { parseColumnType, parseSchema, type ColumnType } from "../../src/protocol/schema.js";
import {
  applyDatumDiff,
  applyRowDiff,
  changesFromTableUpdates,
  compareAtoms,
  changesFromTableUpdates2,
  defaultWireValue,
  type RowSource,
} from "../../src/protocol/updates.js";
import { codeOf } from "../helpers/errors.js";
import { loadRecordedNbSchema } from "../helpers/schemas.js";
import { readWireSample } from "../helpers/wire-samples.js";

const T = (t: unknown): ColumnType => parseColumnType(t, "t");
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";
const U2 = "b222f872-afdb-482b-80e1-1ffc3165645c";
const U3 = "0352f2d0-a72c-46ef-81d8-17dbcb64ff73";

const fixture = (name: string): { result?: unknown; params?: unknown[] } => readWireSample("nb-unix", name);
const nbSchema = loadRecordedNbSchema();

const testSchema = parseSchema({
  name: "T",
  tables: {
    Item: {
      columns: {
        name: { type: "string" },
        tags: { type: { key: "string", min: 0, max: "unlimited" } },
        refs: { type: { key: "uuid", min: 0, max: "unlimited" } },
        ext: { type: { key: "string", value: "string", min: 0, max: "unlimited" } },
        opt: { type: { key: "integer", min: 0, max: 1 } },
      },
    },
  },
});
const itemSchema = testSchema.tables.get("Item")!;

function source(tables: Record<string, Record<string, WireRow>>): RowSource {
  const maps = new Map(Object.entries(tables).map(([t, rows]) => [t, new Map(Object.entries(rows))]));
  return { tableRows: (t) => maps.get(t) };
}

/** Canonical comparable form of a set/map wire value (element order does not matter). */
function canon(v: WireValue, type: ColumnType): string {
  const key = (a: WireAtom): string => JSON.stringify(Array.isArray(a) ? a : [typeof a, String(a)]);
  if (type.value !== undefined) {
    const pairs = (v as ["map", [WireAtom, WireAtom][]])[1];
    return JSON.stringify(pairs.map(([k, x]) => key(k) + "=" + key(x)).sort());
  }
  const atoms = Array.isArray(v) && v[0] === "set" ? (v[1] as WireAtom[]) : [v as WireAtom];
  return JSON.stringify(atoms.map(key).sort());
}

describe("protocol/updates: update2 datum differences", () => {
  it("toggles set elements (symmetric difference), bare atoms included", () => {
    const type = T({ key: "string", min: 0, max: "unlimited" });
    expect(applyDatumDiff(["set", ["a", "b"]], ["set", ["b", "c"]], type)).to.deep.equal(["set", ["a", "c"]]);
    expect(applyDatumDiff("a", "a", type)).to.deep.equal(["set", []]);
    expect(applyDatumDiff("a", "b", type)).to.deep.equal(["set", ["a", "b"]]);
    expect(applyDatumDiff(undefined, "x", type)).to.deep.equal(["set", ["x"]]);
  });

  it("toggles uuid set elements by uuid value", () => {
    const type = T({ key: { type: "uuid", refTable: "X" }, min: 0, max: "unlimited" });
    const cur: WireValue = ["set", [["uuid", U1], ["uuid", U2]]];
    expect(applyDatumDiff(cur, ["uuid", U1], type)).to.deep.equal(["set", [["uuid", U2]]]);
    // added elements come out in the server's order (uuids by text)
    expect(applyDatumDiff(cur, ["set", [["uuid", U3]]], type)).to.deep.equal(["set", [["uuid", U3], ["uuid", U2], ["uuid", U1]]]);
  });

  it("applies map differences: new key added, same value removed, other value replaced", () => {
    const type = T({ key: "string", value: "string", min: 0, max: "unlimited" });
    const cur: WireValue = ["map", [["a", "1"], ["b", "2"], ["c", "3"]]];
    const diff: WireValue = ["map", [["a", "1"], ["b", "20"], ["d", "4"]]];
    expect(applyDatumDiff(cur, diff, type)).to.deep.equal(["map", [["b", "20"], ["c", "3"], ["d", "4"]]]);
    expect(applyDatumDiff(undefined, ["map", [["k", "v"]]], type)).to.deep.equal(["map", [["k", "v"]]]);
  });

  it("integer keys and values compare by value, bigint included", () => {
    const type = T({ key: "integer", value: "integer", min: 0, max: "unlimited" });
    const big = 2n ** 62n;
    expect(applyDatumDiff(["map", [[1, big]]], ["map", [[1, big]]], type)).to.deep.equal(["map", []]);
    expect(applyDatumDiff(["map", [[1, big]]], ["map", [[1, 5]]], type)).to.deep.equal(["map", [[1, 5]]]);
  });

  it("a column with max 1 takes the difference as its new value (scalar, optional, cleared optional)", () => {
    expect(applyDatumDiff("old", "new", T("string"))).to.equal("new");
    const opt = T({ key: "integer", min: 0, max: 1 });
    expect(applyDatumDiff(["set", []], 7, opt)).to.equal(7);
    expect(applyDatumDiff(7, 8, opt)).to.equal(8);
    expect(applyDatumDiff(7, ["set", []], opt)).to.deep.equal(["set", []]);
    expect(applyDatumDiff(undefined, 3, opt)).to.equal(3);
  });

  it("orders atoms as ovsdb-server does: numbers (number or bigint) numerically, false < true, strings by UTF-8", () => {
    const sorted = (xs: WireAtom[]) => [...xs].sort(compareAtoms);
    expect(sorted([10, -3, 2n ** 63n - 1n, 0, -(2n ** 63n), 2.5])).to.deep.equal([-(2n ** 63n), -3, 0, 2.5, 10, 2n ** 63n - 1n]);
    expect(sorted([true, false])).to.deep.equal([false, true]);
    // UTF-16 would put U+1F600 (surrogates D83D..) before U+FF21; UTF-8 bytes (strcmp) put it after
    expect(sorted(["\u{1F600}", "\uFF21", "b", "B", "", "ab"])).to.deep.equal(["", "B", "ab", "b", "\uFF21", "\u{1F600}"]);
    expect(sorted([["uuid", U1], ["uuid", U3], ["uuid", U2]])).to.deep.equal([["uuid", U3], ["uuid", U2], ["uuid", U1]]);
  });

  it("keeps the server's order after a difference adds elements or keys", () => {
    const set = T({ key: "integer", min: 0, max: "unlimited" });
    expect(applyDatumDiff(["set", [1, 5]], ["set", [3, 9, 1]], set)).to.deep.equal(["set", [3, 5, 9]]);
    const map = T({ key: "string", value: "string", min: 0, max: "unlimited" });
    expect(applyDatumDiff(["map", [["b", "1"], ["d", "2"]]], ["map", [["c", "3"], ["a", "4"]]], map)).to.deep.equal([
      "map",
      [["a", "4"], ["b", "1"], ["c", "3"], ["d", "2"]],
    ]);
  });

  it("rejects a non-map difference for a map column", () => {
    expect(codeOf(() => applyDatumDiff(["map", []], "x", T({ key: "string", value: "string", min: 0, max: "unlimited" })))).to.equal(
      "INVALID_MESSAGE",
    );
  });

  it("defaults follow the column type", () => {
    expect(defaultWireValue(T("integer"))).to.equal(0);
    expect(defaultWireValue(T("real"))).to.equal(0);
    expect(defaultWireValue(T("boolean"))).to.equal(false);
    expect(defaultWireValue(T("string"))).to.equal("");
    expect(defaultWireValue(T("uuid"))).to.deep.equal(["uuid", "00000000-0000-0000-0000-000000000000"]);
    expect(defaultWireValue(T({ key: "string", min: 0, max: 1 }))).to.deep.equal(["set", []]);
    expect(defaultWireValue(T({ key: "string", value: "string", min: 0, max: "unlimited" }))).to.deep.equal(["map", []]);
  });

  // Oracle: the difference exactly as ovsdb-server(7) words it; applying it to old must give new.
  function serverDiffSet(oldV: string[], newV: string[]): WireValue {
    const o = new Set(oldV);
    const n = new Set(newV);
    return ["set", [...oldV.filter((x) => !n.has(x)), ...newV.filter((x) => !o.has(x))]];
  }
  function serverDiffMap(oldV: Map<number, string>, newV: Map<number, string>): WireValue {
    const out: [WireAtom, WireAtom][] = [];
    for (const [k, v] of oldV) if (!newV.has(k)) out.push([k, v]);
    for (const [k, v] of newV) if (!oldV.has(k) || oldV.get(k) !== v) out.push([k, v]);
    return ["map", out];
  }

  it("property: old + server difference = new, for sets", () => {
    const type = T({ key: "string", min: 0, max: "unlimited" });
    const elems = fc.uniqueArray(fc.constantFrom("a", "b", "c", "d", "e", "f", "ü", ""), { maxLength: 8 });
    fc.assert(
      fc.property(elems, elems, (o, n) => {
        const oldWire: WireValue = o.length === 1 ? o[0]! : ["set", o];
        const got = applyDatumDiff(oldWire, serverDiffSet(o, n), type);
        expect(canon(got, type)).to.equal(canon(["set", n], type));
      }),
    );
  });

  it("property: old + server difference = new, for maps", () => {
    const type = T({ key: "integer", value: "string", min: 0, max: "unlimited" });
    const maps = fc.dictionary(fc.constantFrom("1", "2", "3", "4", "5"), fc.constantFrom("x", "y", "z")).map(
      (d) => new Map(Object.entries(d).map(([k, v]) => [Number(k), v] as [number, string])),
    );
    fc.assert(
      fc.property(maps, maps, (o, n) => {
        const got = applyDatumDiff(["map", [...o]], serverDiffMap(o, n), type);
        expect(canon(got, type)).to.equal(canon(["map", [...n]], type));
      }),
    );
  });
});

describe("protocol/updates: row changes", () => {
  it("applies a modify row diff without touching the old row", () => {
    const old: WireRow = { name: "a", tags: ["set", ["x"]], ext: ["map", [["k", "v"]]] };
    const next = applyRowDiff(itemSchema, old, { name: "b", tags: "y", ext: ["map", [["k", "v"]]] });
    expect(next).to.deep.equal({ name: "b", tags: ["set", ["x", "y"]], ext: ["map", []] });
    expect(old).to.deep.equal({ name: "a", tags: ["set", ["x"]], ext: ["map", [["k", "v"]]] });
  });

  it("turns <table-updates2> into full-row changes", () => {
    const src = source({ Item: { [U1]: { name: "one", tags: "t" }, [U2]: { name: "two" } } });
    const changes = changesFromTableUpdates2(testSchema, src, {
      Item: {
        [U1]: { modify: { tags: ["set", ["t", "u"]], opt: 4 } },
        [U2]: { delete: null },
        [U3]: { insert: { name: "three" } },
      },
    });
    expect(changes).to.deep.equal([
      { table: "Item", uuid: U1, kind: "modify", old: { name: "one", tags: "t" }, new: { name: "one", tags: ["set", ["u"]], opt: 4 } },
      { table: "Item", uuid: U2, kind: "delete", old: { name: "two" } },
      { table: "Item", uuid: U3, kind: "insert", new: { name: "three" } },
    ]);
  });

  it("reports inconsistencies as UPDATE_INCONSISTENT with table and uuid", () => {
    const src = source({ Item: { [U1]: { name: "one" } } });
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, { Item: { [U1]: { insert: { name: "x" } } } }))).to.equal(
      "UPDATE_INCONSISTENT",
    );
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, { Item: { [U1]: { initial: {} } } }))).to.equal("UPDATE_INCONSISTENT");
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, { Item: { [U2]: { modify: { name: "x" } } } }))).to.equal(
      "UPDATE_INCONSISTENT",
    );
    try {
      changesFromTableUpdates2(testSchema, src, { Item: { [U2]: { delete: null } } });
      expect.fail("no error");
    } catch (e) {
      expect((e as OvsdbError).code).to.equal("UPDATE_INCONSISTENT");
      expect((e as OvsdbError).details).to.deep.equal({ table: "Item", uuid: U2 });
    }
  });

  it("rejects malformed updates and unmonitored tables as INVALID_MESSAGE", () => {
    const src = source({ Item: {} });
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, null))).to.equal("INVALID_MESSAGE");
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, { Item: { [U1]: { frob: {} } } }))).to.equal("INVALID_MESSAGE");
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, { Item: { [U1]: { insert: 3 } } }))).to.equal("INVALID_MESSAGE");
    expect(codeOf(() => changesFromTableUpdates2(testSchema, src, { Nope: {} }))).to.equal("INVALID_MESSAGE");
    expect(codeOf(() => changesFromTableUpdates(testSchema, src, { Item: { [U1]: {} } }))).to.equal("INVALID_MESSAGE");
  });

  it("applies the real ovsdb-server samples: monitor_cond reply, then an update2 map difference, then delete", () => {
    const rows = new Map<string, WireRow>();
    const src: RowSource = { tableRows: (t) => (t === "Logical_Switch" ? rows : undefined) };
    const commit = (cs: ReturnType<typeof changesFromTableUpdates2>): void => {
      for (const c of cs) {
        if (c.new) rows.set(c.uuid, c.new);
        else rows.delete(c.uuid);
      }
    };
    const initial = changesFromTableUpdates2(nbSchema, src, fixture("08-monitor_cond.response.json").result);
    expect(initial.map((c) => c.kind)).to.deep.equal(["initial"]);
    commit(initial);
    const upd = fixture("09-transact_update.notification-1.json").params!;
    const mod = changesFromTableUpdates2(nbSchema, src, upd[1]);
    expect(mod).to.have.length(1);
    expect(mod[0]!.kind).to.equal("modify");
    expect(mod[0]!.new!.other_config).to.deep.equal(["map", [["k2", "v2"], ["note", "from-wire"]]]);
    expect(mod[0]!.old!.other_config).to.deep.equal(["map", [["note", "from-wire"]]]);
    commit(mod);
    const del = changesFromTableUpdates2(nbSchema, src, fixture("13-transact_delete.notification-1.json").params![1]);
    expect(del.map((c) => [c.kind, c.uuid])).to.deep.equal([["delete", U3]]);
  });

  it("turns <table-updates> (monitor) into changes: initial, insert, modify with full old, delete", () => {
    const empty = source({ Item: {} });
    expect(changesFromTableUpdates(testSchema, empty, { Item: { [U1]: { new: { name: "a" } } } }, true)).to.deep.equal([
      { table: "Item", uuid: U1, kind: "initial", new: { name: "a" } },
    ]);
    const src = source({ Item: { [U1]: { name: "a", opt: 3, tags: "x" } } });
    const changes = changesFromTableUpdates(testSchema, src, {
      Item: {
        [U1]: { old: { name: "a", opt: 3 }, new: { name: "b", tags: "x" } },
        [U2]: { new: { name: "c" } },
      },
    });
    expect(changes).to.deep.equal([
      { table: "Item", uuid: U1, kind: "modify", old: { name: "a", opt: 3, tags: "x" }, new: { name: "b", tags: "x" } },
      { table: "Item", uuid: U2, kind: "insert", new: { name: "c" } },
    ]);
    expect(changesFromTableUpdates(testSchema, src, { Item: { [U1]: { old: { name: "a" } } } })).to.deep.equal([
      { table: "Item", uuid: U1, kind: "delete", old: { name: "a", opt: 3, tags: "x" } },
    ]);
    expect(codeOf(() => changesFromTableUpdates(testSchema, src, { Item: { [U2]: { old: {}, new: {} } } }))).to.equal(
      "UPDATE_INCONSISTENT",
    );
    expect(codeOf(() => changesFromTableUpdates(testSchema, src, { Item: { [U1]: { new: {} } } }))).to.equal("UPDATE_INCONSISTENT");
  });
});
