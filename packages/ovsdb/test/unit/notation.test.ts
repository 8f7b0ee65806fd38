import { expect } from "chai";
import fc from "fast-check";
import {
  NamedUuid,
  OvsdbMap,
  OvsdbSet,
  Uuid,
  decodeAtom,
  decodeValue,
  encodeAtom,
  encodeValue,
  isId,
  isUuidString,
  map,
  namedUuid,
  safeJson,
  set,
  uuid,
  type Value,
} from "../../src/protocol/notation.js";
import { validationError } from "../helpers/errors.js";

const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";

describe("notation: atoms", () => {
  it("uuid and named-uuid", () => {
    expect(isUuidString(U1)).to.equal(true);
    expect(isUuidString(U1.toUpperCase())).to.equal(true);
    expect(isUuidString(`${U1}0`)).to.equal(false);
    expect(uuid(U1.toUpperCase()).value).to.equal(U1);
    expect(uuid(U1).toJSON()).to.deep.equal(["uuid", U1]);
    expect(String(uuid(U1))).to.equal(U1);
    expect(namedUuid("row_1").toJSON()).to.deep.equal(["named-uuid", "row_1"]);
    expect(isId("_a1")).to.equal(true);
    expect(isId("1a")).to.equal(false);
    expect(isId("a-b")).to.equal(false);
    expect(validationError(() => uuid("nope")).details.expected).to.equal("a uuid");
    validationError(() => namedUuid("no-dash"));
  });

  it("encodes and decodes atoms without a schema", () => {
    expect(encodeAtom(uuid(U1))).to.deep.equal(["uuid", U1]);
    expect(encodeAtom(5n)).to.equal(5n);
    expect(decodeAtom(["uuid", U1])).to.be.instanceOf(Uuid);
    expect(decodeAtom(["named-uuid", "x"])).to.be.instanceOf(NamedUuid);
    expect(decodeAtom(2n ** 63n - 1n)).to.equal(2n ** 63n - 1n);
    expect(decodeAtom("s")).to.equal("s");
    expect(decodeAtom(false)).to.equal(false);
    validationError(() => decodeAtom(null));
    validationError(() => decodeAtom({}));
    validationError(() => decodeAtom(["uuid", "bad"]));
    validationError(() => decodeAtom(["set", []]));
  });
});

describe("notation: sets and maps", () => {
  it("set/map wire forms", () => {
    expect(set(["a", "b"]).toJSON()).to.deep.equal(["set", ["a", "b"]]);
    expect(set([uuid(U1)]).toJSON()).to.deep.equal(["set", [["uuid", U1]]]);
    expect(map({ k: "v" }).toJSON()).to.deep.equal(["map", [["k", "v"]]]);
    expect(map([[1, uuid(U1)]]).toJSON()).to.deep.equal(["map", [[1, ["uuid", U1]]]]);
    expect(encodeValue(set([]))).to.deep.equal(["set", []]);
    expect(JSON.stringify({ v: set([1]) })).to.equal('{"v":["set",[1]]}');
  });

  it("decodes sets, maps and bare atoms", () => {
    const s = decodeValue(["set", ["a", ["uuid", U1]]]);
    expect(s).to.be.instanceOf(OvsdbSet);
    expect((s as OvsdbSet).items[1]).to.be.instanceOf(Uuid);
    const m = decodeValue(["map", [["k", "v"]]]) as OvsdbMap;
    expect(m).to.be.instanceOf(OvsdbMap);
    expect(m.entries.get("k")).to.equal("v");
    expect(decodeValue("bare")).to.equal("bare");
    validationError(() => decodeValue(["map", [["k"]]]));
    validationError(() => decodeValue(["map", ["k"]]));
  });

  it("safeJson prints bigint and truncates long values", () => {
    expect(safeJson(1n)).to.equal('"1"');
    expect(safeJson("x".repeat(500)).length).to.be.lessThan(220);
    expect(safeJson(undefined)).to.equal("undefined");
  });

  it("property: decodeValue(encodeValue(v)) round-trips", () => {
    const atom: fc.Arbitrary<string | number | bigint | boolean | Uuid> = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.boolean(),
      fc.uuid().map((u) => new Uuid(u)),
    );
    const value: fc.Arbitrary<Value> = fc.oneof(
      atom,
      fc.array(atom).map((a) => set(a)),
      fc.uniqueArray(fc.string()).chain((keys) =>
        fc.array(atom, { minLength: keys.length, maxLength: keys.length }).map((vals) => map(keys.map((k, i) => [k, vals[i]!] as const))),
      ),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeValue(encodeValue(v))).to.deep.equal(v);
      }),
    );
  });
});
