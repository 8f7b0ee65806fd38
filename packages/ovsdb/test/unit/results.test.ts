import { expect } from "chai";
import { OvsdbError } from "../../src/protocol/errors.js";
import type { Operation } from "../../src/protocol/operations.js";
import { checkTransactResult, insertedUuid } from "../../src/protocol/results.js";
import { RpcError, rpcErrorFrom } from "../../src/protocol/rpc-error.js";
import {
  TRANSACTION_ERROR_KINDS,
  TransactionError,
  transactionErrorKind,
} from "../../src/protocol/transaction-error.js";

const U = "ef56cda3-501e-4411-999f-486fbeabe526";
const insert: Operation = { op: "insert", table: "Logical_Switch", row: { name: "a" }, "uuid-name": "ls" };
const select: Operation = { op: "select", table: "Logical_Switch", where: [] };
const update: Operation = { op: "update", table: "Logical_Switch", where: [], row: { name: "b" } };
const comment: Operation = { op: "comment", comment: "x" };

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("results: checkTransactResult", () => {
  it("returns typed results for a successful transaction", () => {
    const r = checkTransactResult(
      [insert, select, update, comment],
      [{ uuid: ["uuid", U] }, { rows: [{ name: "a" }] }, { count: 2 }, {}],
    );
    expect(r).to.have.length(4);
    expect(insertedUuid(r[0]!)).to.equal(U);
    expect(r[1]!.rows).to.deep.equal([{ name: "a" }]);
    expect(r[2]!.count).to.equal(2);
    expect(r[3]).to.deep.equal({});
  });

  it("accepts an empty transaction", () => {
    expect(checkTransactResult([], [])).to.deep.equal([]);
  });

  it("throws the first operation error; later nulls are not executed ops", () => {
    const e = thrown(() =>
      checkTransactResult(
        [insert, update, comment],
        [{ uuid: ["uuid", U] }, { error: "constraint violation", details: "Cannot update immutable column" }, null],
      ),
    );
    expect(e).to.be.instanceOf(TransactionError);
    const t = e as TransactionError;
    expect(t.code).to.equal("TRANSACTION_ERROR");
    expect(t.kind).to.equal("constraint violation");
    expect(t.index).to.equal(1);
    expect(t.operation).to.equal(update);
    expect(t.error).to.equal("constraint violation");
    expect(t.errorDetails).to.equal("Cannot update immutable column");
    expect(t.details.details).to.equal("Cannot update immutable column");
    expect(t.details.table).to.equal("Logical_Switch");
    expect(t.isCommitError).to.equal(false);
    expect(t.scope).to.equal("operation");
    expect(t).to.be.instanceOf(OvsdbError);
  });

  it("throws the commit error carried by the extra trailing element", () => {
    const t = thrown(() =>
      checkTransactResult(
        [insert],
        [{ uuid: ["uuid", U] }, { error: "referential integrity violation", details: "cannot delete" }],
      ),
    ) as TransactionError;
    expect(t).to.be.instanceOf(TransactionError);
    expect(t.kind).to.equal("referential integrity violation");
    expect(t.isCommitError).to.equal(true);
    expect(t.index).to.equal(1);
    expect(t.operation).to.equal(undefined);
  });

  it("keeps syntax and io-error members", () => {
    const t = thrown(() =>
      checkTransactResult([comment], [{ error: "I/O error", details: "d", "io-error": "No space left", syntax: "{}" }]),
    ) as TransactionError;
    expect(t.kind).to.equal("I/O error");
    expect(t.ioError).to.equal("No space left");
    expect(t.syntax).to.equal("{}");
  });

  it("maps an unknown tag to kind unknown but keeps the raw text", () => {
    const t = thrown(() => checkTransactResult([comment], [{ error: "brand new error" }])) as TransactionError;
    expect(t.kind).to.equal("unknown");
    expect(t.error).to.equal("brand new error");
    expect(t.message).to.contain("brand new error");
  });

  it("maps every known tag to itself", () => {
    for (const k of TRANSACTION_ERROR_KINDS) expect(transactionErrorKind(k)).to.equal(k);
    expect(transactionErrorKind("Timed Out")).to.equal("unknown");
  });

  it("a bare error object (params rejected) is a request-scope TransactionError", () => {
    const t = thrown(() =>
      checkTransactResult([comment], { error: "syntax error", details: "database name expected as first parameter" }),
    ) as TransactionError;
    expect(t).to.be.instanceOf(TransactionError);
    expect(t.kind).to.equal("syntax error");
    expect(t.scope).to.equal("request");
    expect(t.index).to.equal(-1);
  });

  const badShapes: [string, unknown][] = [
    ["not an array", "nope"],
    ["null result", null],
    ["too short", [{}]],
    ["too long", [{}, {}, {}, {}]],
    ["null without an earlier error", [{}, null]],
    ["element not an object", [{}, 5]],
    ["extra element is not an error", [{}, {}, {}]],
    ["insert without uuid", [{}, {}]],
  ];
  for (const [name, result] of badShapes) {
    it(`rejects a malformed reply: ${name}`, () => {
      const e = thrown(() => checkTransactResult(name === "insert without uuid" ? [insert, comment] : [comment, comment], result));
      expect(e).to.be.instanceOf(OvsdbError);
      expect((e as OvsdbError).code).to.equal("UNEXPECTED_REPLY");
    });
  }

  it("rejects a select result without rows and an update without count", () => {
    expect((thrown(() => checkTransactResult([select], [{}])) as OvsdbError).code).to.equal("UNEXPECTED_REPLY");
    expect((thrown(() => checkTransactResult([update], [{ count: "1" }])) as OvsdbError).code).to.equal(
      "UNEXPECTED_REPLY",
    );
  });
});

describe("rpc-error", () => {
  it("wraps a bare string error", () => {
    const e = rpcErrorFrom("foo", "unknown method");
    expect(e).to.be.instanceOf(RpcError).and.instanceOf(OvsdbError);
    expect(e.code).to.equal("RPC_ERROR");
    expect(e.method).to.equal("foo");
    expect(e.error).to.equal("unknown method");
    expect(e.errorString).to.equal("unknown method");
    expect(e.errorDetails).to.equal(undefined);
    expect(e.details.method).to.equal("foo");
  });

  it("wraps an <error> object", () => {
    const raw = { error: "unknown database", details: "NoSuch is not a valid database" };
    const e = rpcErrorFrom("monitor_cond", raw);
    expect(e.error).to.equal(raw);
    expect(e.errorString).to.equal("unknown database");
    expect(e.errorDetails).to.equal("NoSuch is not a valid database");
    expect(e.message).to.contain("monitor_cond").and.contain("unknown database");
  });

  it("stringifies an odd error value", () => {
    expect(rpcErrorFrom("x", 42).errorString).to.equal("42");
    expect(rpcErrorFrom("x", { a: 1 }).errorString).to.equal('{"a":1}');
  });
});
