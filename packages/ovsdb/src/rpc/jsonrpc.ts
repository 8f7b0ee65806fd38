/**
 * JSON-RPC 1.0 exactly as OVSDB uses it (RFC 7047 section 4):
 *   request       {"method": M, "params": [...], "id": N}
 *   response      {"id": N, "result": R, "error": null} or {"id": N, "result": null, "error": E}
 *   notification  {"method": M, "params": [...], "id": null}   (update, update2, update3, locked, stolen, ...)
 * and requests FROM the server: ovsdb-server sends "echo" with a non-null id and expects
 * {"id": N, "result": params, "error": null}.
 *
 * Id allocation and pending calls are json-rpc-2.0's JSONRPCClient, behind an adapter, because that package
 * cannot talk to ovsdb-server raw (test/integration/jsonrpc2.test.ts shows it): it adds "jsonrpc":"2.0" to
 * requests (ovsdb-server drops the connection), answers the server's echo with "Invalid Request", and turns a
 * string error such as "unknown method" into an error with no message and no code. The adapter therefore
 * strips the envelope on the way out, adds it on the way in, and hands the library errors that are already
 * typed (RpcError via rpcErrorFrom, with the method name). The library ignores a reply for an unknown id; the
 * adapter detects it and fails the connection with UNEXPECTED_REPLY.
 *
 * Ordering: frames are decoded and dispatched synchronously in arrival order. Notifications reach the handler
 * before any reply that arrived after them resolves (a reply settles a promise, whose continuations run later),
 * so updates for a client's own transaction are seen before its transact resolves.
 */
import { JSONRPCClient, JSONRPCErrorException, type JSONRPCID, type JSONRPCRequest } from "json-rpc-2.0";
import { OvsdbError, type OvsdbErrorCode } from "../protocol/errors.js";
import { safeJson } from "../protocol/notation.js";
import { rpcErrorFrom } from "../protocol/rpc-error.js";
import type { Transport } from "../transport/transport.js";
import { Framer } from "./framer.js";
import { decodeFrame, stringifyJson, type JsonValue } from "./json.js";

/** A JSON-RPC request id (this client allocates numbers). */
export type RequestId = JSONRPCID;

export interface JsonRpcHandlers {
  /** A notification ("id": null), synchronously and in arrival order. */
  notification(method: string, params: JsonValue[]): void;
  /**
   * The connection ended. `reason` is the protocol error (MALFORMED_FRAME, UNEXPECTED_REPLY...), the transport
   * failure, or CONNECTION_CLOSED; `local` is true when close() ended it. Called exactly once.
   */
  closed(reason: OvsdbError, local: boolean): void;
}

export interface JsonRpcOptions {
  /** Largest accepted message, bytes. Default 128 MiB. */
  maxFrameBytes?: number;
}

export interface CallOptions {
  /** Reject with REQUEST_TIMEOUT after this long (the server's late reply is then ignored). */
  timeoutMs?: number;
  /** The caller's stack (captureCallSite), attached to a rejection. Captured here when absent. */
  callSite?: string;
}

interface PendingCall {
  readonly method: string;
  readonly paramsText: string;
  readonly callSite: string;
  id: JSONRPCID;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Marks library error responses built by this adapter; `data` holds the OvsdbError to reject with. */
const ADAPTER_ERROR = -32099;
/** Late replies remembered after a timeout, at most. */
const MAX_EXPIRED = 10_000;

/** The caller's stack frames (without the header line), for attaching to an asynchronous error. */
export function captureCallSite(above?: (...args: never[]) => unknown): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, above);
  const s = holder.stack ?? "";
  const nl = s.indexOf("\n");
  return nl < 0 ? "" : s.slice(nl);
}

/** Gives an error the stack of the call that led to it. */
export function withCallSite<E extends Error>(e: E, callSite: string): E {
  if (callSite) {
    const code = (e as { code?: unknown }).code;
    e.stack = `${e.name}${typeof code === "string" ? ` [${code}]` : ""}: ${e.message}${callSite}`;
  }
  return e;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export class JsonRpcConnection {
  private readonly rpc: JSONRPCClient<PendingCall>;
  private readonly framer: Framer;
  private readonly pending = new Map<JSONRPCID, PendingCall>();
  private readonly expired = new Set<JSONRPCID>();
  private ended: OvsdbError | undefined;
  private readonly onFrame = (frame: Buffer, longDigitRun: boolean): void => this.frame(frame, longDigitRun);

  constructor(
    private readonly transport: Transport,
    private readonly handlers: JsonRpcHandlers,
    options: JsonRpcOptions = {},
  ) {
    this.framer = new Framer({ maxFrameBytes: options.maxFrameBytes });
    this.rpc = new JSONRPCClient<PendingCall>((payload: JSONRPCRequest, call: PendingCall) => this.send(payload, call));
    transport.attach({
      data: (chunk) => this.data(chunk),
      close: (error) =>
        this.teardown(error ?? new OvsdbError("CONNECTION_CLOSED", `${transport.remote.text}: connection closed by the server`), false),
    });
  }

  /** The reason the connection ended, or undefined while it is open. */
  get closedReason(): OvsdbError | undefined {
    return this.ended;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a request; `id` is the JSON-RPC id it went out with (for "cancel"). */
  request(method: string, params: readonly unknown[], options: CallOptions = {}): { id: JSONRPCID | undefined; result: Promise<unknown> } {
    const callSite = options.callSite ?? captureCallSite(this.request);
    if (this.ended) {
      const e = new OvsdbError("NOT_CONNECTED", `${method}: not connected (${this.ended.message})`, { cause: this.ended });
      return { id: undefined, result: Promise.reject(withCallSite(e, callSite)) };
    }
    let paramsText: string;
    try {
      paramsText = stringifyJson(params);
    } catch (e) {
      const err = new OvsdbError("VALIDATION_ERROR", `${method}: params cannot be encoded as JSON: ${(e as Error).message}`, { cause: e });
      return { id: undefined, result: Promise.reject(withCallSite(err, callSite)) };
    }
    const call: PendingCall = { method, paramsText, callSite, id: null, timer: undefined };
    // JSONRPCClient calls send() synchronously from request(): the request is written, in call order
    const sent = this.rpc.request(method, params as JSONRPCRequest["params"], call);
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      call.timer = setTimeout(() => this.expire(call, timeoutMs), timeoutMs);
    }
    const result = Promise.resolve(sent).then(undefined, (e: unknown) => {
      throw this.rejection(e, call);
    });
    return { id: call.id, result };
  }

  /** Sends a request and returns its result. */
  call(method: string, params: readonly unknown[], options: CallOptions = {}): Promise<unknown> {
    return this.request(method, params, { ...options, callSite: options.callSite ?? captureCallSite(this.call) }).result;
  }

  /** Sends a notification ({"method", "params", "id": null}), e.g. "cancel". Ignored once closed. */
  notify(method: string, params: readonly unknown[]): void {
    if (this.ended) return;
    this.transport.write(`{"method":${JSON.stringify(method)},"params":${stringifyJson(params)},"id":null}`);
  }

  /**
   * Abandons a pending request: sends "cancel" for its id and rejects it at once with CANCELLED. The server
   * answers a cancelled transact with error "canceled" only on a db_change_aware session and not at all
   * otherwise; either way a late reply for the id is ignored. Returns false when the request is not pending.
   */
  cancel(id: JSONRPCID, reason = "cancelled by the caller"): boolean {
    const call = this.pending.get(id);
    if (!call || this.ended) return false;
    this.notify("cancel", [id]);
    this.forget(id);
    this.rejectCall(call, new OvsdbError("CANCELLED", `${call.method}: ${reason}`, { details: { method: call.method, id } }));
    return true;
  }

  /** Closes the connection; pending calls are rejected with CONNECTION_CLOSED. */
  close(): void {
    this.teardown(new OvsdbError("CONNECTION_CLOSED", `${this.transport.remote.text}: connection closed by the client`), true);
  }

  /** Fails the connection with a protocol error (e.g. a malformed notification found by a layer above). */
  abort(error: OvsdbError): void {
    this.teardown(error, false);
  }

  // -- outgoing ------------------------------------------------------------------------------------------

  private send(payload: JSONRPCRequest, call: PendingCall): void {
    // the library's envelope ("jsonrpc":"2.0") is stripped: ovsdb-server drops a connection that sends it
    call.id = payload.id ?? null;
    this.pending.set(call.id, call);
    this.transport.write(`{"method":${JSON.stringify(call.method)},"params":${call.paramsText},"id":${JSON.stringify(call.id)}}`);
  }

  private rejection(e: unknown, call: PendingCall): OvsdbError {
    if (call.timer) clearTimeout(call.timer);
    const err =
      e instanceof JSONRPCErrorException && e.data instanceof OvsdbError
        ? e.data
        : new OvsdbError("INVALID_MESSAGE", `${call.method}: ${(e as Error)?.message ?? safeJson(e)}`, { cause: e });
    return withCallSite(err, call.callSite);
  }

  /** Settles a pending call through the library with an already typed error. */
  private rejectCall(call: PendingCall, error: OvsdbError): void {
    if (call.timer) clearTimeout(call.timer);
    this.pending.delete(call.id);
    this.rpc.receive({ jsonrpc: "2.0", id: call.id, error: { code: ADAPTER_ERROR, message: error.message, data: error } });
  }

  private expire(call: PendingCall, timeoutMs: number): void {
    if (!this.pending.has(call.id)) return;
    this.forget(call.id);
    call.timer = undefined;
    this.rejectCall(
      call,
      new OvsdbError("REQUEST_TIMEOUT", `${call.method}: no reply within ${timeoutMs} ms`, { details: { method: call.method, id: call.id, timeoutMs } }),
    );
  }

  /** Remembers an abandoned id, so that its late reply is dropped rather than taken for an unknown one. */
  private forget(id: JSONRPCID): void {
    this.expired.add(id);
    if (this.expired.size > MAX_EXPIRED) this.expired.delete(this.expired.values().next().value as JSONRPCID);
  }

  // -- incoming ------------------------------------------------------------------------------------------

  private data(chunk: Buffer): void {
    if (this.ended) return;
    try {
      this.framer.push(chunk, this.onFrame);
    } catch (e) {
      this.teardown(e instanceof OvsdbError ? e : new OvsdbError("MALFORMED_FRAME", String(e), { cause: e }), false);
    }
  }

  private frame(frame: Buffer, longDigitRun: boolean): void {
    if (this.ended) return;
    let msg: JsonValue;
    try {
      msg = decodeFrame(frame, longDigitRun);
    } catch (e) {
      this.teardown(e as OvsdbError, false);
      return;
    }
    this.dispatch(msg);
  }

  private dispatch(msg: JsonValue): void {
    if (!isObject(msg)) return this.protocolError("INVALID_MESSAGE", `message is not a JSON object: ${safeJson(msg)}`);
    const method = msg.method;
    if (method !== undefined) {
      const params = msg.params;
      if (typeof method !== "string" || !Array.isArray(params)) {
        return this.protocolError("INVALID_MESSAGE", `bad request or notification: ${safeJson(msg)}`);
      }
      const id = msg.id;
      if (id === null || id === undefined) {
        try {
          this.handlers.notification(method, params);
        } catch (e) {
          queueMicrotask(() => {
            throw e; // a bug in a handler must not be hidden, nor break the stream
          });
        }
      } else {
        this.serverRequest(method, params, id);
      }
      return;
    }
    if ("id" in msg && ("result" in msg || "error" in msg)) return this.response(msg);
    this.protocolError("INVALID_MESSAGE", `neither a request, a notification nor a response: ${safeJson(msg)}`);
  }

  /** A request from the server: "echo" is answered with its params, anything else with "unknown method". */
  private serverRequest(method: string, params: JsonValue[], id: JsonValue): void {
    const idText = stringifyJson(id);
    if (method === "echo") this.transport.write(`{"id":${idText},"result":${stringifyJson(params)},"error":null}`);
    else this.transport.write(`{"id":${idText},"result":null,"error":"unknown method"}`);
  }

  private response(msg: Record<string, JsonValue>): void {
    const id = msg.id as JSONRPCID;
    const call = typeof id === "number" || typeof id === "string" ? this.pending.get(id) : undefined;
    if (!call) {
      if (this.expired.delete(id)) return; // the late reply to a call that timed out or was cancelled
      return this.protocolError("UNEXPECTED_REPLY", `reply for unknown request id ${safeJson(id)}`, { id });
    }
    const error = msg.error;
    if (error !== null && error !== undefined) {
      this.rejectCall(call, rpcErrorFrom(call.method, error));
      return;
    }
    if (!("result" in msg)) {
      return this.protocolError("INVALID_MESSAGE", `reply to ${call.method} has neither result nor error: ${safeJson(msg)}`);
    }
    if (call.timer) clearTimeout(call.timer);
    this.pending.delete(id);
    // the library's envelope is added on the way in
    this.rpc.receive({ jsonrpc: "2.0", id, result: msg.result });
  }

  private protocolError(code: OvsdbErrorCode, message: string, details?: Record<string, unknown>): void {
    this.teardown(new OvsdbError(code, `${this.transport.remote.text}: ${message}`, { details }), false);
  }

  private teardown(reason: OvsdbError, local: boolean): void {
    if (this.ended) return;
    this.ended = reason;
    this.transport.close();
    for (const call of [...this.pending.values()]) {
      // each caller gets its own error (its own stack), with the connection's code
      this.rejectCall(call, new OvsdbError(reason.code, `${call.method}: ${reason.message}`, { cause: reason, details: reason.details }));
    }
    this.expired.clear();
    this.handlers.closed(reason, local);
  }
}
