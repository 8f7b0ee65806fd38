// The insert-only path of Replica.applyUpdates (an initial load, an insert-only notification): no per-row
// change objects, rows straight into the tables and indexes. It must leave the replica exactly as the general
// path (RowChange list + commit) does, with or without subscribers, and give the same events and return value.
import { expect } from "chai";
import fc from "fast-check";
import { Replica } from "../../src/cache/replica.js";
import { lazyArray } from "../../src/cache/lazy-changes.js";
import type { ChangeBatch, RowEvent } from "../../src/cache/row-event.js";
import type { WireRow } from "../../src/protocol/notation.js";
import {
  changesFromTableUpdates,
  changesFromTableUpdates2,
  insertOnlyUpdates,
  insertOnlyUpdates2,
  type RowSource,
} from "../../src/protocol/updates.js";
import { codeOf } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";
const U2 = "b222f872-afdb-482b-80e1-1ffc3165645c";
const U3 = "0352f2d0-a72c-46ef-81d8-17dbcb64ff73";
const TXN = "11111111-2222-3333-4444-555555555555";
const EMPTY: RowSource = { tableRows: (t) => (t === "Item" || t === "Thing" ? new Map() : undefined) };

const TABLES = {
  Item: { columns: ["name", "count", "tags", "external_ids", "thing"], indexes: [{ name: "pod", columns: [{ column: "external_ids", key: "pod" }] }] },
  Thing: true,
} as const;

/** Arbitrary Item rows (update2 <row>: default-valued columns omitted at random), keyed by distinct uuids. */
const itemRows = fc.uniqueArray(fc.uuid(), { maxLength: 25 }).chain((uuids) =>
  fc.tuple(
    fc.constant(uuids),
    fc.array(
      fc.record(
        {
          name: fc.constantFrom("a", "b", "c", ""),
          count: fc.integer({ min: -3, max: 3 }),
          tags: fc.uniqueArray(fc.constantFrom("x", "y", "z"), { maxLength: 3 }).map((t) => (t.length === 1 ? t[0]! : ["set", t.sort()])),
          external_ids: fc
            .uniqueArray(fc.tuple(fc.constantFrom("pod", "vm", "ns"), fc.constantFrom("p1", "p2")), { selector: (p) => p[0], maxLength: 3 })
            .map((ps) => ["map", ps.sort((p, q) => (p[0] < q[0] ? -1 : 1))]),
        },
        { requiredKeys: [] },
      ),
      { minLength: uuids.length, maxLength: uuids.length },
    ),
  ),
);

function dumpOf(uuids: string[], rows: object[], kind: "initial" | "insert"): Record<string, Record<string, unknown>> {
  const tu: Record<string, unknown> = {};
  uuids.forEach((u, i) => (tu[u] = { [kind]: rows[i] }));
  return { Item: tu, Thing: { [U3]: { [kind]: { label: "t" } } } };
}

function record(replica: Replica): { events: RowEvent[]; batches: ChangeBatch[] } {
  const events: RowEvent[] = [];
  const batches: ChangeBatch[] = [];
  replica.changes$.subscribe((e) => events.push(e as RowEvent));
  replica.batches$.subscribe((b) => batches.push(b));
  return { events, batches };
}

/** Everything a reader can observe of a replica: wire rows, typed rows, index lookups, the txn id. */
function snapshot(replica: Replica): unknown {
  const items = replica.table("Item");
  const lookups: Record<string, string[]> = {};
  for (const name of ["a", "b", "c", ""]) lookups[`name=${name}`] = [...items.index("name").uuids(name)].sort();
  for (const pod of ["p1", "p2"]) lookups[`pod=${pod}`] = [...items.index("pod").uuids(pod)].sort();
  return {
    wire: [...items.wireRows()],
    typed: [...items.values()],
    things: [...replica.table("Thing").values()],
    lookups,
    rowCount: replica.rowCount,
    lastTxnId: replica.lastTxnId,
  };
}

describe("cache/replica insert-only path", () => {
  it("property: an initial load gives the same replica with or without subscribers, and as the general path", () => {
    fc.assert(
      fc.property(itemRows, ([uuids, rows]) => {
        const dump = dumpOf(uuids, rows, "initial");
        const expected = changesFromTableUpdates2(schema, EMPTY, dump);
        expect(insertOnlyUpdates2(schema, EMPTY, dump)?.map((t) => t.uuids.length)).to.deep.equal([uuids.length, 1]);

        const bare = new Replica(schema, TABLES);
        const changes = bare.applyUpdates(dump, { initial: true, lastTxnId: TXN });

        const watched = new Replica(schema, TABLES);
        const { events, batches } = record(watched);
        watched.applyUpdates(dump, { initial: true, lastTxnId: TXN });

        // The general path: the same rows as a full-dump resync of an empty replica (RowChange list + commit).
        const general = new Replica(schema, TABLES);
        general.resync(dump, { full: true, lastTxnId: TXN });

        expect(snapshot(bare)).to.deep.equal(snapshot(general));
        expect(snapshot(watched)).to.deep.equal(snapshot(general));
        expect(changes).to.deep.equal(expected, "the lazily built return value is what the general path returns");
        expect(events.map((e) => [e.table, e.uuid, e.kind])).to.deep.equal(expected.map((c) => [c.table, c.uuid, "initial"]));
        for (const e of events) {
          expect(e.newWire).to.equal(watched.table(e.table).getWire(e.uuid));
          expect(e.new).to.equal(watched.table(e.table).get(e.uuid), "new is the cache's memoized typed row");
          expect(e.old).to.equal(undefined);
        }
        expect(batches).to.have.length(1);
        expect(batches[0]!.kind).to.equal("initial");
        expect(batches[0]!.lastTxnId).to.equal(TXN);
        expect(batches[0]!.events).to.deep.equal(events);
      }),
      { numRuns: 60 },
    );
  });

  it("insert-only notifications take the same path: kind insert, one update batch, indexes kept", () => {
    const replica = new Replica(schema, TABLES);
    const { events, batches } = record(replica);
    replica.applyUpdates({ Item: { [U1]: { initial: { name: "a", external_ids: ["map", [["pod", "p1"]]] } } } }, { initial: true });
    const changes = replica.applyUpdates({ Item: { [U2]: { insert: { name: "a", external_ids: ["map", [["pod", "p1"]]] } } } }, { lastTxnId: TXN });
    expect(changes).to.deep.equal([{ table: "Item", uuid: U2, kind: "insert", new: { name: "a", external_ids: ["map", [["pod", "p1"]]] } }]);
    expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([
      ["initial", U1],
      ["insert", U2],
    ]);
    expect(batches.map((b) => [b.kind, b.events.length, b.lastTxnId])).to.deep.equal([
      ["initial", 1, undefined],
      ["update", 1, TXN],
    ]);
    const items = replica.table("Item");
    expect([...items.index("name").uuids("a")].sort()).to.deep.equal([U1, U2].sort());
    expect([...items.index("pod").uuids("p1")].sort()).to.deep.equal([U1, U2].sort());
    // an empty initial reply still gives its batch; an empty notification none
    const empty = new Replica(schema, TABLES);
    const seen = record(empty);
    expect(empty.applyUpdates({}, { initial: true, lastTxnId: TXN })).to.deep.equal([]);
    empty.applyUpdates({});
    expect(seen.batches.map((b) => [b.kind, b.events.length])).to.deep.equal([["initial", 0]]);
  });

  it("the monitor (update) format: {new} rows, initial or insert", () => {
    const dump = { Item: { [U1]: { new: { name: "a", count: 1 } }, [U2]: { new: { name: "b" } } } };
    expect(insertOnlyUpdates(schema, EMPTY, dump, true)).to.deep.equal([
      { table: "Item", uuids: [U1, U2], rows: [dump.Item[U1]!.new, dump.Item[U2]!.new], kinds: ["initial", "initial"] },
    ]);
    const expected = changesFromTableUpdates(schema, EMPTY, dump, true);
    const replica = new Replica(schema, TABLES);
    const { events } = record(replica);
    expect(replica.applyUpdates(dump, { format: "update", initial: true })).to.deep.equal(expected);
    expect(events.map((e) => [e.kind, e.new?.name])).to.deep.equal([
      ["initial", "a"],
      ["initial", "b"],
    ]);
    expect(replica.applyUpdates({ Item: { [U3]: { new: { name: "c" } } } }, { format: "update" })).to.deep.equal([
      { table: "Item", uuid: U3, kind: "insert", new: { name: "c" } },
    ]);
    expect(replica.table("Item").index("name").one("c")!._uuid).to.equal(U3);
  });

  it("a message it does not accept goes through the general path: same errors, nothing applied, no events", () => {
    const rowsOf = new Map<string, WireRow>([[U1, { name: "a" }]]);
    const src: RowSource = { tableRows: (t) => (t === "Item" ? rowsOf : undefined) };
    const cases: unknown[] = [
      null,
      { Nope: {} },
      { Item: [] },
      { Item: { [U2]: null } },
      { Item: { [U2]: { insert: 3 } } },
      { Item: { [U2]: { insert: { name: "b" } }, [U1]: { insert: { name: "again" } } } },
      { Item: { [U2]: { insert: { name: "b" } }, [U3]: { modify: { name: "c" } } } },
      { Item: { [U2]: { insert: { name: "b" } }, [U1]: { delete: null } } },
    ];
    for (const c of cases) expect(insertOnlyUpdates2(schema, src, c), JSON.stringify(c)).to.equal(undefined);
    expect(insertOnlyUpdates(schema, src, { Item: { [U2]: { old: {}, new: {} } } })).to.equal(undefined);
    expect(insertOnlyUpdates(schema, src, { Item: { [U1]: { new: {} } } })).to.equal(undefined);

    const replica = new Replica(schema, TABLES);
    replica.applyUpdates({ Item: { [U1]: { initial: { name: "a" } } } }, { initial: true });
    const { events, batches } = record(replica);
    expect(codeOf(() => replica.applyUpdates({ Item: { [U2]: { insert: { name: "b" } }, [U1]: { insert: { name: "x" } } } }))).to.equal(
      "UPDATE_INCONSISTENT",
    );
    expect(codeOf(() => replica.applyUpdates({ Item: { [U2]: { insert: { name: "b" } }, [U3]: { insert: 3 } } }))).to.equal("INVALID_MESSAGE");
    expect(codeOf(() => replica.applyUpdates({ Item: { [U2]: { insert: { name: "b" } } }, Part: {} }))).to.equal("INVALID_MESSAGE");
    expect(codeOf(() => replica.applyUpdates({ Item: { [U2]: { new: { name: "b" } }, [U1]: { new: {} } } }, { format: "update" }))).to.equal(
      "UPDATE_INCONSISTENT",
    );
    expect([...replica.table("Item").uuids()]).to.deep.equal([U1]);
    expect(replica.table("Item").index("name").uuids("b")).to.deep.equal([]);
    expect(events).to.deep.equal([]);
    expect(batches).to.deep.equal([]);
  });
});

describe("cache/lazyArray", () => {
  it("builds once, on first access, and then behaves as the array", () => {
    let calls = 0;
    const a = lazyArray(() => {
      calls++;
      return [1, 2, 3];
    });
    expect(calls).to.equal(0);
    expect(Array.isArray(a)).to.equal(true);
    expect(calls).to.equal(0, "Array.isArray does not build");
    expect(a.length).to.equal(3);
    expect([...a]).to.deep.equal([1, 2, 3]);
    expect(a.map((x) => x * 2)).to.deep.equal([2, 4, 6]);
    expect(JSON.stringify(a)).to.equal("[1,2,3]");
    expect(Object.keys(a)).to.deep.equal(["0", "1", "2"]);
    expect(1 in a).to.equal(true);
    expect(calls).to.equal(1);
    const b = lazyArray(() => ["x"]);
    expect(Object.keys(b)).to.deep.equal(["0"], "ownKeys builds too");
    const c = lazyArray(() => ["y"]);
    expect(Object.isFrozen(Object.freeze(c))).to.equal(true);
    expect([...c]).to.deep.equal(["y"], "freezing first still keeps the elements");
  });
});
