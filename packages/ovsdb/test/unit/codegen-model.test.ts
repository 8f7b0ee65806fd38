/**
 * The model runtime through the generated models of the test schema (test/fixtures/codegen/test-schema):
 * typed conditions and mutations per column, insert/update encoding, decoding, operation builders, and
 * client-side validation (unknown table or column, wrong type, enum, range, size: OvsdbError
 * "VALIDATION_ERROR", nothing built). Type-level expectations are checked by the repo typecheck.
 */
import { expect } from "chai";
import { NamedUuid, namedUuid } from "../../src/protocol/notation.js";
import type { UuidRef } from "../../src/model/uuid-ref.js";
import { Item, Part, Root, SCHEMA_VERSION, Thing, database, schema } from "../fixtures/codegen/test-schema/index.js";
import type { InsertItem, Item as ItemRow, UpdateItem } from "../fixtures/codegen/test-schema/index.js";
import { validationError } from "../helpers/errors.js";

const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";
const U2 = "b222f872-afdb-482b-80e1-1ffc3165645c";

describe("model runtime: table models of the generated test schema", () => {
  it("carries the table's protocol name, columns in schema order and the schema version", () => {
    expect(Item.table).to.equal("Item");
    expect(Item.columns).to.deep.equal([
      "name", "count", "big", "ratio", "enabled", "color", "tag", "score", "code", "tags", "numbers",
      "external_ids", "int_map", "thing", "ref_uuid", "frozen", "scratch",
    ]);
    expect(Item.column("frozen").mutable).to.equal(false);
    expect(Item.column("_uuid").type.key.type).to.equal("uuid");
    expect(SCHEMA_VERSION).to.equal("1.2.3");
    expect(schema.version).to.equal("1.2.3");
    expect(database.version).to.equal("1.2.3");
    expect(database.name).to.equal("OvnkitTest");
    expect(Object.keys(database.tables)).to.deep.equal(["Item", "Part", "Root", "Thing"]);
    expect(database.table("Thing")).to.equal(Thing);
  });

  it("refuses an unknown table or column with VALIDATION_ERROR", () => {
    const table = validationError(() => database.table("Nope"));
    expect(table.details).to.include({ table: "Nope" });
    const col = validationError(() => (Item.where as unknown as Record<string, unknown>).nope);
    expect(col.details).to.include({ table: "Item", column: "nope" });
    validationError(() => Item.column("nope"));
    validationError(() => Item.condition("nope", "==", 1));
    validationError(() => Item.mutation("nope", "+=", 1));
    validationError(() => Item.encodeInsert({ nope: 1 } as unknown as InsertItem));
    validationError(() => Item.op.select([], ["name", "nope" as "name"]));
  });
});

describe("model runtime: where (typed conditions)", () => {
  it("encodes each column kind to its wire value", () => {
    expect(Item.where.name.eq("a")).to.deep.equal(["name", "==", "a"]);
    expect(Item.where.count.ne(9007199254740993n)).to.deep.equal(["count", "!=", 9007199254740993n]);
    expect(Item.where.tag.eq(null)).to.deep.equal(["tag", "==", ["set", []]]);
    expect(Item.where.tag.eq(7)).to.deep.equal(["tag", "==", 7]);
    expect(Item.where.color.eq("red")).to.deep.equal(["color", "==", "red"]);
    expect(Item.where.tags.includes("x")).to.deep.equal(["tags", "includes", ["set", ["x"]]]);
    expect(Item.where.tags.excludes(["x", "y"])).to.deep.equal(["tags", "excludes", ["set", ["x", "y"]]]);
    expect(Item.where.external_ids.includes(new Map([["k", "v"]]))).to.deep.equal([
      "external_ids",
      "includes",
      ["map", [["k", "v"]]],
    ]);
    expect(Item.where.thing.eq(U1.toUpperCase())).to.deep.equal(["thing", "==", ["uuid", U1]]);
    expect(Root.where.things.includes(namedUuid("t1"))).to.deep.equal(["things", "includes", ["set", [["named-uuid", "t1"]]]]);
    expect(Item.where._uuid.eq(U2)).to.deep.equal(["_uuid", "==", ["uuid", U2]]);
    expect(Item.where._uuid.eq(new NamedUuid("row"))).to.deep.equal(["_uuid", "==", ["named-uuid", "row"]]);
    expect(Item.where.ratio.ge(0.5)).to.deep.equal(["ratio", ">=", 0.5]);
    expect(Item.where.tag.lt(100)).to.deep.equal(["tag", "<", 100]);
    expect(Part.where.n.le(3)).to.deep.equal(["n", "<=", 3]);
  });

  it("offers <, <=, >, >= only on integer/real columns holding at most one value", () => {
    const methods = (h: object) => Object.keys(h).sort();
    expect(methods(Item.where.count)).to.deep.equal(["eq", "excludes", "ge", "gt", "includes", "le", "lt", "ne"]);
    expect(methods(Item.where.score)).to.deep.equal(["eq", "excludes", "ge", "gt", "includes", "le", "lt", "ne"]);
    expect(methods(Item.where.name)).to.deep.equal(["eq", "excludes", "includes", "ne"]);
    expect(methods(Item.where.numbers)).to.deep.equal(["eq", "excludes", "includes", "ne"]);
    validationError(() => Item.condition("name", "<", "a"));
  });

  it("validates values: wrong type, enum, ranges, lengths, set size, uuid", () => {
    const cases: [string, () => unknown][] = [
      ["count", () => Item.where.count.eq("1" as unknown as number)],
      ["count", () => Item.where.count.eq(1.5)],
      ["color", () => Item.where.color.eq("purple" as "red")],
      ["tag", () => Item.where.tag.eq(4096)],
      ["tag", () => Item.where.tag.gt(-1)],
      ["score", () => Item.where.score.eq(2)],
      ["code", () => Item.where.code.eq("x")],
      ["code", () => Item.where.code.eq("toolong")],
      ["numbers", () => Item.where.numbers.eq([1, 2, 3, 4])],
      ["int_map", () => Item.where.int_map.includes(new Map([[70000, "x"]]))],
      ["thing", () => Item.where.thing.eq("not-a-uuid")],
      ["name", () => Item.where.name.eq(null as unknown as string)],
    ];
    for (const [column, f] of cases) expect(validationError(f).details.column, column).to.equal(column);
  });
});

describe("model runtime: mutate (typed mutations)", () => {
  it("encodes arithmetic, set and map mutations", () => {
    expect(Item.mutate.count.add(1)).to.deep.equal(["count", "+=", 1]);
    expect(Item.mutate.count.modulo(7n)).to.deep.equal(["count", "%=", 7]);
    expect(Item.mutate.ratio.multiply(2.5)).to.deep.equal(["ratio", "*=", 2.5]);
    expect(Item.mutate.numbers.subtract(1)).to.deep.equal(["numbers", "-=", 1]);
    // the argument of arithmetic has no range constraint (the result is checked by the server)
    expect(Item.mutate.tag.add(5000)).to.deep.equal(["tag", "+=", 5000]);
    expect(Item.mutate.tags.insert("a")).to.deep.equal(["tags", "insert", ["set", ["a"]]]);
    expect(Item.mutate.tags.delete(["a", "b"])).to.deep.equal(["tags", "delete", ["set", ["a", "b"]]]);
    expect(Item.mutate.tag.insert(5)).to.deep.equal(["tag", "insert", 5]);
    expect(Item.mutate.tag.insert([5])).to.deep.equal(["tag", "insert", 5]);
    expect(Item.mutate.tag.delete(5)).to.deep.equal(["tag", "delete", ["set", [5]]]);
    expect(Item.mutate.external_ids.insert(new Map([["k", "v"]]))).to.deep.equal(["external_ids", "insert", ["map", [["k", "v"]]]]);
    expect(Item.mutate.external_ids.delete(["k"])).to.deep.equal(["external_ids", "delete", ["set", ["k"]]]);
    expect(Item.mutate.external_ids.delete(new Map([["k", "v"]]))).to.deep.equal(["external_ids", "delete", ["map", [["k", "v"]]]]);
    expect(Root.mutate.things.insert([namedUuid("t"), U1])).to.deep.equal(["things", "insert", ["set", [["named-uuid", "t"], ["uuid", U1]]]]);
  });

  it("has helpers only where a mutator applies, and none for immutable columns", () => {
    const methods = (h: object) => Object.keys(h).sort();
    expect(methods(Item.mutate.count)).to.deep.equal(["add", "divide", "modulo", "multiply", "subtract"]);
    expect(methods(Item.mutate.ratio)).to.deep.equal(["add", "divide", "multiply", "subtract"]);
    expect(methods(Item.mutate.tag)).to.deep.equal(["add", "delete", "divide", "insert", "modulo", "multiply", "subtract"]);
    expect(methods(Item.mutate.tags)).to.deep.equal(["delete", "insert"]);
    expect(methods(Item.mutate.external_ids)).to.deep.equal(["delete", "insert"]);
    expect(Object.keys(Item.mutate)).to.not.include.members(["name", "enabled", "frozen"]);
    const frozen = validationError(() => (Item.mutate as unknown as Record<string, unknown>).frozen);
    expect(frozen.message).to.contain("cannot be mutated");
    validationError(() => (Item.mutate as unknown as Record<string, unknown>).name);
    validationError(() => Item.mutation("frozen", "insert", "x"));
    validationError(() => Item.mutation("ratio", "%=", 2));
  });

  it("validates mutation values", () => {
    validationError(() => Item.mutate.count.add("1" as unknown as number));
    validationError(() => Item.mutate.color.insert("purple" as "red"));
    validationError(() => Item.mutate.tag.insert([1, 2]));
    validationError(() => Item.mutate.int_map.insert(new Map([[-1, "x"]])));
    validationError(() => Item.mutate.tags.insert([1 as unknown as string]));
  });
});

describe("model runtime: rows and operations", () => {
  const full = {
    _uuid: ["uuid", U1],
    _version: ["uuid", U2],
    name: "n",
    count: 9223372036854775807n,
    big: ["set", []],
    ratio: 0.5,
    enabled: true,
    color: "blue",
    tag: 12,
    score: ["set", []],
    code: "ab",
    tags: ["set", ["a", "b"]],
    numbers: 3,
    external_ids: ["map", [["k", "v"]]],
    int_map: ["map", [[80, "http"]]],
    thing: ["uuid", U2],
    ref_uuid: ["set", []],
    frozen: "f",
    scratch: ["set", []],
  };

  it("decodes a complete wire row to the typed row", () => {
    const row: ItemRow = Item.decode(full);
    expect(row).to.deep.equal({
      _uuid: U1,
      _version: U2,
      name: "n",
      count: 9223372036854775807n,
      big: null,
      ratio: 0.5,
      enabled: true,
      color: "blue",
      tag: 12,
      score: null,
      code: "ab",
      tags: ["a", "b"],
      numbers: [3],
      external_ids: new Map([["k", "v"]]),
      int_map: new Map([[80, "http"]]),
      thing: U2,
      ref_uuid: null,
      frozen: "f",
      scratch: null,
    });
    const { _uuid: _u, _version: _v, ...noUuid } = full;
    expect(Item.decode(noUuid, U2)._uuid).to.equal(U2);
    expect(Item.decodePartial({ name: "x" })).to.deep.equal({ name: "x" });
  });

  it("refuses to decode an incomplete row, a row without uuid, or a bad value", () => {
    const { tags: _t, ...missing } = full;
    expect(validationError(() => Item.decode(missing)).details).to.include({ column: "tags" });
    const { _uuid: _u, ...noUuid } = full;
    validationError(() => Item.decode(noUuid));
    validationError(() => Item.decode({ ...full, color: "purple" }));
  });

  it("encodes inserts and updates; update refuses immutable columns; _uuid is never written", () => {
    const row: InsertItem = { name: "x", tags: ["a"], thing: namedUuid("t"), external_ids: new Map([["k", "v"]]), tag: null };
    expect(Item.encodeInsert(row)).to.deep.equal({
      name: "x",
      tags: ["set", ["a"]],
      thing: ["named-uuid", "t"],
      external_ids: ["map", [["k", "v"]]],
      tag: ["set", []],
    });
    const upd: UpdateItem = { count: 2, scratch: "s" };
    expect(Item.encodeUpdate(upd)).to.deep.equal({ count: 2, scratch: "s" });
    expect(Item.encodeInsert({ frozen: "ok" })).to.deep.equal({ frozen: "ok" });
    expect(validationError(() => Item.encodeUpdate({ frozen: "no" } as UpdateItem)).details).to.include({ column: "frozen" });
    validationError(() => Item.encodeInsert({ _uuid: U1 } as unknown as InsertItem));
    validationError(() => Item.encodeInsert({ color: "purple" as "red" }));
    validationError(() => Item.encodeInsert({ tag: 4096 }));
    validationError(() => Item.encodeInsert({ enabled: "yes" as unknown as boolean }));
  });

  it("builds operations", () => {
    const t = namedUuid("t1");
    expect(Thing.op.insert({ label: "l" }, { uuidName: t })).to.deep.equal({
      op: "insert",
      table: "Thing",
      row: { label: "l" },
      "uuid-name": "t1",
    });
    expect(Thing.op.insert({}, { uuid: U1.toUpperCase() })).to.deep.equal({ op: "insert", table: "Thing", row: {}, uuid: U1 });
    expect(Root.op.mutate([Root.where.name.eq("r")], [Root.mutate.things.insert(t)])).to.deep.equal({
      op: "mutate",
      table: "Root",
      where: [["name", "==", "r"]],
      mutations: [["things", "insert", ["set", [["named-uuid", "t1"]]]]],
    });
    expect(Item.op.update([Item.where._uuid.eq(U1)], { tag: 1 })).to.deep.equal({
      op: "update",
      table: "Item",
      where: [["_uuid", "==", ["uuid", U1]]],
      row: { tag: 1 },
    });
    expect(Item.op.select([], ["_uuid", "name"])).to.deep.equal({ op: "select", table: "Item", where: [], columns: ["_uuid", "name"] });
    expect(Item.op.delete([Item.where.name.eq("x")])).to.deep.equal({ op: "delete", table: "Item", where: [["name", "==", "x"]] });
    expect(Item.op.wait([Item.where.name.eq("x")], ["tag"], "==", [{ tag: 3 }], 0)).to.deep.equal({
      op: "wait",
      table: "Item",
      where: [["name", "==", "x"]],
      columns: ["tag"],
      until: "==",
      rows: [{ tag: 3 }],
      timeout: 0,
    });
    validationError(() => Thing.op.insert({}, { uuidName: "1bad" }));
    validationError(() => Thing.op.insert({}, { uuid: "nope" }));
    validationError(() => Item.op.update([], { frozen: "x" } as UpdateItem));
    validationError(() => Item.op.wait([], ["tag"], "<" as "==", []));
  });
});

/** Compile-time expectations (checked by `tsc`, never run): the helpers are typed per column. */
export function typeLevelExpectations(): void {
  const ref: UuidRef<"Thing"> = U1; // a plain string is assignable
  const s: string = ref;
  // @ts-expect-error a reference to Thing is not a reference to Part
  const wrong: UuidRef<"Part"> = ref;
  Item.where.thing.eq(ref);
  Item.where.thing.eq(null);
  Item.where.color.eq("green");
  // @ts-expect-error not a value of the enum
  Item.where.color.eq("purple");
  // @ts-expect-error string columns have no ordering
  Item.where.name.lt("a");
  // @ts-expect-error sets have no ordering
  Item.where.numbers.lt(1);
  // @ts-expect-error a string column takes strings
  Item.where.name.eq(1);
  Item.where.tags.includes("one");
  Item.where.tags.includes(["one", "two"]);
  Item.mutate.count.add(1n);
  Item.mutate.external_ids.delete(["k"]);
  // @ts-expect-error immutable columns have no mutation helpers
  Item.mutate.frozen;
  // @ts-expect-error a scalar string has no mutator
  Item.mutate.name;
  // @ts-expect-error maps have no arithmetic
  Item.mutate.external_ids.add(1);
  // @ts-expect-error no such column
  Item.where.nope;
  // @ts-expect-error immutable columns are not in Update<Table>
  Item.encodeUpdate({ frozen: "x" });
  // @ts-expect-error _uuid is not an insert column
  Item.encodeInsert({ _uuid: U1 });
  // @ts-expect-error a wrong column name in a select
  Item.op.select([], ["nope"]);
  const row: ItemRow = Item.decode({});
  const big: number | bigint = row.count;
  const tag: number | null = row.tag;
  void [s, wrong, big, tag];
}
