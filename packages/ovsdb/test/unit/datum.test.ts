import { expect } from "chai";
import fc from "fast-check";
import {
  INT64_MAX,
  INT64_MIN,
  columnKind,
  decodeDatum,
  decodeRow,
  encodeDatum,
  encodeRow,
  integerIsSafe,
  utf8CharLength,
} from "../../src/protocol/datum.js";
import { NamedUuid, Uuid } from "../../src/protocol/notation.js";
import { parseColumnType, type BaseType, type ColumnType } from "../../src/protocol/schema.js";
import { validationError } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const T = (t: unknown): ColumnType => parseColumnType(t, "t");
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";
const U2 = "b222f872-afdb-482b-80e1-1ffc3165645c";

describe("datum: decodeDatum", () => {
  it("decodes scalars of every atomic type", () => {
    expect(decodeDatum(T("string"), "x")).to.equal("x");
    expect(decodeDatum(T("boolean"), false)).to.equal(false);
    expect(decodeDatum(T("integer"), 7)).to.equal(7);
    expect(decodeDatum(T("real"), 1.5)).to.equal(1.5);
    expect(decodeDatum(T("uuid"), ["uuid", U1.toUpperCase()])).to.equal(U1);
  });

  it("decodes an integer literal in a real column as a number", () => {
    expect(decodeDatum(T("real"), 3)).to.equal(3);
    expect(decodeDatum(T("real"), 2n ** 60n)).to.equal(2 ** 60);
  });

  it("reads DBL_MAX as printed by ovsdb-server (15 digits, overflows to Infinity) back as DBL_MAX", () => {
    expect(decodeDatum(T("real"), JSON.parse("1.79769313486232e+308"))).to.equal(Number.MAX_VALUE);
    expect(decodeDatum(T("real"), JSON.parse("-1.79769313486232e+308"))).to.equal(-Number.MAX_VALUE);
    expect(decodeDatum(T("real"), JSON.parse(JSON.stringify(encodeDatum(T("real"), Number.MAX_VALUE))))).to.equal(
      Number.MAX_VALUE,
    );
    validationError(() => decodeDatum(T("real"), Number.NaN));
  });

  it("keeps int64 extremes exact as bigint and safe values as number", () => {
    expect(decodeDatum(T("integer"), INT64_MAX)).to.equal(INT64_MAX);
    expect(decodeDatum(T("integer"), INT64_MIN)).to.equal(INT64_MIN);
    expect(decodeDatum(T("integer"), 5n)).to.equal(5);
    expect(decodeDatum(T("integer"), Number.MAX_SAFE_INTEGER)).to.equal(Number.MAX_SAFE_INTEGER);
    validationError(() => decodeDatum(T("integer"), INT64_MAX + 1n));
    validationError(() => decodeDatum(T("integer"), 1.5));
  });

  it("optional: empty set is null, a bare atom or 1-element set is the value", () => {
    const t = T({ key: "string", min: 0, max: 1 });
    expect(decodeDatum(t, ["set", []])).to.equal(null);
    expect(decodeDatum(t, "a")).to.equal("a");
    expect(decodeDatum(t, ["set", ["a"]])).to.equal("a");
    validationError(() => decodeDatum(t, ["set", ["a", "b"]]));
  });

  it("set: bare atom is a 1-element set, empty set is []", () => {
    const t = T({ key: { type: "uuid", refTable: "X" }, min: 0, max: "unlimited" });
    expect(decodeDatum(t, ["uuid", U1])).to.deep.equal([U1]);
    expect(decodeDatum(t, ["set", []])).to.deep.equal([]);
    expect(decodeDatum(t, ["set", [["uuid", U1], ["uuid", U2]]])).to.deep.equal([U1, U2]);
    validationError(() => decodeDatum(t, ["set", [["uuid", U1], ["uuid", U1.toUpperCase()]]]));
  });

  it("scalar accepts a 1-element set but not an empty one", () => {
    expect(decodeDatum(T("string"), ["set", ["a"]])).to.equal("a");
    validationError(() => decodeDatum(T("string"), ["set", []]));
  });

  it("maps always arrive as ['map', ...] with unique keys", () => {
    const t = T({ key: "string", value: "string", min: 0, max: "unlimited" });
    expect(decodeDatum(t, ["map", [["a", "1"], ["b", "2"]]])).to.deep.equal(
      new Map([
        ["a", "1"],
        ["b", "2"],
      ]),
    );
    expect(decodeDatum(t, ["map", []])).to.deep.equal(new Map());
    validationError(() => decodeDatum(t, ["set", []]));
    validationError(() => decodeDatum(t, ["map", [["a", "1"], ["a", "2"]]]));
    validationError(() => decodeDatum(t, ["map", [["a"]]]));
  });

  it("decodes a named-uuid (as written in requests) to a NamedUuid", () => {
    const v = decodeDatum(T("uuid"), ["named-uuid", "row1"]);
    expect(v).to.be.instanceOf(NamedUuid);
    expect((v as NamedUuid).name).to.equal("row1");
  });

  it("checks enum, integer and real ranges, string length in characters, set size", () => {
    const color = T({ key: { type: "string", enum: ["set", ["red", "green"]] } });
    expect(decodeDatum(color, "red")).to.equal("red");
    const e = validationError(() => decodeDatum(color, "blue"));
    expect(e.details.got).to.equal('"blue"');
    validationError(() => decodeDatum(T({ key: { type: "integer", minInteger: 0, maxInteger: 4095 } }), 4096));
    validationError(() => decodeDatum(T({ key: { type: "integer", minInteger: 0, maxInteger: 4095 } }), -1));
    validationError(() => decodeDatum(T({ key: { type: "real", minReal: -1.5, maxReal: 1.5 } }), 1.6));
    const code = T({ key: { type: "string", minLength: 2, maxLength: 4 } });
    expect(decodeDatum(code, "😀😀😀😀")).to.equal("😀😀😀😀"); // 4 characters, 16 UTF-8 bytes
    validationError(() => decodeDatum(code, "😀😀😀😀😀"));
    validationError(() => decodeDatum(code, "é"));
    validationError(() => decodeDatum(T({ key: "integer", min: 0, max: 3 }), ["set", [1, 2, 3, 4]]));
    validationError(() => decodeDatum(T({ key: "integer", min: 1, max: 3 }), ["set", []]));
  });

  it("rejects wrong atom types with column details", () => {
    const e = validationError(() => decodeDatum(T("string"), 5, { table: "Item", column: "name" }));
    expect(e.details).to.include({ column: "name", table: "Item", expected: "a string", got: "5" });
    validationError(() => decodeDatum(T("uuid"), "not-a-uuid"));
    validationError(() => decodeDatum(T("uuid"), ["uuid", "zzz"]));
    validationError(() => decodeDatum(T("boolean"), "true"));
    validationError(() => decodeDatum(T("real"), "1.0"));
  });
});

describe("datum: encodeDatum", () => {
  it("encodes scalars, optional, sets and maps", () => {
    expect(encodeDatum(T("string"), "x")).to.equal("x");
    expect(encodeDatum(T("uuid"), U1.toUpperCase())).to.deep.equal(["uuid", U1]);
    expect(encodeDatum(T("uuid"), new Uuid(U1))).to.deep.equal(["uuid", U1]);
    expect(encodeDatum(T("uuid"), new NamedUuid("n1"))).to.deep.equal(["named-uuid", "n1"]);
    const opt = T({ key: "integer", min: 0, max: 1 });
    expect(encodeDatum(opt, null)).to.deep.equal(["set", []]);
    expect(encodeDatum(opt, 3)).to.equal(3);
    expect(encodeDatum(T({ key: "string", min: 0, max: "unlimited" }), ["a"])).to.deep.equal(["set", ["a"]]);
    const m = T({ key: "string", value: "string", min: 0, max: "unlimited" });
    expect(encodeDatum(m, new Map([["k", "v"]]))).to.deep.equal(["map", [["k", "v"]]]);
    expect(encodeDatum(m, { k: "v" })).to.deep.equal(["map", [["k", "v"]]]);
  });

  it("writes unsafe integers as exact bigint and safe bigints as numbers", () => {
    expect(encodeDatum(T("integer"), INT64_MIN)).to.equal(INT64_MIN);
    expect(encodeDatum(T("integer"), 12n)).to.equal(12);
    expect(encodeDatum(T("integer"), 2 ** 60)).to.equal(2n ** 60n);
    validationError(() => encodeDatum(T("integer"), INT64_MAX + 1n));
    validationError(() => encodeDatum(T("integer"), 0.5));
  });

  it("validates like the decoder", () => {
    validationError(() => encodeDatum(T("string"), null));
    validationError(() => encodeDatum(T("real"), Number.NaN));
    validationError(() => encodeDatum(T("real"), Infinity));
    validationError(() => encodeDatum(T({ key: "string", min: 0, max: "unlimited" }), "a"));
    validationError(() => encodeDatum(T({ key: "string", min: 0, max: "unlimited" }), ["a", "a"]));
    validationError(() => encodeDatum(T({ key: "integer", value: "string", min: 0, max: "unlimited" }), { 1: "a" }));
    validationError(() => encodeDatum(T({ key: "integer", value: "string", min: 0, max: "unlimited" }), new Map<number | bigint, string>([[1n, "a"], [1, "b"]])));
    validationError(() => encodeDatum(T({ key: { type: "string", enum: "only" } }), "other"));
    validationError(() => encodeDatum(T("uuid"), "nope"));
  });

  it("column kinds and safe integer ranges", () => {
    expect(columnKind(T("string"))).to.equal("scalar");
    expect(columnKind(T({ key: "string", min: 0, max: 1 }))).to.equal("optional");
    expect(columnKind(T({ key: "string", min: 1, max: 2 }))).to.equal("set");
    expect(columnKind(T({ key: "string", value: "integer", min: 0, max: 1 }))).to.equal("map");
    expect(integerIsSafe({ type: "integer", minInteger: 0, maxInteger: 4095 })).to.equal(true);
    expect(integerIsSafe({ type: "integer" })).to.equal(false);
    expect(utf8CharLength("a😀é")).to.equal(3);
  });
});

describe("datum: rows", () => {
  const schema = loadTestSchema();
  const item = schema.tables.get("Item")!;

  it("decodes a wire row with _uuid and _version", () => {
    const row = decodeRow(item, {
      _uuid: ["uuid", U1],
      _version: ["uuid", U2],
      name: "n",
      tags: "t",
      external_ids: ["map", [["a", "b"]]],
      color: ["set", []],
    });
    expect(row).to.deep.equal({
      _uuid: U1,
      _version: U2,
      name: "n",
      tags: ["t"],
      external_ids: new Map([["a", "b"]]),
      color: null,
    });
  });

  it("diff mode (update2/update3 modify): set/map sizes relaxed, max=1 columns carry the new value", () => {
    const wire = { numbers: ["set", [1, 2, 3, 4]], color: "green", big: ["set", []], external_ids: ["map", [["a", "b"]]] };
    expect(decodeRow(item, wire, { diff: true })).to.deep.equal({
      numbers: [1, 2, 3, 4],
      color: "green",
      big: null,
      external_ids: new Map([["a", "b"]]),
    });
    validationError(() => decodeRow(item, wire));
    // still typed: a toggled element of the wrong type is refused
    validationError(() => decodeRow(item, { numbers: ["set", ["x"]] }, { diff: true }));
  });

  it("rejects unknown columns unless told to ignore them", () => {
    const e = validationError(() => decodeRow(item, { nope: 1 }));
    expect(e.details.column).to.equal("nope");
    expect(decodeRow(item, { nope: 1, name: "x" }, { unknownColumns: "ignore" })).to.deep.equal({ name: "x" });
  });

  it("encodes a partial row and skips _uuid/_version/undefined", () => {
    expect(encodeRow(item, { _uuid: U1, name: "n", tag: null, count: undefined }, { partial: true })).to.deep.equal({
      name: "n",
      tag: ["set", []],
    });
  });

  it("requires a complete row unless partial", () => {
    const e = validationError(() => encodeRow(item, { name: "n" }));
    expect(e.details.column).to.be.a("string");
    const part = schema.tables.get("Part")!;
    expect(encodeRow(part, { n: 1 })).to.deep.equal({ n: 1 });
    validationError(() => encodeRow(part, { n: 1, extra: 2 }));
  });
});

// ---- property tests: encode/decode round trip for random values of random column types ----

const INT64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
const typedInt = INT64.map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b));
const typedIntExtremes = fc.oneof(
  typedInt,
  fc.constantFrom<number | bigint>(INT64_MIN, INT64_MAX, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0, -1),
);
const real = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, 0, -0.5, 1e-300),
);

interface Gen {
  base: BaseType;
  atom: fc.Arbitrary<unknown>;
}
const atomicGens: Gen[] = [
  { base: { type: "integer" }, atom: typedIntExtremes },
  { base: { type: "integer", minInteger: -5, maxInteger: 100 }, atom: fc.integer({ min: -5, max: 100 }) },
  { base: { type: "real" }, atom: real },
  { base: { type: "boolean" }, atom: fc.boolean() },
  { base: { type: "string" }, atom: fc.string({ unit: "binary" }) },
  { base: { type: "string", minLength: 1, maxLength: 3 }, atom: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 3 }) },
  { base: { type: "string", enum: ["a", "b", "c"] }, atom: fc.constantFrom("a", "b", "c") },
  { base: { type: "uuid", refTable: "X" }, atom: fc.uuid().map((u) => u.toLowerCase()) },
];
const gen = fc.constantFrom(...atomicGens);

const columnAndValue: fc.Arbitrary<[ColumnType, unknown]> = fc
  .tuple(gen, gen, fc.constantFrom("scalar", "optional", "set", "map"), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 6 }))
  .chain(([k, v, kind, min, maxN]) => {
    const max = maxN === 6 ? Infinity : Math.max(maxN, 2);
    const uniq = (arb: fc.Arbitrary<unknown>) =>
      fc.uniqueArray(arb, {
        minLength: min,
        maxLength: max === Infinity ? 5 : max,
        selector: (x) => (typeof x === "bigint" || typeof x === "number" ? String(x) : x),
        comparator: "SameValueZero",
      });
    switch (kind) {
      case "scalar":
        return k.atom.map((a): [ColumnType, unknown] => [{ key: k.base, min: 1, max: 1 }, a]);
      case "optional":
        return fc.option(k.atom, { nil: null }).map((a): [ColumnType, unknown] => [{ key: k.base, min: 0, max: 1 }, a]);
      case "set":
        return uniq(k.atom).map((a): [ColumnType, unknown] => [{ key: k.base, min, max }, a]);
      default:
        return fc
          .tuple(uniq(k.atom), fc.array(v.atom, { minLength: 5, maxLength: 5 }))
          .map(([keys, vals]): [ColumnType, unknown] => [
            { key: k.base, value: v.base, min, max },
            new Map(keys.map((key, i) => [key, vals[i]])),
          ]);
    }
  });

describe("datum: property round trips", () => {
  it("decode(encode(v)) == v for random column types and values", () => {
    fc.assert(
      fc.property(columnAndValue, ([type, value]) => {
        const wire = encodeDatum(type, value);
        expect(decodeDatum(type, wire)).to.deep.equal(value);
      }),
      { numRuns: 500 },
    );
  });

  it("writes int64 as the exact integer literal and reads it back exactly", () => {
    fc.assert(
      fc.property(INT64, (b) => {
        const wire = encodeDatum(T("integer"), b);
        const text = JSON.stringify(wire, (_k, x: unknown) => (typeof x === "bigint" ? `@@${x}@@` : x)).replace(
          /"@@(-?\d+)@@"/g,
          "$1",
        );
        expect(text).to.equal(b.toString());
        // the JSON layer hands integers outside the safe range over as bigint
        const fromJson = Number.isSafeInteger(Number(text)) ? Number(text) : BigInt(text);
        expect(BigInt(decodeDatum(T("integer"), fromJson) as number | bigint)).to.equal(b);
      }),
    );
  });

  it("reals survive the JSON text round trip exactly (DBL_MAX, DBL_MIN, denormals)", () => {
    fc.assert(
      fc.property(real, (r) => {
        const back = decodeDatum(T("real"), JSON.parse(JSON.stringify(encodeDatum(T("real"), r))));
        expect(back === r || (r === 0 && back === 0)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a bare 1-element set and ['set', [x]] decode the same", () => {
    fc.assert(
      fc.property(gen.chain((g) => fc.tuple(fc.constant(g), g.atom)), ([g, a]) => {
        const type: ColumnType = { key: g.base, min: 0, max: Infinity };
        const wire = encodeDatum(type, [a]) as ["set", unknown[]];
        expect(decodeDatum(type, wire[1][0])).to.deep.equal(decodeDatum(type, wire));
      }),
    );
  });

  it("encode rejects what decode rejects (out-of-range integers)", () => {
    const base: BaseType = { type: "integer", minInteger: 0, maxInteger: 4095 };
    fc.assert(
      fc.property(fc.integer().filter((n) => n < 0 || n > 4095), (n) => {
        validationError(() => encodeDatum({ key: base, min: 1, max: 1 }, n));
        validationError(() => decodeDatum({ key: base, min: 1, max: 1 }, n));
      }),
    );
  });
});
