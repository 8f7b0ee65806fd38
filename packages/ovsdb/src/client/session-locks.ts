/**
 * The locks of an OvsdbSession. OVSDB locks (RFC 7047 4.1.8-4.1.10: lock / steal / unlock, and the "locked" /
 * "stolen" notifications) belong to one connection: the server forgets them when the connection ends. The
 * session remembers every lock its user wants and requests it again (with "lock") on every new connection,
 * before the session reports "connected", so a transaction guarded by an "assert" operation waits for the
 * request to be back on the server.
 *
 * The state of each lock is published as a typed stream (`events$`):
 *
 *   locked    the lock is ours on the current connection; `reacquired` is true when we held it before the
 *             previous connection was lost (the re-request after a reconnect got it back)
 *   waiting   requested, but another client owns it: a "locked" event follows when it is ours
 *   stolen    another client stole it ("stolen" notification); the request stays queued on the server, so a
 *             "locked" event follows when the thief unlocks (or disconnects)
 *   lost      the connection was lost while we owned it; it is requested again on the next connection
 *   unlocked  unlock() was called: the session forgets the lock
 *
 * "steal" is a one-time act: after a reconnect a stolen-then-lost lock is re-requested with "lock", never
 * stolen again behind the user's back.
 */
import { Subject, type Observable, type Subscription } from "rxjs";
import type { OvsdbError } from "../protocol/errors.js";
import type { OvsdbNotification } from "../rpc/methods.js";
import type { SessionConnection } from "./session-connection.js";

export type SessionLockEvent =
  | { readonly lock: string; readonly state: "locked"; readonly reacquired: boolean; readonly remote: string }
  | { readonly lock: string; readonly state: "waiting"; readonly remote: string }
  | { readonly lock: string; readonly state: "stolen"; readonly remote: string }
  | { readonly lock: string; readonly state: "lost"; readonly error: OvsdbError }
  | { readonly lock: string; readonly state: "unlocked" };

export type SessionLockState = SessionLockEvent["state"];

interface LockEntry {
  readonly name: string;
  /** The connection the current request was sent on (undefined: not requested on the live connection). */
  conn: SessionConnection | undefined;
  /** The request on `conn` (resolves with the server's immediate answer). */
  request: Promise<boolean> | undefined;
  held: boolean;
  /** Held when the previous connection was lost: the next "locked" is a re-acquisition. */
  lostWhileHeld: boolean;
  state: SessionLockState;
}

export class SessionLocks {
  private readonly entries = new Map<string, LockEntry>();
  private readonly subject = new Subject<SessionLockEvent>();
  private readonly subs = new Map<SessionConnection, Subscription>();
  private closed = false;
  readonly events$: Observable<SessionLockEvent> = this.subject.asObservable();

  /** Whether the lock is ours on the current connection. */
  held(name: string): boolean {
    return this.entries.get(name)?.held === true;
  }

  /** The last state of a lock the session wants (undefined when it does not want it). */
  state(name: string): SessionLockState | undefined {
    return this.entries.get(name)?.state;
  }

  /** The names of the locks the session wants. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** Remembers `name` as wanted (re-requested on every connection). */
  want(name: string): void {
    if (!this.entries.has(name)) this.entries.set(name, { name, conn: undefined, request: undefined, held: false, lostWhileHeld: false, state: "waiting" });
  }

  wants(name: string): boolean {
    return this.entries.has(name);
  }

  /** Follows the lock notifications of a new connection (call before any lock request is sent on it). */
  attach(conn: SessionConnection): void {
    this.subs.set(conn, conn.client.notifications$.subscribe((n) => this.onNotification(conn, n)));
    void conn.lost.then(({ error }) => this.detach(conn, error));
  }

  /** Requests every wanted lock on `conn` that is not requested there yet (a new connection). */
  async requestAll(conn: SessionConnection): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.ensure(conn, e.name)));
  }

  /** Sends "lock" for `name` on `conn` unless already requested there; resolves with the server's answer. */
  ensure(conn: SessionConnection, name: string): Promise<boolean> {
    const entry = this.entries.get(name);
    if (entry === undefined) return Promise.resolve(false);
    if (entry.conn === conn && entry.request !== undefined) return entry.request.then(() => entry.held);
    return this.send(conn, entry, "lock");
  }

  /** Sends "steal" for `name` on `conn` (after "unlock" when a request is already queued there). */
  async steal(conn: SessionConnection, name: string): Promise<boolean> {
    const entry = this.entries.get(name);
    if (entry === undefined) return false;
    if (entry.conn === conn) {
      if (entry.held) return true;
      await conn.client.unlock(name);
      entry.conn = undefined;
      entry.request = undefined;
    }
    return this.send(conn, entry, "steal");
  }

  /** Forgets the lock; sends "unlock" on `conn` when it was requested there. */
  async release(conn: SessionConnection | undefined, name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (entry === undefined) return;
    this.entries.delete(name);
    const requestedOn = entry.conn;
    entry.conn = undefined;
    entry.held = false;
    this.emit(entry, { lock: name, state: "unlocked" });
    if (requestedOn !== undefined && requestedOn === conn && conn.alive) await conn.client.unlock(name);
  }

  close(): void {
    this.closed = true;
    for (const s of this.subs.values()) s.unsubscribe();
    this.subs.clear();
    this.subject.complete();
  }

  // -- internals -------------------------------------------------------------------------------------------

  private send(conn: SessionConnection, entry: LockEntry, method: "lock" | "steal"): Promise<boolean> {
    entry.conn = conn;
    const request = (method === "lock" ? conn.client.lock(entry.name) : conn.client.steal(entry.name)).then((locked) => {
      if (entry.conn !== conn || this.entries.get(entry.name) !== entry) return locked;
      if (locked) this.gained(conn, entry);
      else if (!entry.held) this.emit(entry, { lock: entry.name, state: "waiting", remote: conn.remote });
      return locked;
    });
    entry.request = request;
    request.catch(() => {
      if (entry.conn !== conn) return;
      entry.conn = undefined;
      entry.request = undefined;
      // refused by a live server (e.g. not an <id>): forgotten, not requested again on every connection
      if (conn.alive && this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    });
    return request;
  }

  private gained(conn: SessionConnection, entry: LockEntry): void {
    if (entry.held) return;
    entry.held = true;
    const reacquired = entry.lostWhileHeld;
    entry.lostWhileHeld = false;
    this.emit(entry, { lock: entry.name, state: "locked", reacquired, remote: conn.remote });
  }

  private onNotification(conn: SessionConnection, n: OvsdbNotification): void {
    if (n.method !== "locked" && n.method !== "stolen") return;
    const entry = this.entries.get(n.lockName);
    if (entry === undefined || entry.conn !== conn) return;
    if (n.method === "locked") this.gained(conn, entry);
    else {
      entry.held = false;
      this.emit(entry, { lock: entry.name, state: "stolen", remote: conn.remote });
    }
  }

  private detach(conn: SessionConnection, error: OvsdbError): void {
    if (this.closed) return;
    this.subs.get(conn)?.unsubscribe();
    this.subs.delete(conn);
    for (const entry of this.entries.values()) {
      if (entry.conn !== conn) continue;
      entry.conn = undefined;
      entry.request = undefined;
      if (!entry.held) continue;
      entry.held = false;
      entry.lostWhileHeld = true;
      this.emit(entry, { lock: entry.name, state: "lost", error });
    }
  }

  private emit(entry: LockEntry, event: SessionLockEvent): void {
    entry.state = event.state;
    if (!this.closed) this.subject.next(event);
  }
}
