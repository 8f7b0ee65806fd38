/**
 * OvsdbClient: one JSON-RPC session to an ovsdb-server over unix:, tcp: or ssl:, with every OVSDB method typed.
 *
 *   const client = await OvsdbClient.connect("unix:/run/ovn/ovnnb_db.sock");
 *   const { schema } = await client.getSchema("OVN_Northbound");
 *   const [r] = await client.transact("OVN_Northbound", [{ op: "insert", table: "Logical_Switch", row: { name: "ls0" } }]);
 *   client.notifications$.subscribe((n) => ...);   // update / update2 / update3 / locked / stolen / monitor_canceled
 *   client.status$.subscribe((s) => ...);          // connecting / connected / disconnected / closed
 *   await client.close();
 *
 * transact validates the operations against the database schema when one is known (fetched by getSchema, or
 * given in options.schemas) and checks the reply: a failed operation rejects with TransactionError. Every
 * rejection is an OvsdbError carrying the caller's stack. Reconnection is not done here (see reconnect.ts).
 */
import { Subject, type Observable } from "rxjs";
import { OvsdbError, isOvsdbError } from "../protocol/errors.js";
import type { Operation, OperationResult } from "../protocol/operations.js";
import { checkTransactResult } from "../protocol/results.js";
import { parseSchema, type DatabaseSchema } from "../protocol/schema.js";
import type { TableUpdates, TableUpdates2 } from "../protocol/updates.js";
import { validateTransaction } from "../protocol/validate.js";
import type { JsonValue } from "../rpc/json.js";
import { JsonRpcConnection, captureCallSite, withCallSite, type RequestId } from "../rpc/jsonrpc.js";
import {
  checkEchoResult,
  checkListDbsResult,
  checkLockResult,
  checkMonitorCondSinceResult,
  checkObjectResult,
  checkServerIdResult,
  parseNotification,
  type MonitorCondChangeRequests,
  type MonitorCondRequests,
  type MonitorCondSinceResult,
  type MonitorId,
  type MonitorRequests,
  type OvsdbNotification,
} from "../rpc/methods.js";
import { dial, parseRemotes, type Remote } from "../transport/remote.js";
import type { TlsOptions } from "../transport/tls.js";
import type { Transport } from "../transport/transport.js";
import { StatusTracker, type ClientStatus } from "./status.js";

export interface OvsdbClientOptions {
  /** Per remote: fail with CONNECT_TIMEOUT when not connected (TLS handshake included) in time. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default timeout of every request (REQUEST_TIMEOUT). Default: none. */
  requestTimeoutMs?: number;
  /** Key, certificate and CA certificate for ssl: remotes (paths or PEM). */
  ssl?: TlsOptions;
  /** Largest accepted message from the server. Default 128 MiB. */
  maxFrameBytes?: number;
  /** Schemas known in advance (database name -> schema), used to validate transact operations. */
  schemas?: Record<string, DatabaseSchema>;
  /** Validate transact operations against a known schema before sending. Default true. */
  validate?: boolean;
}

export interface RequestOptions {
  /** Reject with REQUEST_TIMEOUT after this long; overrides options.requestTimeoutMs. */
  timeoutMs?: number;
}

export interface TransactOptions extends RequestOptions {
  /** Validate against this schema (default: the client's schema of `db`, if known). */
  schema?: DatabaseSchema;
  /** Default: the client's `validate` option. */
  validate?: boolean;
  /** Aborting sends "cancel" for this transact and rejects it with CANCELLED (if it had not completed). */
  signal?: AbortSignal;
}

export interface SchemaReply {
  schema: DatabaseSchema;
  /** The schema exactly as the server sent it. */
  raw: Record<string, JsonValue>;
}

export class OvsdbClient {
  private readonly tracker: StatusTracker;
  private readonly notificationSubject = new Subject<OvsdbNotification>();
  private readonly errorSubject = new Subject<OvsdbError>();
  private readonly schemas = new Map<string, DatabaseSchema>();
  private connection: JsonRpcConnection | undefined;
  private closing = false;

  /** Connection state; replays the current state on subscribe; completes after close(). */
  readonly status$: Observable<ClientStatus>;
  /** Notifications from the server, synchronously and in arrival order (before later replies resolve). */
  readonly notifications$: Observable<OvsdbNotification>;
  /** Why the session failed: protocol errors from the server, transport failures (not emitted for close()). */
  readonly error$: Observable<OvsdbError>;

  private constructor(
    readonly remotes: readonly Remote[],
    private readonly options: OvsdbClientOptions,
  ) {
    this.tracker = new StatusTracker({ state: "connecting", remote: remotes[0]?.text ?? "", attempt: 1 });
    this.status$ = this.tracker.status$;
    this.notifications$ = this.notificationSubject.asObservable();
    this.error$ = this.errorSubject.asObservable();
    for (const [db, schema] of Object.entries(options.schemas ?? {})) this.schemas.set(db, schema);
  }

  /**
   * Connects to the first remote of the list that answers (a remote string, a comma-separated list as OVS
   * writes it, or an array). Rejects with INVALID_REMOTE, CONNECTION_REFUSED, CONNECT_TIMEOUT or TLS_ERROR (the
   * last remote's error; details.attempts lists them all).
   */
  static async connect(remotes: string | readonly string[], options: OvsdbClientOptions = {}): Promise<OvsdbClient> {
    const callSite = captureCallSite(OvsdbClient.connect);
    let parsed: Remote[];
    try {
      parsed = parseRemotes(remotes);
    } catch (e) {
      throw withCallSite(e as Error, callSite);
    }
    const client = new OvsdbClient(parsed, options);
    const attempts: { remote: string; code: string; message: string }[] = [];
    let last: OvsdbError | undefined;
    for (const [i, remote] of parsed.entries()) {
      client.tracker.set({ state: "connecting", remote: remote.text, attempt: i + 1 });
      try {
        const transport = await dial(remote, { connectTimeoutMs: options.connectTimeoutMs, ssl: options.ssl });
        client.attach(transport);
        return client;
      } catch (e) {
        last = isOvsdbError(e) ? e : new OvsdbError("CONNECTION_REFUSED", String(e), { cause: e });
        attempts.push({ remote: remote.text, code: last.code, message: last.message });
      }
    }
    const error = new OvsdbError(last?.code ?? "CONNECTION_REFUSED", attempts.length > 1 ? `no remote answered: ${attempts.map((a) => a.message).join("; ")}` : last?.message ?? "no remote", {
      cause: last,
      details: { ...last?.details, attempts },
    });
    client.tracker.set({ state: "disconnected", remote: parsed[parsed.length - 1]?.text ?? "", error });
    client.tracker.set({ state: "closed" });
    client.completeStreams();
    throw withCallSite(error, callSite);
  }

  /**
   * A client over a transport that is already connected (the session's dial loop dials, then wraps). The
   * client owns the transport from here on.
   */
  static fromTransport(transport: Transport, options: OvsdbClientOptions = {}): OvsdbClient {
    const client = new OvsdbClient([transport.remote], options);
    client.attach(transport);
    return client;
  }

  /**
   * Fails the connection with `error`, as a transport failure would: pending calls reject with its code and
   * status$ goes "disconnected" with it (used for a probe timeout or a server that lost leadership). Unlike
   * close(), the streams stay open until close().
   */
  abort(error: OvsdbError): void {
    if (!this.closing) this.connection?.abort(error);
  }

  /** The current connection state. */
  get status(): ClientStatus {
    return this.tracker.current;
  }

  /** The schema of `db` if known (fetched by getSchema or given in options.schemas). */
  schemaOf(db: string): DatabaseSchema | undefined {
    return this.schemas.get(db);
  }

  // -- RFC 7047 methods ------------------------------------------------------------------------------------

  listDbs(options?: RequestOptions): Promise<string[]> {
    return this.invoke("list_dbs", [], options, captureCallSite(this.listDbs), checkListDbsResult);
  }

  /** get_schema: the parsed schema (also remembered for transact validation) and the raw JSON. */
  async getSchema(db: string, options?: RequestOptions): Promise<SchemaReply> {
    const callSite = captureCallSite(this.getSchema);
    const raw = await this.invoke("get_schema", [db], options, callSite, (r) => checkObjectResult<Record<string, JsonValue>>("get_schema", r));
    let schema: DatabaseSchema;
    try {
      schema = parseSchema(raw);
    } catch (e) {
      throw withCallSite(e as Error, callSite);
    }
    this.schemas.set(db, schema);
    return { schema, raw };
  }

  /**
   * transact: runs `ops` atomically. Resolves with one result per operation; rejects with VALIDATION_ERROR
   * (nothing sent), TransactionError (an operation or the commit failed), RpcError, CANCELLED, or a
   * connection error.
   */
  async transact(db: string, ops: readonly Operation[], options: TransactOptions = {}): Promise<OperationResult[]> {
    const callSite = captureCallSite(this.transact);
    const schema = options.schema ?? this.schemas.get(db);
    if (schema && (options.validate ?? this.options.validate ?? true)) {
      try {
        validateTransaction(schema, ops);
      } catch (e) {
        throw withCallSite(e as Error, callSite);
      }
    }
    const signal = options.signal;
    if (signal?.aborted) throw withCallSite(new OvsdbError("CANCELLED", "transact: aborted before it was sent"), callSite);
    const { id, result } = this.request("transact", [db, ...ops], options, callSite);
    const connection = this.connection;
    const onAbort = (): void => {
      if (id !== undefined) connection?.cancel(id, "transact cancelled (abort signal)");
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let raw: unknown;
    try {
      raw = await result;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    try {
      return checkTransactResult(ops, raw);
    } catch (e) {
      throw withCallSite(e as Error, callSite);
    }
  }

  /** monitor: the initial contents (<table-updates>); later changes arrive as "update" notifications. */
  monitor(db: string, monitorId: MonitorId, requests: MonitorRequests, options?: RequestOptions): Promise<TableUpdates> {
    return this.invoke("monitor", [db, monitorId, requests], options, captureCallSite(this.monitor), (r) => checkObjectResult<TableUpdates>("monitor", r));
  }

  /** monitor_cond: the initial contents (<table-updates2>); changes arrive as "update2" notifications. */
  monitorCond(db: string, monitorId: MonitorId, requests: MonitorCondRequests, options?: RequestOptions): Promise<TableUpdates2> {
    return this.invoke("monitor_cond", [db, monitorId, requests], options, captureCallSite(this.monitorCond), (r) => checkObjectResult<TableUpdates2>("monitor_cond", r));
  }

  /**
   * monitor_cond_since: like monitor_cond, but only the changes after `lastTxnId` when the server still has
   * them (found = true). Changes then arrive as "update3" notifications. Default lastTxnId: all zeros.
   */
  monitorCondSince(db: string, monitorId: MonitorId, requests: MonitorCondRequests, lastTxnId = ZERO_UUID, options?: RequestOptions): Promise<MonitorCondSinceResult> {
    return this.invoke("monitor_cond_since", [db, monitorId, requests, lastTxnId], options, captureCallSite(this.monitorCondSince), checkMonitorCondSinceResult);
  }

  /** monitor_cond_change: new conditions/columns for a monitor_cond(_since) monitor, under a new id. */
  async monitorCondChange(monitorId: MonitorId, newMonitorId: MonitorId, requests: MonitorCondChangeRequests, options?: RequestOptions): Promise<void> {
    await this.invoke("monitor_cond_change", [monitorId, newMonitorId, requests], options, captureCallSite(this.monitorCondChange), (r) => checkObjectResult("monitor_cond_change", r));
  }

  async monitorCancel(monitorId: MonitorId, options?: RequestOptions): Promise<void> {
    await this.invoke("monitor_cancel", [monitorId], options, captureCallSite(this.monitorCancel), (r) => checkObjectResult("monitor_cancel", r));
  }

  /** lock: true when acquired now; otherwise a "locked" notification follows when it is. */
  lock(lockName: string, options?: RequestOptions): Promise<boolean> {
    return this.invoke("lock", [lockName], options, captureCallSite(this.lock), (r) => checkLockResult("lock", r));
  }

  /** steal: takes the lock from its owner (who gets a "stolen" notification). */
  steal(lockName: string, options?: RequestOptions): Promise<boolean> {
    return this.invoke("steal", [lockName], options, captureCallSite(this.steal), (r) => checkLockResult("steal", r));
  }

  async unlock(lockName: string, options?: RequestOptions): Promise<void> {
    await this.invoke("unlock", [lockName], options, captureCallSite(this.unlock), (r) => checkObjectResult("unlock", r));
  }

  /** echo: the server returns the params (the client answers the server's echo by itself). */
  echo(params: JsonValue[] = [], options?: RequestOptions): Promise<JsonValue[]> {
    return this.invoke("echo", params, options, captureCallSite(this.echo), checkEchoResult);
  }

  /** get_server_id: the server's uuid (OVS extension). */
  getServerId(options?: RequestOptions): Promise<string> {
    return this.invoke("get_server_id", [], options, captureCallSite(this.getServerId), checkServerIdResult);
  }

  /** set_db_change_aware: the server then cancels monitors (monitor_canceled) instead of closing on db changes. */
  async setDbChangeAware(aware = true, options?: RequestOptions): Promise<void> {
    await this.invoke("set_db_change_aware", [aware], options, captureCallSite(this.setDbChangeAware), (r) => checkObjectResult("set_db_change_aware", r));
  }

  /** Any method, untyped (extensions). Rejects with RpcError when the server answers with an error. */
  call(method: string, params: readonly unknown[], options?: RequestOptions): Promise<unknown> {
    return this.request(method, params, options, captureCallSite(this.call)).result;
  }

  /** Ends the session: pending calls reject with CONNECTION_CLOSED, status$ ends with "closed". */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connection?.close();
    this.tracker.set({ state: "closed" });
    this.completeStreams();
  }

  // -- internals -------------------------------------------------------------------------------------------

  private attach(transport: Transport): void {
    const remote = transport.remote.text;
    let connection: JsonRpcConnection | undefined = undefined;
    connection = new JsonRpcConnection(
      transport,
      {
        notification: (method, params) => {
          let n: OvsdbNotification;
          try {
            n = parseNotification(method, params);
          } catch (e) {
            connection?.abort(e as OvsdbError);
            return;
          }
          this.notificationSubject.next(n);
        },
        closed: (reason, local) => {
          if (local || this.closing) return;
          this.tracker.set({ state: "disconnected", remote, error: reason });
          this.errorSubject.next(reason);
        },
      },
      { maxFrameBytes: this.options.maxFrameBytes },
    );
    this.connection = connection;
    if (!connection.closedReason) this.tracker.set({ state: "connected", remote });
  }

  private request(method: string, params: readonly unknown[], options: RequestOptions | undefined, callSite: string): { id: RequestId | undefined; result: Promise<unknown> } {
    const timeoutMs = options?.timeoutMs ?? this.options.requestTimeoutMs;
    if (!this.connection || this.closing) {
      const e = new OvsdbError("NOT_CONNECTED", `${method}: the client is ${this.closing ? "closed" : "not connected"}`);
      return { id: undefined, result: Promise.reject(withCallSite(e, callSite)) };
    }
    return this.connection.request(method, params, { timeoutMs, callSite });
  }

  private async invoke<T>(method: string, params: readonly unknown[], options: RequestOptions | undefined, callSite: string, check: (r: unknown) => T): Promise<T> {
    const r = await this.request(method, params, options, callSite).result;
    try {
      return check(r);
    } catch (e) {
      throw withCallSite(e as Error, callSite);
    }
  }

  private completeStreams(): void {
    this.notificationSubject.complete();
    this.errorSubject.complete();
  }
}

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
