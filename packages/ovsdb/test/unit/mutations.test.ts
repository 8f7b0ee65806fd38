import { expect } from "chai";
import {
  deleteElements,
  deleteKeys,
  deletePairs,
  insertElements,
  insertPairs,
  mutateAdd,
  mutateDelete,
  mutateDiv,
  mutateInsert,
  mutateMod,
  mutateMul,
  mutateSub,
  mutation,
  mutations,
  mutationValueType,
  typedMutation,
} from "../../src/protocol/mutations.js";
import { namedUuid, set, uuid } from "../../src/protocol/notation.js";
import type { Mutator } from "../../src/protocol/operations.js";
import { parseColumnType } from "../../src/protocol/schema.js";
import { validationError } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const item = schema.tables.get("Item")!;
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";

describe("mutations: wire builders", () => {
  it("arithmetic and set/map mutators", () => {
    expect(mutateAdd("n", 1)).to.deep.equal(["n", "+=", 1]);
    expect(mutateSub("n", 1)).to.deep.equal(["n", "-=", 1]);
    expect(mutateMul("n", 2)).to.deep.equal(["n", "*=", 2]);
    expect(mutateDiv("n", 2)).to.deep.equal(["n", "/=", 2]);
    expect(mutateMod("n", 3)).to.deep.equal(["n", "%=", 3]);
    expect(mutateInsert("s", set(["a"]))).to.deep.equal(["s", "insert", ["set", ["a"]]]);
    expect(mutateDelete("s", "a")).to.deep.equal(["s", "delete", "a"]);
    expect(mutations.delete).to.equal(mutateDelete);
    expect(mutations.add).to.equal(mutateAdd);
  });

  it("set elements, map pairs, map keys", () => {
    expect(insertElements("ports", [uuid(U1), namedUuid("p")])).to.deep.equal([
      "ports",
      "insert",
      ["set", [["uuid", U1], ["named-uuid", "p"]]],
    ]);
    expect(deleteElements("tags", ["a", "b"])).to.deep.equal(["tags", "delete", ["set", ["a", "b"]]]);
    expect(insertPairs("external_ids", { a: "1" })).to.deep.equal(["external_ids", "insert", ["map", [["a", "1"]]]]);
    expect(insertPairs("int_map", new Map([[1, "x"]]))).to.deep.equal(["int_map", "insert", ["map", [[1, "x"]]]]);
    expect(deletePairs("external_ids", [["a", "1"]])).to.deep.equal(["external_ids", "delete", ["map", [["a", "1"]]]]);
    expect(deleteKeys("external_ids", ["a", "b"])).to.deep.equal(["external_ids", "delete", ["set", ["a", "b"]]]);
  });

  it("refuses an unknown mutator", () => {
    validationError(() => mutation("n", "^=" as Mutator, 1));
  });
});

describe("mutations: schema-aware", () => {
  it("value types follow OVS mutation.c", () => {
    const int = parseColumnType({ key: { type: "integer", minInteger: 0, maxInteger: 10 } }, "t");
    const realSet = parseColumnType({ key: "real", min: 0, max: 3 }, "t");
    const strMap = parseColumnType({ key: "string", value: "string", min: 1, max: 2 }, "t");
    expect(mutationValueType(int, "+=")).to.deep.equal({ key: { type: "integer" }, min: 1, max: 1 });
    expect(mutationValueType(realSet, "*=")).to.deep.equal({ key: { type: "real" }, min: 1, max: 1 });
    expect(mutationValueType(realSet, "%=")).to.be.a("string");
    expect(mutationValueType(strMap, "+=")).to.be.a("string");
    expect(mutationValueType(parseColumnType("string", "t"), "+=")).to.be.a("string");
    expect(mutationValueType(int, "insert")).to.be.a("string");
    expect(mutationValueType(strMap, "insert")).to.deep.equal({ ...strMap, min: 0 });
    expect(mutationValueType(strMap, "delete")).to.deep.equal({ ...strMap, min: 0, max: Infinity });
    expect(mutationValueType(strMap, "delete", true)).to.deep.equal({ key: strMap.key, min: 0, max: Infinity });
  });

  it("typedMutation encodes typed values", () => {
    expect(typedMutation(item, "count", "+=", 5)).to.deep.equal(["count", "+=", 5]);
    // arithmetic arguments are not bound by the column's range (the result is checked by the server)
    expect(typedMutation(item, "tag", "+=", 10_000)).to.deep.equal(["tag", "+=", 10_000]);
    expect(typedMutation(item, "count", "*=", 2n ** 62n)).to.deep.equal(["count", "*=", 2n ** 62n]);
    expect(typedMutation(item, "ratio", "/=", 2)).to.deep.equal(["ratio", "/=", 2]);
    expect(typedMutation(item, "numbers", "+=", 1)).to.deep.equal(["numbers", "+=", 1]);
    expect(typedMutation(item, "tags", "insert", ["a", "b"])).to.deep.equal(["tags", "insert", ["set", ["a", "b"]]]);
    expect(typedMutation(item, "tags", "delete", new Set(["a"]))).to.deep.equal(["tags", "delete", ["set", ["a"]]]);
    expect(typedMutation(item, "external_ids", "insert", new Map([["k", "v"]]))).to.deep.equal([
      "external_ids",
      "insert",
      ["map", [["k", "v"]]],
    ]);
    expect(typedMutation(item, "external_ids", "delete", ["k"])).to.deep.equal(["external_ids", "delete", ["set", ["k"]]]);
    expect(typedMutation(item, "external_ids", "delete", new Map([["k", "v"]]))).to.deep.equal([
      "external_ids",
      "delete",
      ["map", [["k", "v"]]],
    ]);
    expect(typedMutation(item, "int_map", "delete", [1, 2])).to.deep.equal(["int_map", "delete", ["set", [1, 2]]]);
  });

  it("typedMutation refuses what the server would", () => {
    validationError(() => typedMutation(item, "name", "+=", 1));
    validationError(() => typedMutation(item, "ratio", "%=", 2));
    validationError(() => typedMutation(item, "count", "insert", [1]));
    validationError(() => typedMutation(item, "external_ids", "+=", 1));
    validationError(() => typedMutation(item, "count", "+=", 1.5));
    validationError(() => typedMutation(item, "numbers", "insert", [1, 2, 3, 4]));
    validationError(() => typedMutation(item, "int_map", "insert", new Map([[70000, "x"]])));
    expect(validationError(() => typedMutation(item, "frozen", "insert", ["x"])).details.column).to.equal("frozen");
    expect(validationError(() => typedMutation(item, "nope", "+=", 1)).details.column).to.equal("nope");
  });
});
