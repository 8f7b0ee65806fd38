import { expect } from "chai";
import fc from "fast-check";
import type { OvsdbError } from "../../src/protocol/errors.js";
import type { Operation } from "../../src/protocol/operations.js";
import { validateOperation, validateTransaction } from "../../src/protocol/validate.js";
import { validationError } from "../helpers/errors.js";
import { loadRecordedNbSchema, loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const nb = loadRecordedNbSchema();
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";

const bad = (op: unknown, index = 0): OvsdbError => validationError(() => validateOperation(schema, op as Operation, index));
const ok = (op: unknown): void => validateOperation(schema, op as Operation);

describe("validate: well-formed operations pass", () => {
  it("every operation kind", () => {
    ok({
      op: "insert",
      table: "Item",
      "uuid-name": "i1",
      uuid: U1,
      row: {
        name: "n",
        count: -(2n ** 63n),
        big: ["set", []],
        ratio: 1,
        enabled: true,
        color: "red",
        tag: 4095,
        score: -1.5,
        code: "ab",
        tags: ["set", ["a", "b"]],
        numbers: 3,
        external_ids: ["map", [["k", "v"]]],
        int_map: ["map", [[65535, "x"]]],
        thing: ["named-uuid", "t1"],
        ref_uuid: ["uuid", U1],
        frozen: "set-once",
        scratch: "s",
      },
    });
    ok({ op: "select", table: "Item", where: [["_uuid", "==", ["uuid", U1]], true], columns: ["_uuid", "_version", "name"] });
    ok({ op: "update", table: "Item", where: [["tag", ">=", 1], ["tags", "includes", "a"]], row: { tags: ["set", []] } });
    ok({
      op: "mutate",
      table: "Item",
      where: [["external_ids", "excludes", ["map", [["a", "b"]]]]],
      mutations: [
        ["count", "+=", 1],
        ["tag", "*=", 100000],
        ["ratio", "/=", 2],
        ["numbers", "%=", 2],
        ["tags", "insert", ["set", ["x"]]],
        ["external_ids", "delete", ["set", ["a", "b"]]],
        ["external_ids", "delete", ["map", [["a", "b"]]]],
        ["int_map", "insert", ["map", [[1, "one"]]]],
      ],
    });
    ok({ op: "delete", table: "Item", where: [false] });
    ok({ op: "wait", table: "Item", where: [], until: "!=", rows: [{ name: "x", _uuid: ["uuid", U1] }], timeout: 0 });
    ok({ op: "wait", table: "Item", where: [], columns: ["name"], until: "==", rows: [] });
    ok({ op: "commit", durable: false });
    ok({ op: "abort" });
    ok({ op: "comment", comment: "hello" });
    ok({ op: "assert", lock: "lock_1" });
  });

  it("a transaction may refer to a uuid-name before the insert that declares it", () => {
    validateTransaction(schema, [
      { op: "insert", table: "Root", row: { name: "r", things: ["named-uuid", "t1"] } },
      { op: "insert", table: "Thing", row: { label: "l" }, "uuid-name": "t1" },
    ]);
  });

  it("NB schema: ovn-nbctl style operations", () => {
    validateTransaction(nb, [
      {
        op: "insert",
        table: "Logical_Switch_Port",
        "uuid-name": "lsp",
        row: { name: "vm1", options: ["map", [["requested-chassis", "hv1,hv2"], ["activation-strategy", "rarp"]]] },
      },
      {
        op: "mutate",
        table: "Logical_Switch",
        where: [["name", "==", "ls0"]],
        mutations: [["ports", "insert", ["set", [["named-uuid", "lsp"]]]]],
      },
    ]);
  });
});

describe("validate: malformed operations are refused before sending", () => {
  it("shape: not an object, unknown op, missing and extra members", () => {
    bad("insert");
    bad({ op: "upsert", table: "Item" });
    bad({ op: "insert", table: "Item" });
    bad({ op: "select", table: "Item", where: [], bogus: 1 });
    bad({ op: "commit" });
    bad({ op: "commit", durable: "yes" });
    bad({ op: "comment", comment: 5 });
    bad({ op: "assert", lock: "not an id" });
  });

  it("details name the op index, op, table and column", () => {
    const e = bad({ op: "update", table: "Item", where: [], row: { tag: 5000 } }, 7);
    expect(e.details).to.include({ index: 7, op: "update", table: "Item", column: "tag" });
    expect(e.message).to.contain("operation 7");
  });

  it("unknown table and columns", () => {
    expect(bad({ op: "delete", table: "Nope", where: [] }).details.table).to.equal("Nope");
    expect(bad({ op: "insert", table: "Item", row: { nope: 1 } }).details.column).to.equal("nope");
    bad({ op: "select", table: "Item", where: [["nope", "==", 1]] });
    bad({ op: "select", table: "Item", where: [], columns: ["nope"] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["nope", "+=", 1]] });
    bad({ op: "wait", table: "Item", where: [], columns: ["nope"], until: "==", rows: [] });
  });

  it("value type, enum, range, length, set size, map keys", () => {
    bad({ op: "insert", table: "Item", row: { name: 5 } });
    bad({ op: "insert", table: "Item", row: { count: 1.5 } });
    bad({ op: "insert", table: "Item", row: { count: 2n ** 63n } });
    bad({ op: "insert", table: "Item", row: { color: "purple" } });
    bad({ op: "insert", table: "Item", row: { tag: -1 } });
    bad({ op: "insert", table: "Item", row: { score: 2 } });
    bad({ op: "insert", table: "Item", row: { code: "abcde" } });
    bad({ op: "insert", table: "Item", row: { numbers: ["set", [1, 2, 3, 4]] } });
    bad({ op: "insert", table: "Item", row: { tags: ["set", ["a", "a"]] } });
    bad({ op: "insert", table: "Item", row: { external_ids: ["map", [["a", "1"], ["a", "2"]]] } });
    bad({ op: "insert", table: "Item", row: { external_ids: ["set", []] } });
    bad({ op: "insert", table: "Item", row: { thing: U1 } });
    bad({ op: "insert", table: "Item", row: { name: "n" }, "uuid-name": "has-dash" });
    bad({ op: "insert", table: "Item", row: { name: "n" }, uuid: "xyz" });
  });

  it("immutable and implicit columns cannot be written", () => {
    bad({ op: "update", table: "Item", where: [], row: { frozen: "x" } });
    bad({ op: "update", table: "Item", where: [], row: { _version: ["uuid", U1] } });
    bad({ op: "insert", table: "Item", row: { _uuid: ["uuid", U1] } });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["frozen", "insert", "x"]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["_uuid", "insert", ["uuid", U1]]] });
  });

  it("mutators apply only to the column types OVS allows", () => {
    bad({ op: "mutate", table: "Item", where: [], mutations: [["name", "+=", "x"]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["ratio", "%=", 2]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["count", "insert", 1]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["external_ids", "+=", 1]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["count", "+=", ["set", [1, 2]]]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["count", "^=", 1]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["count", "+="]] });
    bad({ op: "mutate", table: "Item", where: [], mutations: [["numbers", "insert", ["set", [1, 2, 3, 4]]]] });
  });

  it("conditions: functions apply only to the column types OVS allows", () => {
    bad({ op: "select", table: "Item", where: [["name", "<", "a"]] });
    bad({ op: "select", table: "Item", where: [["tags", ">", "a"]] });
    bad({ op: "select", table: "Item", where: [["tag", "<", ["set", []]]] });
    bad({ op: "select", table: "Item", where: [["name", "=~", "a"]] });
    bad({ op: "select", table: "Item", where: [["name", "=="]] });
    bad({ op: "select", table: "Item", where: "all" });
  });

  it("wait: until, rows, timeout", () => {
    bad({ op: "wait", table: "Item", where: [], until: "<", rows: [] });
    bad({ op: "wait", table: "Item", where: [], until: "==", rows: {} });
    bad({ op: "wait", table: "Item", where: [], until: "==", rows: [{ tag: 99999 }] });
    bad({ op: "wait", table: "Item", where: [], until: "==", rows: [], timeout: -1 });
  });

  it("transaction: duplicate uuid-name, undeclared named-uuid", () => {
    const dup = validationError(() =>
      validateTransaction(schema, [
        { op: "insert", table: "Thing", row: { label: "a" }, "uuid-name": "t" },
        { op: "insert", table: "Thing", row: { label: "b" }, "uuid-name": "t" },
      ]),
    );
    expect(dup.details.index).to.equal(1);
    const undeclared = validationError(() =>
      validateTransaction(schema, [
        { op: "comment", comment: "x" },
        { op: "update", table: "Root", where: [], row: { things: ["named-uuid", "ghost"] } },
      ]),
    );
    expect(undeclared.details).to.include({ index: 1, got: "ghost" });
    // the failing op is reported by index even when it is not the first
    const second = validationError(() =>
      validateTransaction(schema, [{ op: "abort" }, { op: "insert", table: "Item", row: { tag: "x" } }]),
    );
    expect(second.details.index).to.equal(1);
  });

  it("property: a range-checked integer column accepts exactly its range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 10_000 }), (n) => {
        const op = { op: "update", table: "Item", where: [], row: { tag: n } };
        if (n >= 0 && n <= 4095) ok(op);
        else bad(op);
      }),
    );
  });
});
