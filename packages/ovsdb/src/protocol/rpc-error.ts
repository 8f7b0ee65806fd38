/**
 * A JSON-RPC error reply: {"id": N, "result": null, "error": <error>}.
 *
 * ovsdb-server sends either a bare string ("unknown method", "canceled" for a transact cancelled by a
 * schema change, RFC 7047 section 4.1.4) or an <error> object {"error": tag, "details"?: text, "syntax"?: json}
 * (e.g. "unknown database" for monitor/get_schema, or a failed "convert").
 */
import { OvsdbError, type OvsdbErrorOptions } from "./errors.js";
import { safeJson } from "./notation.js";

export class RpcError extends OvsdbError {
  /** The JSON-RPC method the failed request called. */
  readonly method: string;
  /** The raw "error" member of the reply, exactly as the server sent it. */
  readonly error: unknown;
  /** The error in string form: the bare string, or the object's "error" tag (e.g. "unknown database"). */
  readonly errorString: string;
  /** The "details" text of an <error> object, when present. */
  readonly errorDetails: string | undefined;

  constructor(method: string, error: unknown, options: OvsdbErrorOptions = {}) {
    const { tag, details } = describeRpcError(error);
    super("RPC_ERROR", `${method}: ${details === undefined ? tag : `${tag}: ${details}`}`, {
      ...options,
      details: { method, error, ...options.details },
    });
    this.name = "RpcError";
    this.method = method;
    this.error = error;
    this.errorString = tag;
    this.errorDetails = details;
  }
}

function describeRpcError(error: unknown): { tag: string; details: string | undefined } {
  if (typeof error === "string") return { tag: error, details: undefined };
  if (typeof error === "object" && error !== null && !Array.isArray(error)) {
    const o = error as Record<string, unknown>;
    const tag = typeof o.error === "string" ? o.error : typeof o.message === "string" ? o.message : safeJson(error);
    const details = typeof o.details === "string" ? o.details : undefined;
    return { tag, details };
  }
  return { tag: safeJson(error), details: undefined };
}

/** Builds the RpcError for a reply whose "error" member is not null. */
export function rpcErrorFrom(method: string, error: unknown): RpcError {
  return new RpcError(method, error);
}

export function isRpcError(e: unknown): e is RpcError {
  return e instanceof RpcError;
}
