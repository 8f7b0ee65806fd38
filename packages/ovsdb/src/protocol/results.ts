/**
 * The "result" of a transact reply (RFC 7047 section 4.1.3):
 *   - one element per operation, in order;
 *   - when an operation fails, its element is an <error> and the elements after it are null (not executed);
 *   - when every operation succeeds but the commit fails, the array has ONE MORE element: the commit <error>;
 *   - ovsdb-server answers a malformed params array with one bare <error> object instead of an array.
 */
import { OvsdbError } from "./errors.js";
import { safeJson } from "./notation.js";
import type { Operation, OperationError, OperationResult } from "./operations.js";
import { TransactionError, type TransactionErrorScope } from "./transaction-error.js";

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function unexpected(message: string, result: unknown): OvsdbError {
  return new OvsdbError("UNEXPECTED_REPLY", `transact reply: ${message}`, {
    details: { result: safeJson(result) },
  });
}

/** True when a result element is an <error> object. */
export function isOperationError(x: unknown): x is OperationError {
  return isObject(x) && typeof x.error === "string";
}

function toTransactionError(
  err: OperationError,
  index: number,
  operation: Operation | undefined,
  scope: TransactionErrorScope,
): TransactionError {
  const e = err as unknown as Record<string, unknown>;
  return new TransactionError({
    index,
    operation,
    scope,
    error: err.error,
    errorDetails: typeof e.details === "string" ? e.details : undefined,
    syntax: typeof e.syntax === "string" ? e.syntax : undefined,
    ioError: typeof e["io-error"] === "string" ? e["io-error"] : undefined,
  });
}

function checkSuccess(op: Operation, r: Record<string, unknown>, index: number, result: unknown): OperationResult {
  const bad = (what: string): never => {
    throw unexpected(`element ${index} (${op.op}) ${what}`, result);
  };
  const out: OperationResult = {};
  switch (op.op) {
    case "insert": {
      const u = r.uuid;
      if (!Array.isArray(u) || u.length !== 2 || u[0] !== "uuid" || typeof u[1] !== "string") {
        bad('has no "uuid": ["uuid", <uuid>]');
      }
      out.uuid = u as ["uuid", string];
      break;
    }
    case "select":
      if (!Array.isArray(r.rows) || !r.rows.every(isObject)) bad('has no "rows" array of objects');
      out.rows = r.rows as OperationResult["rows"];
      break;
    case "update":
    case "mutate":
    case "delete":
      if (typeof r.count !== "number" && typeof r.count !== "bigint") bad('has no integer "count"');
      out.count = Number(r.count);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Checks a transact reply's result against the operations that were sent.
 * Returns one OperationResult per operation; throws TransactionError for the first <error> element
 * (or the commit error), and OvsdbError "UNEXPECTED_REPLY" when the reply does not have the RFC shape.
 */
export function checkTransactResult(ops: readonly Operation[], result: unknown): OperationResult[] {
  if (!Array.isArray(result)) {
    if (isOperationError(result)) throw toTransactionError(result, -1, undefined, "request");
    throw unexpected("result is not an array", result);
  }
  const n = ops.length;
  if (result.length !== n && result.length !== n + 1) {
    throw unexpected(`${result.length} result elements for ${n} operations`, result);
  }
  const out: OperationResult[] = [];
  for (let i = 0; i < n; i++) {
    const r: unknown = result[i];
    const op = ops[i] as Operation;
    if (isOperationError(r)) throw toTransactionError(r, i, op, "operation");
    if (r === null) throw unexpected(`element ${i} is null but no earlier operation failed`, result);
    if (!isObject(r)) throw unexpected(`element ${i} is not an object`, result);
    out.push(checkSuccess(op, r, i, result));
  }
  if (result.length === n + 1) {
    const extra: unknown = result[n];
    if (!isOperationError(extra)) throw unexpected("extra trailing element is not an error", result);
    throw toTransactionError(extra, n, undefined, "commit");
  }
  return out;
}

/** The uuid an insert result carries (["uuid", <uuid>] -> "<uuid>"). */
export function insertedUuid(r: OperationResult): string {
  const u = r.uuid;
  if (!Array.isArray(u) || u[0] !== "uuid" || typeof u[1] !== "string") {
    throw new OvsdbError("UNEXPECTED_REPLY", `not an insert result: ${safeJson(r)}`);
  }
  return u[1];
}
