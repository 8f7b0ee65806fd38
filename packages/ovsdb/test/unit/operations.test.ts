import { expect } from "chai";
import { eq, whereUuid } from "../../src/protocol/conditions.js";
import type { OvsdbError } from "../../src/protocol/errors.js";
import { insertPairs } from "../../src/protocol/mutations.js";
import { NamedUuid, namedUuid, set } from "../../src/protocol/notation.js";
import {
  abortOp,
  assertOp,
  commentOp,
  commitOp,
  deleteOp,
  insertOp,
  mutateOp,
  ops,
  selectOp,
  typedInsertOp,
  typedUpdateOp,
  typedWaitOp,
  updateOp,
  waitOp,
} from "../../src/protocol/operations.js";
import { validateTransaction } from "../../src/protocol/validate.js";
import { codeOf } from "../helpers/errors.js";
import { loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const item = schema.tables.get("Item")!;
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";

describe("operations: wire builders", () => {
  it("build the exact RFC 7047 shapes", () => {
    expect(insertOp("Item", { name: "a" }, { uuidName: "row1" })).to.deep.equal({
      op: "insert",
      table: "Item",
      row: { name: "a" },
      "uuid-name": "row1",
    });
    expect(insertOp("Item", { name: "a" }, { uuid: U1.toUpperCase() })).to.deep.equal({
      op: "insert",
      table: "Item",
      row: { name: "a" },
      uuid: U1,
    });
    expect(selectOp("Item", [eq("name", "a")], ["name", "_uuid"])).to.deep.equal({
      op: "select",
      table: "Item",
      where: [["name", "==", "a"]],
      columns: ["name", "_uuid"],
    });
    expect(selectOp("Item")).to.deep.equal({ op: "select", table: "Item", where: [] });
    expect(updateOp("Item", [whereUuid(U1)], { count: 1 })).to.deep.equal({
      op: "update",
      table: "Item",
      where: [["_uuid", "==", ["uuid", U1]]],
      row: { count: 1 },
    });
    expect(mutateOp("Item", [], [insertPairs("external_ids", { a: "b" })])).to.deep.equal({
      op: "mutate",
      table: "Item",
      where: [],
      mutations: [["external_ids", "insert", ["map", [["a", "b"]]]]],
    });
    expect(deleteOp("Item", [eq("name", "a")])).to.deep.equal({ op: "delete", table: "Item", where: [["name", "==", "a"]] });
    expect(waitOp("Item", [eq("name", "a")], ["name"], "==", [{ name: "a" }], { timeout: 0 })).to.deep.equal({
      op: "wait",
      table: "Item",
      where: [["name", "==", "a"]],
      columns: ["name"],
      until: "==",
      rows: [{ name: "a" }],
      timeout: 0,
    });
    expect(commitOp(true)).to.deep.equal({ op: "commit", durable: true });
    expect(commitOp()).to.deep.equal({ op: "commit", durable: false });
    expect(abortOp()).to.deep.equal({ op: "abort" });
    expect(commentOp("hi")).to.deep.equal({ op: "comment", comment: "hi" });
    expect(assertOp("my_lock")).to.deep.equal({ op: "assert", lock: "my_lock" });
  });

  it("the ops namespace names the same builders", () => {
    expect(ops.insert).to.equal(insertOp);
    expect(ops.delete).to.equal(deleteOp);
    expect(ops.wait).to.equal(waitOp);
    expect(Object.keys(ops)).to.have.members([
      "insert",
      "select",
      "update",
      "mutate",
      "delete",
      "wait",
      "commit",
      "abort",
      "comment",
      "assert",
    ]);
  });

  it("refuse malformed arguments with VALIDATION_ERROR", () => {
    expect(codeOf(() => insertOp("Item", {}, { uuidName: "1bad" }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => insertOp("Item", {}, { uuid: "not-a-uuid" }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => waitOp("Item", [], [], "<" as "==", []))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => waitOp("Item", [], [], "==", [], { timeout: -1 }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => waitOp("Item", [], [], "==", [], { timeout: 1.5 }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => assertOp("no spaces"))).to.equal("VALIDATION_ERROR");
  });
});

describe("operations: schema-aware builders", () => {
  it("typedInsertOp encodes a typed row", () => {
    const op = typedInsertOp(
      item,
      {
        name: "n",
        count: 2n ** 62n,
        tags: ["a", "b"],
        external_ids: new Map([["k", "v"]]),
        thing: namedUuid("t1"),
        color: null,
      },
      { uuidName: "item1" },
    );
    expect(op).to.deep.equal({
      op: "insert",
      table: "Item",
      "uuid-name": "item1",
      row: {
        name: "n",
        count: 2n ** 62n,
        tags: ["set", ["a", "b"]],
        external_ids: ["map", [["k", "v"]]],
        thing: ["named-uuid", "t1"],
        color: ["set", []],
      },
    });
  });

  it("typedInsertOp output validates; a bad typed value is refused before building", () => {
    const t = typedInsertOp(schema.tables.get("Thing")!, { label: "x" }, { uuidName: "t1" });
    const i = typedInsertOp(item, { name: "n", thing: new NamedUuid("t1") });
    expect(() => validateTransaction(schema, [t, i])).to.not.throw();
    expect(codeOf(() => typedInsertOp(item, { tag: 5000 }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => typedInsertOp(item, { color: "purple" }))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => typedInsertOp(item, { nope: 1 }))).to.equal("VALIDATION_ERROR");
  });

  it("typedUpdateOp refuses immutable columns", () => {
    expect(typedUpdateOp(item, [eq("name", "n")], { code: "ab" })).to.deep.equal({
      op: "update",
      table: "Item",
      where: [["name", "==", "n"]],
      row: { code: "ab" },
    });
    const e = (() => {
      try {
        typedUpdateOp(item, [], { frozen: "x" });
      } catch (err) {
        return err as OvsdbError;
      }
      throw new Error("expected a throw");
    })();
    expect(e.code).to.equal("VALIDATION_ERROR");
    expect(e.details.column).to.equal("frozen");
  });

  it("typedWaitOp encodes typed rows", () => {
    expect(typedWaitOp(item, [], ["tags"], "!=", [{ tags: ["x"] }], { timeout: 10 })).to.deep.equal({
      op: "wait",
      table: "Item",
      where: [],
      columns: ["tags"],
      until: "!=",
      rows: [{ tags: ["set", ["x"]] }],
      timeout: 10,
    });
    expect(set(["a"]).toJSON()).to.deep.equal(["set", ["a"]]);
  });
});
