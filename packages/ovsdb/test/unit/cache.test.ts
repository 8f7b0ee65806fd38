import { expect } from "chai";
import { Replica } from "../../src/cache/replica.js";
import type { ChangeBatch, RowEvent } from "../../src/cache/row-event.js";
import { wireRowEquals, wireValueEquals } from "../../src/cache/row-equality.js";
import { columnDecoder } from "../../src/cache/typed-decode.js";
import fc from "fast-check";
import { decodeDatum } from "../../src/protocol/datum.js";
import type { TypedRow } from "../../src/protocol/datum.js";
import { parseColumnType } from "../../src/protocol/schema.js";
import { codeOf } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";
const U2 = "b222f872-afdb-482b-80e1-1ffc3165645c";
const U3 = "0352f2d0-a72c-46ef-81d8-17dbcb64ff73";
const U4 = "7c73685c-f425-4870-8dca-a0c120271891";

function recorder(replica: Replica): { events: RowEvent[]; batches: ChangeBatch[] } {
  const events: RowEvent[] = [];
  const batches: ChangeBatch[] = [];
  replica.changes$.subscribe((e) => events.push(e as RowEvent));
  replica.batches$.subscribe((b) => batches.push(b));
  return { events, batches };
}

describe("cache/replica", () => {
  it("stores initial rows and decodes TYPED rows lazily, with defaults for omitted columns", () => {
    const replica = new Replica(schema, { Item: true, Thing: { columns: ["label"] } });
    replica.applyUpdates(
      {
        Item: { [U1]: { initial: { name: "a", tags: ["set", ["x", "y"]], external_ids: ["map", [["pod", "ns/p"]]], thing: ["uuid", U3] } } },
        Thing: { [U3]: { initial: { label: "t" } } },
      },
      { initial: true },
    );
    const items = replica.table("Item");
    expect(items.size).to.equal(1);
    const row = items.get(U1)!;
    expect(row._uuid).to.equal(U1);
    expect(row.name).to.equal("a");
    expect(row.count).to.equal(0);
    expect(row.big).to.equal(null);
    expect(row.enabled).to.equal(null);
    expect(row.tags).to.deep.equal(["x", "y"]);
    expect(row.external_ids).to.deep.equal(new Map([["pod", "ns/p"]]));
    expect(row.thing).to.equal(U3);
    expect(row.numbers).to.deep.equal([]);
    expect(items.get(U1)).to.equal(row, "memoized");
    expect(Object.isFrozen(row)).to.equal(true);
    expect(replica.table("Thing").get(U3)).to.deep.equal({ _uuid: U3, label: "t" });
    expect(items.get(U2)).to.equal(undefined);
    expect([...items.values()].map((r) => r.name)).to.deep.equal(["a"]);
    expect(replica.rowCount).to.equal(2);
  });

  it("emits typed events (initial, insert, modify with old and new, delete) after each message, and batches", () => {
    const replica = new Replica(schema, { Item: { columns: ["name", "tags", "external_ids"] } });
    const { events, batches } = recorder(replica);
    replica.applyUpdates({ Item: { [U1]: { initial: { name: "a" } } } }, { initial: true });
    const before = replica.table("Item").get(U1)!;
    replica.applyUpdates({ Item: { [U2]: { insert: { name: "b", tags: "t" } } } });
    replica.applyUpdates({ Item: { [U1]: { modify: { name: "a2", external_ids: ["map", [["k", "v"]]] } } } });
    replica.applyUpdates({ Item: { [U2]: { delete: null } } });
    expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([
      ["initial", U1],
      ["insert", U2],
      ["modify", U1],
      ["delete", U2],
    ]);
    expect(events[0]!.new).to.deep.equal({ _uuid: U1, name: "a", tags: [], external_ids: new Map() });
    expect(events[1]!.new!.tags).to.deep.equal(["t"]);
    const mod = events[2]!;
    expect(mod.old).to.equal(before, "old is the memoized typed row of before the change");
    expect(mod.new).to.deep.equal({ _uuid: U1, name: "a2", tags: [], external_ids: new Map([["k", "v"]]) });
    expect(mod.new).to.equal(replica.table("Item").get(U1), "new shares the cache's memo");
    expect(mod.oldWire).to.deep.equal({ name: "a" });
    expect(events[3]!.old!.name).to.equal("b");
    expect(events[3]!.new).to.equal(undefined);
    expect(batches.map((b) => [b.kind, b.events.length])).to.deep.equal([
      ["initial", 1],
      ["update", 1],
      ["update", 1],
      ["update", 1],
    ]);
  });

  it("subscribers read the replica at the message boundary (all changes of a message committed first)", () => {
    const replica = new Replica(schema, { Item: true });
    const seen: number[] = [];
    replica.changes$.subscribe(() => seen.push(replica.table("Item").size));
    replica.applyUpdates({ Item: { [U1]: { insert: { name: "a" } }, [U2]: { insert: { name: "b" } }, [U3]: { insert: { name: "c" } } } });
    expect(seen).to.deep.equal([3, 3, 3]);
  });

  it("applies a message atomically: an inconsistent one throws UPDATE_INCONSISTENT and changes nothing", () => {
    const replica = new Replica(schema, { Item: true });
    const { events } = recorder(replica);
    replica.applyUpdates({ Item: { [U1]: { insert: { name: "a" } } } });
    events.length = 0;
    const bad = { Item: { [U2]: { insert: { name: "b" } }, [U3]: { modify: { name: "c" } } } };
    expect(codeOf(() => replica.applyUpdates(bad))).to.equal("UPDATE_INCONSISTENT");
    expect(codeOf(() => replica.applyUpdates({ Item: { [U1]: { insert: { name: "again" } } } }))).to.equal("UPDATE_INCONSISTENT");
    expect(codeOf(() => replica.applyUpdates({ Item: { [U4]: { delete: null } } }))).to.equal("UPDATE_INCONSISTENT");
    expect(replica.table("Item").size).to.equal(1);
    expect(replica.table("Item").get(U1)!.name).to.equal("a");
    expect(events).to.deep.equal([]);
    expect(codeOf(() => replica.applyUpdates({ Thing: {} }))).to.equal("INVALID_MESSAGE");
  });

  it("tracks the last transaction id of update3 / monitor_cond_since", () => {
    const replica = new Replica(schema, { Item: true });
    const { batches } = recorder(replica);
    expect(replica.lastTxnId).to.equal(undefined);
    replica.applyUpdates({}, { initial: true, lastTxnId: "11111111-1111-1111-1111-111111111111" });
    replica.applyUpdates({ Item: { [U1]: { insert: { name: "a" } } } }, { lastTxnId: "22222222-2222-2222-2222-222222222222" });
    expect(replica.lastTxnId).to.equal("22222222-2222-2222-2222-222222222222");
    expect(batches.map((b) => b.lastTxnId)).to.deep.equal([
      "11111111-1111-1111-1111-111111111111",
      "22222222-2222-2222-2222-222222222222",
    ]);
  });

  it("applies <table-updates> of the monitor method (update)", () => {
    const replica = new Replica(schema, { Item: { columns: ["name", "count"] } });
    const { events } = recorder(replica);
    replica.applyUpdates({ Item: { [U1]: { new: { name: "a", count: 1 } } } }, { format: "update", initial: true });
    replica.applyUpdates({ Item: { [U1]: { old: { count: 1 }, new: { name: "a", count: 2 } } } }, { format: "update" });
    replica.applyUpdates({ Item: { [U1]: { old: { name: "a", count: 2 } } } }, { format: "update" });
    expect(events.map((e) => [e.kind, e.old?.count, e.new?.count])).to.deep.equal([
      ["initial", undefined, 1],
      ["modify", 1, 2],
      ["delete", 2, undefined],
    ]);
  });

  describe("resync", () => {
    function loaded(): Replica {
      const replica = new Replica(schema, { Item: { columns: ["name", "tags", "external_ids", "count"] }, Thing: true });
      replica.applyUpdates(
        {
          Item: {
            [U1]: { initial: { name: "same", tags: ["set", ["a", "b"]], external_ids: ["map", [["x", "1"], ["y", "2"]]] } },
            [U2]: { initial: { name: "changes", tags: "a" } },
            [U3]: { initial: { name: "vanishes" } },
          },
          Thing: { [U4]: { initial: { label: "gone with its table" } } },
        },
        { initial: true },
      );
      return replica;
    }

    it("with a full dump emits exactly the deltas, none for unchanged rows", () => {
      const replica = loaded();
      const { events, batches } = recorder(replica);
      const unchanged = replica.table("Item").get(U1);
      replica.resync(
        {
          Item: {
            // same content: other set/map order, explicit defaults, 1-element set vs bare atom
            [U1]: { initial: { name: "same", tags: ["set", ["b", "a"]], external_ids: ["map", [["y", "2"], ["x", "1"]]], count: 0 } },
            [U2]: { initial: { name: "changes", tags: ["set", ["a", "c"]] } },
            [U4]: { initial: { name: "new" } },
          },
        },
        { full: true, lastTxnId: "33333333-3333-3333-3333-333333333333" },
      );
      expect(events.map((e) => [e.table, e.kind, e.uuid])).to.deep.equal([
        ["Item", "delete", U3],
        ["Item", "modify", U2],
        ["Item", "insert", U4],
        ["Thing", "delete", U4],
      ]);
      expect(events[1]!.new!.tags).to.deep.equal(["a", "c"]);
      expect(batches.map((b) => [b.kind, b.events.length, b.lastTxnId])).to.deep.equal([
        ["resync", 4, "33333333-3333-3333-3333-333333333333"],
      ]);
      expect(replica.table("Item").get(U1)).to.equal(unchanged, "unchanged rows keep their memoized typed row");
      expect(replica.table("Item").size).to.equal(3);
      expect(replica.table("Thing").size).to.equal(0);
    });

    it("with a full dump in the monitor (update) format", () => {
      const replica = loaded();
      const { events } = recorder(replica);
      replica.resync(
        {
          Item: {
            [U1]: { new: { name: "same", tags: ["set", ["a", "b"]], external_ids: ["map", [["x", "1"], ["y", "2"]]], count: 0 } },
            [U2]: { new: { name: "changes", tags: "a", count: 5 } },
            [U3]: { new: { name: "vanishes" } },
          },
          Thing: { [U4]: { new: { label: "gone with its table" } } },
        },
        { full: true, format: "update" },
      );
      expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([["modify", U2]]);
    });

    it("rejects a full dump holding modify/delete, or an unmonitored table", () => {
      const replica = loaded();
      expect(codeOf(() => replica.resync({ Item: { [U1]: { modify: {} } } }, { full: true }))).to.equal("INVALID_MESSAGE");
      expect(codeOf(() => replica.resync({ Part: {} }, { full: true }))).to.equal("INVALID_MESSAGE");
      expect(replica.table("Item").size).to.equal(3);
    });

    it("without full applies the updates as deltas (monitor_cond_since found=true)", () => {
      const replica = loaded();
      const { events, batches } = recorder(replica);
      replica.resync({ Item: { [U3]: { delete: null }, [U2]: { modify: { tags: "a" } } } }, { full: false });
      expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([
        ["delete", U3],
        ["modify", U2],
      ]);
      expect(replica.table("Item").get(U2)!.tags).to.deep.equal([]);
      expect(batches[0]!.kind).to.equal("resync");
    });
  });

  it("rejects unknown tables, unknown columns and _uuid as a monitored column", () => {
    expect(codeOf(() => new Replica(schema, { Nope: true } as never))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => new Replica(schema, { Item: { columns: ["nope"] } }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => new Replica(schema, { Item: { columns: ["_uuid"] } }))).to.equal("VALIDATION_ERROR");
    const replica = new Replica(schema, { Item: true });
    expect(codeOf(() => replica.table("Thing" as never))).to.equal("VALIDATION_ERROR");
  });

  it("is typed by a table map", () => {
    interface Item extends TypedRow {
      _uuid: string;
      name: string;
    }
    const replica = new Replica<{ Item: Item }>(schema, { Item: true });
    replica.applyUpdates({ Item: { [U1]: { insert: { name: "typed" } } } });
    const name: string | undefined = replica.table("Item").get(U1)?.name;
    expect(name).to.equal("typed");
  });
});

describe("cache/row-equality", () => {
  const T = (t: unknown) => parseColumnType(t, "t");
  it("compares sets and maps unordered, bare atoms and defaults included", () => {
    const set = T({ key: "string", min: 0, max: "unlimited" });
    expect(wireValueEquals(["set", ["a", "b"]], ["set", ["b", "a"]], set)).to.equal(true);
    expect(wireValueEquals("a", ["set", ["a"]], set)).to.equal(true);
    expect(wireValueEquals(undefined, ["set", []], set)).to.equal(true);
    expect(wireValueEquals(["set", ["a", "b"]], ["set", ["a", "c"]], set)).to.equal(false);
    const map = T({ key: "string", value: "string", min: 0, max: "unlimited" });
    expect(wireValueEquals(["map", [["a", "1"], ["b", "2"]]], ["map", [["b", "2"], ["a", "1"]]], map)).to.equal(true);
    expect(wireValueEquals(["map", [["a", "1"]]], ["map", [["a", "2"]]], map)).to.equal(false);
    expect(wireValueEquals(undefined, ["map", []], map)).to.equal(true);
    expect(wireValueEquals(["uuid", U1], ["uuid", U1], T("uuid"))).to.equal(true);
    expect(wireValueEquals(undefined, 0, T("integer"))).to.equal(true);
    expect(wireValueEquals(undefined, 1, T("integer"))).to.equal(false);
    const opt = T({ key: "integer", min: 0, max: 1 });
    expect(wireValueEquals(3, ["set", [3]], opt)).to.equal(true);
    expect(wireValueEquals(3, ["set", []], opt)).to.equal(false);
  });

  it("compares rows column by column with absent = default", () => {
    const item = schema.tables.get("Item")!;
    expect(wireRowEquals(item, { name: "a", count: 0 }, { name: "a" })).to.equal(true);
    expect(wireRowEquals(item, { name: "a" }, { name: "a", tags: "x" })).to.equal(false);
    expect(wireRowEquals(item, { name: "a", tags: "x" }, { name: "a" })).to.equal(false);
  });
});

describe("cache/typed-decode", () => {
  const item = schema.tables.get("Item")!;
  const U = "EF56CDA3-501E-4411-999F-486FBEABE526";
  const samples: Record<string, unknown[]> = {
    name: ["", "x", "ü"],
    count: [0, -5, 2 ** 53 - 1, 2n ** 60n, -(2n ** 63n), 12n],
    big: [["set", []], 7, ["set", [2n ** 62n]]],
    ratio: [0, 1.5, -2],
    enabled: [["set", []], true, ["set", [false]]],
    color: [["set", []], "red", ["set", ["blue"]]],
    tags: [["set", []], "a", ["set", ["a", "b"]]],
    numbers: [["set", [1, 2n ** 62n]], 3],
    external_ids: [["map", []], ["map", [["a", "1"], ["b", ""]]]],
    int_map: [["map", [[0, "zero"], [65535, "max"]]]],
    thing: [["set", []], ["uuid", U], ["set", [["uuid", U.toLowerCase()]]]],
  };
  it("decodes server values exactly like decodeDatum (absent = default)", () => {
    for (const [column, values] of Object.entries(samples)) {
      const col = item.columns.get(column)!;
      const dec = columnDecoder(col, "Item");
      for (const w of [undefined, ...values]) {
        const expected = w === undefined ? decodeDatum(col.type, col.type.value ? ["map", []] : col.type.min === 0 ? ["set", []] : ({ integer: 0, real: 0, string: "", boolean: false } as Record<string, unknown>)[col.type.key.type]) : decodeDatum(col.type, w);
        expect(dec(w), `${column} ${String(w)}`).to.deep.equal(expected);
      }
    }
  });

  it("property: any valid integer set decodes like decodeDatum", () => {
    const col = item.columns.get("numbers")!;
    const dec = columnDecoder(col, "Item");
    const int = fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b >= -(2n ** 53n) + 1n && b <= 2n ** 53n - 1n ? Number(b) : b)));
    fc.assert(
      fc.property(fc.uniqueArray(int, { maxLength: 3, selector: (x) => BigInt(x) }), (xs) => {
        const w = xs.length === 1 ? xs[0]! : ["set", xs];
        expect(dec(w)).to.deep.equal(decodeDatum(col.type, w));
      }),
    );
  });

  it("falls back to the checking decoder on anything unexpected (VALIDATION_ERROR)", () => {
    for (const [column, bad] of [["name", 3], ["tags", ["set", [1]]], ["external_ids", ["set", []]], ["external_ids", ["map", [null]]], ["thing", ["uuid", "nope"]], ["big", ["set", [1, 2]]], ["count", 1.5]] as const) {
      const dec = columnDecoder(item.columns.get(column)!, "Item");
      expect(codeOf(() => dec(bad)), `${column}`).to.equal("VALIDATION_ERROR");
    }
  });
});
