/**
 * OvsdbSession: a connection to one OVSDB database that survives server restarts, failovers and leadership
 * transfers. It owns the only dial loop of the package: remotes in rotation with exponential backoff and
 * jitter (reconnect.ts), a fresh OvsdbClient per connection, the inactivity probe (probe.ts), the _Server
 * check of every server (leader.ts), and the re-establishment of every monitor on the new connection.
 *
 *   const session = await connectSession("tcp:10.0.0.1:6641,tcp:10.0.0.2:6641,tcp:10.0.0.3:6641",
 *     { database: "OVN_Northbound" });                      // leader-only by default, like the OVS IDLs
 *   session.status$.subscribe((s) => ...);                  // connecting / connected / reconnecting / closed
 *   const lsps = await session.createMonitor(schema, { tables: { Logical_Switch_Port: true } });
 *   await session.transact("OVN_Northbound", ops);          // waits (bounded) while reconnecting
 *   await session.close();
 *
 * Monitors keep their Replica and last transaction id across connections: after a reconnect each one asks
 * monitor_cond_since for the changes since its own id (found=true: only the delta, no purge); otherwise the
 * full dump is turned into exact deltas. Transactions never go out twice without consent: one whose reply was
 * lost with the connection rejects with OUTCOME_UNKNOWN unless `retry: true` was given. Locks (lock/steal) are
 * requested again on every connection (session-locks.ts); notifications$ follows the current connection.
 */
import { BehaviorSubject, Subject, type Observable } from "rxjs";
import type { TypedRow } from "../protocol/datum.js";
import { OvsdbError, isOvsdbError, type OvsdbErrorCode } from "../protocol/errors.js";
import type { Operation, OperationResult } from "../protocol/operations.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import { captureCallSite, withCallSite } from "../rpc/jsonrpc.js";
import type { OvsdbNotification } from "../rpc/methods.js";
import { Monitor, type MonitorOptions } from "../monitor/monitor.js";
import { dial, parseRemotes, type Remote } from "../transport/remote.js";
import type { OvsdbClient, OvsdbClientOptions, TransactOptions } from "./client.js";
import { ServerWatch, checkServerDatabase, type ServerDatabase } from "./leader.js";
import type { ProbeOptions, ProbeStats } from "./probe.js";
import { ReconnectPolicy, systemReconnectClock, type BackoffOptions, type ReconnectClock } from "./reconnect.js";
import { SessionConnection } from "./session-connection.js";
import { SessionLocks, type SessionLockEvent, type SessionLockState } from "./session-locks.js";
import { SessionMonitors } from "./session-monitors.js";
import type { SessionStatus } from "./session-status.js";

export interface OvsdbSessionOptions extends OvsdbClientOptions {
  /** The database the session serves; its _Server.Database row decides whether a server is fit. */
  database: string;
  /** Only the Raft leader of a clustered database is fit. Default true (as the OVS IDLs). */
  leaderOnly?: boolean;
  /** Accept only this cluster id (cid) of a clustered database. */
  clusterId?: string;
  backoff?: BackoffOptions;
  probe?: ProbeOptions;
  /** How long transact / createMonitor / connected() wait for a connection by default. Default 10 s. */
  waitMs?: number;
  /** Backoff clock and random source (tests). */
  clock?: ReconnectClock;
}

export interface SessionTransactOptions extends TransactOptions {
  /** Wait this long for a connection when there is none. Default: the session's waitMs; 0 fails at once. */
  waitMs?: number;
  /**
   * The caller's consent to send the transaction again when its outcome is unknown (the connection was lost
   * after it was sent): right for idempotent transactions or ones guarded by "wait". Resent while the wait
   * budget (waitMs, counted from the call) lasts. Default false: such a transaction rejects with
   * OUTCOME_UNKNOWN.
   */
  retry?: boolean;
}

/** Errors that are the server's (or the caller's) answer, not the loss of the connection. */
const ANSWER_CODES: ReadonlySet<OvsdbErrorCode> = new Set(["TRANSACTION_ERROR", "RPC_ERROR", "VALIDATION_ERROR", "SCHEMA_ERROR", "CANCELLED", "REQUEST_TIMEOUT"]);

interface Waiter {
  resolve(conn: SessionConnection): void;
  reject(e: OvsdbError): void;
}

function asOvsdbError(e: unknown): OvsdbError {
  return isOvsdbError(e) ? e : new OvsdbError("CONNECTION_CLOSED", String(e), { cause: e });
}

export class OvsdbSession {
  readonly remotes: readonly Remote[];
  readonly database: string;
  private readonly options: OvsdbSessionOptions;
  private readonly policy: ReconnectPolicy<Remote>;
  private readonly clock: ReconnectClock;
  private readonly statusSubject: BehaviorSubject<SessionStatus>;
  private readonly schemas = new Map<string, DatabaseSchema>();
  private readonly clients = new Set<SessionConnection>();
  private readonly waiters = new Set<Waiter>();
  private readonly monitors: SessionMonitors;
  private readonly locks = new SessionLocks();
  private readonly notificationSubject = new Subject<OvsdbNotification>();
  /** The connection notifications$ follows (the one being established, then current). */
  private notifying: SessionConnection | undefined;
  private current: SessionConnection | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private minIndex = 0n;
  private learnedDumpMs = 0;
  private lastError: OvsdbError | undefined;
  /** Connection state, replaying the current one; completes after close(). */
  readonly status$: Observable<SessionStatus>;
  /**
   * Server notifications (update/update2/update3, locked, stolen, monitor_canceled) of the CURRENT connection
   * only, in arrival order, from the moment it is dialled (the resync of the monitors included); one stream
   * for the whole session, re-subscribed to every new connection. Nothing is replayed or buffered across a
   * reconnect. Completes after close().
   */
  readonly notifications$: Observable<OvsdbNotification> = this.notificationSubject.asObservable();
  /** State changes of the locks wanted through lock()/steal() (session-locks.ts); completes after close(). */
  readonly locks$: Observable<SessionLockEvent> = this.locks.events$;

  constructor(remotes: string | readonly string[], options: OvsdbSessionOptions) {
    this.remotes = parseRemotes(remotes);
    this.options = options;
    this.database = options.database;
    this.clock = options.clock ?? systemReconnectClock;
    this.policy = new ReconnectPolicy(this.remotes, options.backoff, this.clock);
    for (const [db, s] of Object.entries(options.schemas ?? {})) this.schemas.set(db, s);
    this.statusSubject = new BehaviorSubject<SessionStatus>({ state: "connecting", remote: this.remotes[0]?.text ?? "", attempt: 0, delayMs: 0, error: undefined });
    this.status$ = this.statusSubject.asObservable();
    this.monitors = new SessionMonitors(() => (this.current?.alive === true ? this.current : undefined));
    void this.run();
  }

  get status(): SessionStatus {
    return this.statusSubject.getValue();
  }

  /** The client of the current connection (undefined while disconnected). Do not close it. */
  get client(): OvsdbClient | undefined {
    return this.current?.alive === true ? this.current.client : undefined;
  }

  /** The inactivity probe of the current connection. */
  get probeStats(): ProbeStats | undefined {
    return this.current?.alive === true ? this.current.probe.stats : undefined;
  }

  /** The client once connected (waiting at most `waitMs`, default the session's waitMs). */
  async connected(waitMs?: number): Promise<OvsdbClient> {
    return (await this.whenConnected(waitMs ?? this.options.waitMs ?? 10_000, undefined, captureCallSite(this.connected))).client;
  }

  /**
   * transact on the current connection, waiting (bounded) for one. Rejects like OvsdbClient.transact, and
   * with NOT_CONNECTED (no connection in time), OUTCOME_UNKNOWN (sent, then the connection was lost before the
   * reply; never sent again unless `retry`), CONNECTION_CLOSED (the session was closed).
   */
  async transact(db: string, ops: readonly Operation[], options: SessionTransactOptions = {}): Promise<OperationResult[]> {
    const callSite = captureCallSite(this.transact);
    const started = this.clock.now();
    const budget = options.waitMs ?? this.options.waitMs ?? 10_000;
    let attempts = 0;
    for (;;) {
      const conn = await this.whenConnected(Math.max(0, budget - (this.clock.now() - started)), options.signal, callSite);
      attempts++;
      try {
        return await conn.client.transact(db, ops, { ...options, schema: options.schema ?? this.schemas.get(db) });
      } catch (e) {
        const err = asOvsdbError(e);
        if (err.code === "NOT_CONNECTED") continue; // never sent: the connection went away just before
        if (ANSWER_CODES.has(err.code) || conn.alive) throw e;
        // with consent, resend on the next connection while the wait budget lasts
        if (options.retry === true && this.clock.now() - started < budget) continue;
        throw withCallSite(
          new OvsdbError("OUTCOME_UNKNOWN", `transact: the connection to ${conn.remote} was lost before the reply (${err.message}); the transaction may or may not have been committed`, {
            cause: err,
            details: { remote: conn.remote, attempts, lostWith: err.code },
          }),
          callSite,
        );
      }
    }
  }

  /** get_schema on the current connection (remembered: transact validates against it, reconnects reuse it). */
  async getSchema(db: string = this.database, waitMs?: number): Promise<DatabaseSchema> {
    const known = this.schemas.get(db);
    if (known) return known;
    const client = await this.connected(waitMs);
    const { schema } = await client.getSchema(db);
    this.schemas.set(db, schema);
    return schema;
  }

  /**
   * A monitor kept across connections; resolves when its initial contents are in its replica (waiting at most
   * `waitMs` for a connection). Cancel it with monitor.cancel().
   */
  createMonitor<Tables = Record<string, TypedRow>>(schema: DatabaseSchema, options: MonitorOptions<Tables>, waitMs?: number): Promise<Monitor<Tables>> {
    if (this.closed) return Promise.reject(new OvsdbError("CONNECTION_CLOSED", "createMonitor: the session is closed"));
    this.schemas.set(options.db ?? schema.name, schema);
    return this.monitors.create(schema, options, waitMs ?? this.options.waitMs ?? 10_000);
  }

  /**
   * Row events of a monitor kept across connections, as an Observable (like monitorRows): subscribing creates
   * it, unsubscribing cancels it. Reconnects show up only as the exact deltas. Errors if the server refuses the
   * monitor; completes when the session closes.
   */
  monitorRows<Tables = Record<string, TypedRow>>(schema: DatabaseSchema, options: MonitorOptions<Tables>) {
    this.schemas.set(options.db ?? schema.name, schema);
    return this.monitors.rows(schema, options);
  }

  /**
   * lock: wants `name` for the whole session. Requested at once (waiting, bounded, for a connection) and again
   * on every new connection, before the session reports "connected". Resolves true when the lock is ours now;
   * false when another client owns it (a "locked" event on locks$ follows when it is ours).
   */
  async lock(name: string, waitMs?: number): Promise<boolean> {
    const callSite = captureCallSite(this.lock);
    this.locks.want(name);
    const conn = await this.whenConnected(waitMs ?? this.options.waitMs ?? 10_000, undefined, callSite);
    return this.locks.ensure(conn, name);
  }

  /** steal: takes `name` now (the owner gets "stolen"), then wants it as lock() does (re-requested with "lock"). */
  async steal(name: string, waitMs?: number): Promise<boolean> {
    const callSite = captureCallSite(this.steal);
    this.locks.want(name);
    const conn = await this.whenConnected(waitMs ?? this.options.waitMs ?? 10_000, undefined, callSite);
    return this.locks.steal(conn, name);
  }

  /** unlock: the session forgets `name` ("unlocked" on locks$) and releases it on the live connection. */
  async unlock(name: string): Promise<void> {
    await this.locks.release(this.current?.alive === true ? this.current : undefined, name);
  }

  /** Whether `name` is ours on the current connection (an "assert" of it would pass). */
  hasLock(name: string): boolean {
    return this.locks.held(name);
  }

  /** The last state of a lock the session wants (undefined if it does not want it). */
  lockState(name: string): SessionLockState | undefined {
    return this.locks.state(name);
  }

  /** Ends the session: pending calls reject (sent transactions with OUTCOME_UNKNOWN), monitors are cancelled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.locks.close();
    for (const w of [...this.waiters]) w.reject(new OvsdbError("CONNECTION_CLOSED", "the session was closed"));
    for (const c of [...this.clients]) await c.client.close();
    this.clients.clear();
    this.current = undefined;
    await this.monitors.cancelAll();
    this.notifying = undefined;
    this.notificationSubject.complete();
    this.statusSubject.next({ state: "closed" });
    this.statusSubject.complete();
  }

  // -- the dial loop ---------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    let everConnected = false;
    while (!this.closed) {
      const next = this.policy.next();
      const remote = next.remote.text;
      if (everConnected) this.setStatus({ state: "reconnecting", remote, attempt: next.attempt, delayMs: next.delayMs, error: this.lastError as OvsdbError });
      else this.setStatus({ state: "connecting", remote, attempt: next.attempt, delayMs: next.delayMs, error: this.lastError });
      if (next.delayMs > 0) await this.sleep(next.delayMs);
      if (this.closed) break;
      let conn: SessionConnection;
      try {
        conn = await this.establish(next.remote);
      } catch (e) {
        this.lastError = asOvsdbError(e);
        this.policy.failed();
        continue;
      }
      everConnected = true;
      this.policy.connected();
      const lost = await conn.lost;
      this.learnedDumpMs = Math.max(this.learnedDumpMs, conn.probe.stats.longestDumpMs);
      this.policy.lost({ handover: lost.handover });
      this.lastError = lost.error;
    }
  }

  /** Dials, checks the server, moves every monitor onto the new connection; then the session is connected. */
  private async establish(remote: Remote): Promise<SessionConnection> {
    const started = this.clock.now();
    const transport = await dial(remote, { connectTimeoutMs: this.options.connectTimeoutMs, ssl: this.options.ssl });
    const conn = new SessionConnection(transport, { ...this.options, schemas: Object.fromEntries(this.schemas) }, this.options.probe ?? {}, this.learnedDumpMs);
    this.clients.add(conn);
    this.notifying = conn;
    conn.client.notifications$.subscribe((n) => {
      if (this.notifying === conn && !this.closed) this.notificationSubject.next(n);
    });
    this.locks.attach(conn);
    void conn.lost.then((lost) => {
      if (this.current === conn) this.current = undefined;
      if (this.notifying === conn) this.notifying = undefined;
      this.monitors.connectionLost(conn, lost.error);
      if (!conn.carriesMonitors) this.drop(conn);
    });
    try {
      if (this.closed) throw new OvsdbError("CONNECTION_CLOSED", "the session was closed");
      const check = (db: ServerDatabase | undefined): OvsdbError | undefined => {
        const refusal = checkServerDatabase(db, { database: this.database, leaderOnly: this.options.leaderOnly ?? true, minIndex: this.minIndex, clusterId: this.options.clusterId });
        if (refusal === undefined && db?.index !== undefined && db.index > this.minIndex) this.minIndex = db.index;
        return refusal;
      };
      conn.watch = await ServerWatch.start(conn, this.database, (db) => {
        const refusal = check(db);
        if (refusal !== undefined && conn.alive) conn.handOver(refusal);
      });
      const refusal = conn.watch.supported ? check(conn.watch.current) : undefined;
      if (refusal !== undefined) throw refusal;
      const fast0 = conn.fastResyncs;
      const full0 = conn.fullResyncs;
      // locks are per connection: request them again alongside the monitors' resync, before "connected"
      const [moved] = await Promise.all([this.monitors.moveTo(conn), this.locks.requestAll(conn).catch((e: unknown) => (conn.alive ? undefined : Promise.reject(e)))]);
      if (!conn.alive || this.closed) throw (await conn.lost).error;
      for (const c of [...this.clients]) if (c !== conn) this.drop(c);
      this.current = conn;
      this.monitors.attachStragglers(conn);
      const resync = { monitors: moved, fast: conn.fastResyncs - fast0, full: conn.fullResyncs - full0, ms: this.clock.now() - started };
      this.setStatus({ state: "connected", remote: remote.text, server: conn.watch.supported ? conn.watch.current : undefined, resync });
      for (const w of [...this.waiters]) w.resolve(conn);
      return conn;
    } catch (e) {
      const err = asOvsdbError(e);
      if (conn.alive) conn.client.abort(err);
      throw err;
    }
  }

  private drop(conn: SessionConnection): void {
    if (!this.clients.delete(conn)) return;
    void conn.client.close();
  }

  private whenConnected(waitMs: number, signal: AbortSignal | undefined, callSite: string): Promise<SessionConnection> {
    if (this.closed) return Promise.reject(withCallSite(new OvsdbError("CONNECTION_CLOSED", "the session is closed"), callSite));
    if (this.current?.alive === true) return Promise.resolve(this.current);
    if (signal?.aborted) return Promise.reject(withCallSite(new OvsdbError("CANCELLED", "aborted while waiting for a connection"), callSite));
    const notConnected = (): OvsdbError =>
      new OvsdbError("NOT_CONNECTED", `no connection to ${this.database} within ${waitMs} ms${this.lastError ? ` (last error: ${this.lastError.message})` : ""}`, {
        cause: this.lastError,
        details: { waitMs, lastError: this.lastError?.code },
      });
    if (waitMs <= 0) return Promise.reject(withCallSite(notConnected(), callSite));
    return new Promise<SessionConnection>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        resolve: (c) => (done(), resolve(c)),
        reject: (e) => (done(), reject(withCallSite(e, callSite))),
      };
      const onAbort = (): void => waiter.reject(new OvsdbError("CANCELLED", "aborted while waiting for a connection"));
      const timer = setTimeout(() => waiter.reject(notConnected()), waitMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private setStatus(s: SessionStatus): void {
    if (!this.closed) this.statusSubject.next(s);
  }
}

/** Opens a session and waits for its first connection (at most options.waitMs, default 10 s; closed on failure). */
export async function connectSession(remotes: string | readonly string[], options: OvsdbSessionOptions): Promise<OvsdbSession> {
  const callSite = captureCallSite(connectSession);
  const session = new OvsdbSession(remotes, options);
  try {
    await session.connected();
  } catch (e) {
    await session.close();
    const err = asOvsdbError(e);
    const last = isOvsdbError(err.cause) ? err.cause : undefined;
    throw withCallSite(last ? new OvsdbError(last.code, `connectSession: ${err.message}`, { cause: err, details: last.details }) : err, callSite);
  }
  return session;
}
