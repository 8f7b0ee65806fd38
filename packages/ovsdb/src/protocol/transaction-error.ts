/**
 * A failed transact: one element of the reply's result array was an <error> object
 * {"error": tag, "details"?: text, "syntax"?: text, "io-error"?: text} (RFC 7047 section 4.1.3, OVS
 * lib/ovsdb-error.c). The tag is mapped to a typed `kind`; the raw text is always kept.
 */
import { OvsdbError } from "./errors.js";
import type { Operation } from "./operations.js";

/**
 * Every error tag ovsdb-server puts in a transact result (RFC 7047 section 4.1.3 and the OVS sources:
 * ovsdb/execution.c, transaction.c, condition.c, mutation.c, row.c, ovsdb-server.c, raft.c,
 * lib/ovsdb-error.c), plus "unknown" for a tag this library does not know.
 */
export const TRANSACTION_ERROR_KINDS = [
  // RFC 7047 section 4.1.3 (transaction-wide and per-operation)
  "referential integrity violation",
  "constraint violation",
  "resources exhausted",
  "I/O error",
  "duplicate uuid-name",
  "domain error",
  "range error",
  "timed out",
  "not supported",
  "aborted",
  "not owner",
  // Open vSwitch extensions and parse errors reported per operation
  "syntax error",
  "unknown column",
  "unknown function",
  "unknown mutator",
  "unknown operation",
  "unknown database",
  "duplicate uuid",
  "permission error",
  "not allowed",
  "cluster error",
  "consistency violation",
  "internal error",
  "canceled",
  "ovsdb error",
] as const;

export type KnownTransactionErrorKind = (typeof TRANSACTION_ERROR_KINDS)[number];
export type TransactionErrorKind = KnownTransactionErrorKind | "unknown";

const KNOWN = new Set<string>(TRANSACTION_ERROR_KINDS);

/** Maps an OVSDB error tag to its kind ("unknown" for a tag not in TRANSACTION_ERROR_KINDS). */
export function transactionErrorKind(tag: string): TransactionErrorKind {
  return KNOWN.has(tag) ? (tag as KnownTransactionErrorKind) : "unknown";
}

/** Where in the reply the error was. */
export type TransactionErrorScope =
  /** result[index] is the error of ops[index] (later elements are null: not executed). */
  | "operation"
  /** All operations succeeded but the commit failed: the extra trailing element (index === ops.length). */
  | "commit"
  /** The whole params array was rejected: the result was one <error> object, not an array (index -1). */
  | "request";

export interface TransactionErrorInit {
  index: number;
  operation: Operation | undefined;
  scope: TransactionErrorScope;
  error: string;
  errorDetails?: string | undefined;
  syntax?: string | undefined;
  ioError?: string | undefined;
}

export class TransactionError extends OvsdbError {
  readonly kind: TransactionErrorKind;
  /** Index of the failing element in the result array (ops.length for the commit error, -1 for "request"). */
  readonly index: number;
  /** The operation that failed; undefined for the commit error and a request error. */
  readonly operation: Operation | undefined;
  /** The raw "error" tag as the server sent it (e.g. "constraint violation"). */
  readonly error: string;
  /** The raw "details" text, when present. Also in `details.details`. */
  readonly errorDetails: string | undefined;
  /** The "syntax" member (the offending JSON as text), when present. */
  readonly syntax: string | undefined;
  /** The "io-error" member (an errno string), when present. */
  readonly ioError: string | undefined;
  readonly scope: TransactionErrorScope;
  /** True for the extra trailing element: the operations succeeded, the commit did not. */
  readonly isCommitError: boolean;

  constructor(init: TransactionErrorInit) {
    const where =
      init.scope === "commit"
        ? "commit"
        : init.scope === "request"
          ? "transact"
          : `operation ${init.index} (${init.operation?.op ?? "?"}${tableOf(init.operation)})`;
    const text = init.errorDetails === undefined ? init.error : `${init.error}: ${init.errorDetails}`;
    super("TRANSACTION_ERROR", `${where} failed: ${text}`, {
      details: {
        index: init.index,
        op: init.operation?.op,
        table: tableOfOp(init.operation),
        error: init.error,
        details: init.errorDetails,
        syntax: init.syntax,
        ioError: init.ioError,
        scope: init.scope,
      },
    });
    this.name = "TransactionError";
    this.kind = transactionErrorKind(init.error);
    this.index = init.index;
    this.operation = init.operation;
    this.error = init.error;
    this.errorDetails = init.errorDetails;
    this.syntax = init.syntax;
    this.ioError = init.ioError;
    this.scope = init.scope;
    this.isCommitError = init.scope === "commit";
  }
}

function tableOfOp(op: Operation | undefined): string | undefined {
  return op !== undefined && "table" in op ? op.table : undefined;
}
function tableOf(op: Operation | undefined): string {
  const t = tableOfOp(op);
  return t === undefined ? "" : ` on ${t}`;
}

export function isTransactionError(e: unknown, kind?: TransactionErrorKind): e is TransactionError {
  return e instanceof TransactionError && (kind === undefined || e.kind === kind);
}
