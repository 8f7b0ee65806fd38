import { expect } from "chai";
import {
  condition,
  conditionValueType,
  eq,
  excludes,
  FALSE_CONDITION,
  ge,
  gt,
  includes,
  le,
  lt,
  ne,
  toWire,
  TRUE_CONDITION,
  typedCondition,
  whereUuid,
} from "../../src/protocol/conditions.js";
import { map, namedUuid, set, uuid } from "../../src/protocol/notation.js";
import type { ConditionFunction } from "../../src/protocol/operations.js";
import { parseColumnType } from "../../src/protocol/schema.js";
import { validationError } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const item = loadTestSchema().tables.get("Item")!;
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";

describe("conditions: wire builders", () => {
  it("each helper builds its [column, function, value] tuple", () => {
    expect(eq("a", 1)).to.deep.equal(["a", "==", 1]);
    expect(ne("a", "x")).to.deep.equal(["a", "!=", "x"]);
    expect(lt("a", 1)).to.deep.equal(["a", "<", 1]);
    expect(le("a", 1)).to.deep.equal(["a", "<=", 1]);
    expect(gt("a", 1.5)).to.deep.equal(["a", ">", 1.5]);
    expect(ge("a", 2n ** 63n - 1n)).to.deep.equal(["a", ">=", 2n ** 63n - 1n]);
    expect(includes("tags", ["set", ["x", "y"]])).to.deep.equal(["tags", "includes", ["set", ["x", "y"]]]);
    expect(excludes("m", ["map", [["k", "v"]]])).to.deep.equal(["m", "excludes", ["map", [["k", "v"]]]]);
    expect(TRUE_CONDITION).to.equal(true);
    expect(FALSE_CONDITION).to.equal(false);
  });

  it("encodes notation values (Uuid, NamedUuid, OvsdbSet, OvsdbMap)", () => {
    expect(eq("ref", uuid(U1))).to.deep.equal(["ref", "==", ["uuid", U1]]);
    expect(eq("ref", namedUuid("n1"))).to.deep.equal(["ref", "==", ["named-uuid", "n1"]]);
    expect(includes("refs", set([uuid(U1)]))).to.deep.equal(["refs", "includes", ["set", [["uuid", U1]]]]);
    expect(eq("m", map({ a: "b" }))).to.deep.equal(["m", "==", ["map", [["a", "b"]]]]);
    expect(toWire(["uuid", U1])).to.deep.equal(["uuid", U1]);
  });

  it("whereUuid selects one row by _uuid", () => {
    expect(whereUuid(U1.toUpperCase())).to.deep.equal(["_uuid", "==", ["uuid", U1]]);
    expect(whereUuid(namedUuid("new_row"))).to.deep.equal(["_uuid", "==", ["named-uuid", "new_row"]]);
    validationError(() => whereUuid("nope"));
  });

  it("refuses an unknown function", () => {
    validationError(() => condition("a", "=~" as ConditionFunction, 1));
  });
});

describe("conditions: schema-aware", () => {
  it("value types follow OVS condition.c", () => {
    const intCol = parseColumnType("integer", "t");
    const optReal = parseColumnType({ key: "real", min: 0, max: 1 }, "t");
    const strSet = parseColumnType({ key: "string", min: 1, max: 3 }, "t");
    expect(conditionValueType(intCol, "<")).to.deep.equal(intCol);
    expect(conditionValueType(optReal, ">=")).to.deep.equal({ key: { type: "real" }, min: 1, max: 1 });
    expect(conditionValueType(strSet, "<")).to.be.a("string");
    expect(conditionValueType(parseColumnType("string", "t"), "<")).to.be.a("string");
    expect(conditionValueType(strSet, "==")).to.deep.equal(strSet);
    expect(conditionValueType(strSet, "includes")).to.deep.equal({ ...strSet, min: 0 });
    expect(conditionValueType(strSet, "excludes")).to.deep.equal({ ...strSet, min: 0, max: Infinity });
  });

  it("typedCondition encodes typed values against the column type", () => {
    expect(typedCondition(item, "name", "==", "x")).to.deep.equal(["name", "==", "x"]);
    expect(typedCondition(item, "_uuid", "==", U1)).to.deep.equal(["_uuid", "==", ["uuid", U1]]);
    expect(typedCondition(item, "color", "==", null)).to.deep.equal(["color", "==", ["set", []]]);
    expect(typedCondition(item, "tag", "<", 10)).to.deep.equal(["tag", "<", 10]);
    expect(typedCondition(item, "tags", "includes", ["a"])).to.deep.equal(["tags", "includes", ["set", ["a"]]]);
    expect(typedCondition(item, "numbers", "excludes", [1, 2, 3, 4, 5])).to.deep.equal([
      "numbers",
      "excludes",
      ["set", [1, 2, 3, 4, 5]],
    ]);
    expect(typedCondition(item, "external_ids", "includes", new Map([["k", "v"]]))).to.deep.equal([
      "external_ids",
      "includes",
      ["map", [["k", "v"]]],
    ]);
  });

  it("typedCondition refuses what the server would", () => {
    expect(validationError(() => typedCondition(item, "nope", "==", 1)).details.column).to.equal("nope");
    validationError(() => typedCondition(item, "name", "<", "a"));
    validationError(() => typedCondition(item, "tags", "<", ["a"]));
    validationError(() => typedCondition(item, "color", "==", "purple"));
    validationError(() => typedCondition(item, "numbers", "==", [1, 2, 3, 4]));
    validationError(() => typedCondition(item, "tag", "==", 4096));
  });
});
