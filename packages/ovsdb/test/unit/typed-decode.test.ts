import { expect } from "chai";
import fc from "fast-check";
import { TableCache } from "../../src/cache/table-cache.js";
import { EMPTY_TYPED_MAP, EMPTY_TYPED_SET, columnDecoder, compileRowDecoder, type ColumnDecoder } from "../../src/cache/typed-decode.js";
import { decodeDatum, type TypedRow } from "../../src/protocol/datum.js";
import type { WireRow } from "../../src/protocol/notation.js";
import type { TableSchema } from "../../src/protocol/schema.js";
import { defaultWireValue } from "../../src/protocol/updates.js";
import { codeOf } from "../helpers/errors.js";
import { loadNbSchema, loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const item = schema.tables.get("Item")!;
const U = "ef56cda3-501e-4411-999f-486fbeabe526";
const V = "7c73685c-f425-4870-8dca-a0c120271891";

function columnsOf(table: TableSchema): string[] {
  return [...table.columns.keys()].filter((c) => c !== "_uuid" && c !== "_version");
}

function decodersOf(table: TableSchema, columns: readonly string[]): ColumnDecoder[] {
  return columns.map((c) => columnDecoder(table.columns.get(c)!, table.name));
}

/** The reference: every column through the checking decoder (absent = the type's default). */
function referenceRow(table: TableSchema, columns: readonly string[], uuid: string, wire: WireRow): TypedRow {
  const out: TypedRow = { _uuid: uuid };
  const v = wire._version;
  if (Array.isArray(v) && v[0] === "uuid") out._version = v[1] as string;
  for (const c of columns) {
    const type = table.columns.get(c)!.type;
    out[c] = decodeDatum(type, wire[c] ?? defaultWireValue(type));
  }
  return out;
}

function expectMutationRefused(f: () => unknown): void {
  expect(f).to.throw(TypeError);
}

describe("cache/typed-decode: shared empty values", () => {
  it("an empty set column decodes to one frozen empty array, absent or [\"set\", []]", () => {
    const dec = columnDecoder(item.columns.get("tags")!, "Item");
    const a = dec(undefined) as string[];
    const b = dec(["set", []]) as string[];
    expect(a).to.equal(EMPTY_TYPED_SET);
    expect(b).to.equal(EMPTY_TYPED_SET);
    expect(a).to.deep.equal([]);
    expect(Object.isFrozen(a)).to.equal(true);
    expectMutationRefused(() => a.push("x"));
    expectMutationRefused(() => {
      (a as unknown as Record<number, string>)[0] = "x";
    });
    expect(a.length).to.equal(0);
  });

  it("a non-empty set is a fresh array each time", () => {
    const dec = columnDecoder(item.columns.get("tags")!, "Item");
    const one = dec("a") as string[];
    const two = dec(["set", ["a", "b"]]) as string[];
    expect(one).to.deep.equal(["a"]);
    expect(two).to.deep.equal(["a", "b"]);
    expect(dec(["set", ["a"]])).to.not.equal(dec(["set", ["a"]]));
  });

  it("an empty map column decodes to one read-only empty Map, absent or [\"map\", []]", () => {
    for (const column of ["external_ids", "int_map"]) {
      const dec = columnDecoder(item.columns.get(column)!, "Item");
      const m = dec(undefined) as Map<unknown, unknown>;
      expect(dec(["map", []])).to.equal(m);
      expect(m).to.equal(EMPTY_TYPED_MAP);
      expect(m).to.be.instanceOf(Map);
      expect(m.size).to.equal(0);
      expect(m.get("a")).to.equal(undefined);
      expect(m.has("a")).to.equal(false);
      expect([...m]).to.deep.equal([]);
      expect(m).to.deep.equal(new Map());
      expect(Object.isFrozen(m)).to.equal(true);
    }
  });

  it("the shared empty Map refuses set, delete and clear, and stays empty", () => {
    const m = EMPTY_TYPED_MAP as unknown as Map<string, string>;
    expectMutationRefused(() => m.set("k", "v"));
    expectMutationRefused(() => m.delete("k"));
    expectMutationRefused(() => m.clear());
    expectMutationRefused(() => {
      (m as unknown as { set: unknown }).set = Map.prototype.set;
    });
    expect(m.size).to.equal(0);
    expect(m.get("k")).to.equal(undefined);
    expect(Map.prototype.get.call(m, "k")).to.equal(undefined);
  });

  it("a non-empty map is a fresh, ordinary Map", () => {
    const dec = columnDecoder(item.columns.get("external_ids")!, "Item");
    const m = dec(["map", [["a", "1"]]]) as Map<string, string>;
    expect(m).to.not.equal(EMPTY_TYPED_MAP);
    expect(m).to.deep.equal(new Map([["a", "1"]]));
    expect(dec(["map", [["a", "1"]]])).to.not.equal(m);
  });

  it("a set whose element list is not an array falls back to the checking decoder (VALIDATION_ERROR)", () => {
    const dec = columnDecoder(item.columns.get("tags")!, "Item");
    expect(codeOf(() => dec(["set", "abc"]))).to.equal("VALIDATION_ERROR");
  });
});

describe("cache/typed-decode: compiled row decoder", () => {
  const columns = columnsOf(item);
  const decodeRow = compileRowDecoder(columns, decodersOf(item, columns));

  it("builds {_uuid, _version?, ...columns} in that order, frozen, defaults for absent columns", () => {
    const row = decodeRow(U, { name: "a", tags: ["set", ["x", "y"]], external_ids: ["map", [["k", "v"]]] });
    expect(Object.keys(row)).to.deep.equal(["_uuid", ...columns]);
    expect(Object.isFrozen(row)).to.equal(true);
    expect(Object.getPrototypeOf(row)).to.equal(Object.prototype);
    expect(row).to.deep.equal(referenceRow(item, columns, U, { name: "a", tags: ["set", ["x", "y"]], external_ids: ["map", [["k", "v"]]] }));
    expect(row.count).to.equal(0);
    expect(row.big).to.equal(null);
    expect(row.numbers).to.equal(EMPTY_TYPED_SET);
    expect(row.int_map).to.equal(EMPTY_TYPED_MAP);
    expect(() => {
      (row as Record<string, unknown>).name = "b";
    }).to.throw(TypeError);
  });

  it("has _version exactly when the wire row carries one", () => {
    const row = decodeRow(U, { name: "a", _version: ["uuid", V] });
    expect(Object.keys(row)).to.deep.equal(["_uuid", "_version", ...columns]);
    expect(row._version).to.equal(V);
    expect(decodeRow(U, { name: "a" })).to.not.have.property("_version");
  });

  it("property: equals the checking decoder on any mix of present and absent columns", () => {
    const values: Record<string, fc.Arbitrary<unknown>> = {
      name: fc.string(),
      count: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b > 2n ** 53n || b < -(2n ** 53n))),
      big: fc.oneof(fc.constant(["set", []]), fc.integer()),
      ratio: fc.double({ noNaN: true, noDefaultInfinity: true }),
      enabled: fc.oneof(fc.constant(["set", []]), fc.boolean(), fc.boolean().map((b) => ["set", [b]])),
      color: fc.constantFrom(["set", []], "red", ["set", ["green"]]),
      tags: fc.uniqueArray(fc.string(), { maxLength: 4 }).map((xs) => (xs.length === 1 ? xs[0] : ["set", xs])),
      external_ids: fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { maxLength: 4, selector: (p) => p[0] }).map((ps) => ["map", ps]),
      thing: fc.constantFrom(["set", []], ["uuid", U], ["set", [["uuid", V]]]),
    };
    const arbRow = fc.record(values, { requiredKeys: [] });
    fc.assert(
      fc.property(arbRow, fc.boolean(), (wire, withVersion) => {
        const w = (withVersion ? { ...wire, _version: ["uuid", V] } : wire) as WireRow;
        expect(decodeRow(U, w)).to.deep.equal(referenceRow(item, columns, U, w));
      }),
    );
  });

  it("throws the column decoder's VALIDATION_ERROR for a bad value", () => {
    expect(codeOf(() => decodeRow(U, { name: 3 }))).to.equal("VALIDATION_ERROR");
  });

  it("keeps a column named __proto__ as an own property (key-by-key decoder)", () => {
    const dec = compileRowDecoder(["__proto__", "name"], [(w) => w ?? "", (w) => w ?? ""]);
    const row = dec(U, JSON.parse('{"__proto__": "p", "name": "n"}') as WireRow);
    expect(Object.getPrototypeOf(row)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).to.equal("p");
    expect(row.name).to.equal("n");
    expect(Object.isFrozen(row)).to.equal(true);
  });

  it("needs one decoder per column", () => {
    expect(() => compileRowDecoder(["a", "b"], [(w) => w])).to.throw(RangeError);
  });

  it("TableCache decodes every NB table's rows like the checking decoder, with a column selection too", () => {
    const nb = loadNbSchema();
    const lsp = nb.tables.get("Logical_Switch_Port")!;
    const wire: WireRow = {
      name: "p1",
      addresses: ["set", ["0a:58:0a:00:00:01 10.0.0.1", "router"]],
      port_security: "0a:58:0a:00:00:01 10.0.0.1/24",
      external_ids: ["map", [["pod", "ns/p1"]]],
      options: ["map", []],
      tag: 7,
      up: true,
      dhcpv4_options: ["uuid", U],
      _version: ["uuid", V],
    };
    const all = columnsOf(lsp);
    expect(new TableCache(lsp, undefined).decode(U, wire)).to.deep.equal(referenceRow(lsp, all, U, wire));
    const some = ["options", "name", "tag"];
    const row = new TableCache(lsp, some).decode(U, wire);
    expect(Object.keys(row)).to.deep.equal(["_uuid", "_version", ...some]);
    expect(row).to.deep.equal(referenceRow(lsp, some, U, wire));
  });
});
