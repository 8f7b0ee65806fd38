/**
 * SessionClient: one NbClient / SbClient over a reconnecting OvsdbSession (what NbClient.connectSession does,
 * with the session kept here so that close() also ends a first connection still being waited for), opened
 * once and then kept: the session detects a lost or silent server (inactivity probe: a half-open TCP
 * connection or a frozen server is dropped with PROBE_TIMEOUT), reconnects with backoff, and resyncs the
 * replica (monitor_cond_since; never purged). Only the FIRST open is retried here (connectSession gives up
 * when no server answers within its wait); after that the session heals itself.
 *
 * Reads must not decide on the replica of a connection that is gone: get() hands the client out only while
 * the session is "connected" (NOT_CONNECTED otherwise, with the session's state and last error).
 * `onStatus` hears every transition (for logs, readiness and a resync after a reconnect).
 */
import { OvsdbError, OvsdbSession, type OvsdbSessionOptions, type SessionStatus } from "@ovnkit/ovsdb";

/** A typed client whose connection is an OvsdbSession (NbClient / SbClient from connectSession). */
export interface SessionBacked {
  readonly ovsdb: { readonly status: { readonly state: string } };
  close(): Promise<void>;
}

/** What the backend needs from a connection source (SessionClient, or LazyConnection over fixed clients). */
export interface ClientSource<T> {
  /** The client is usable now (its connection is up and its replica current). */
  readonly connected: boolean;
  /** The client opened so far, connected or not. */
  readonly current: T | undefined;
  /** The client if connected; opens it on first use; NOT_CONNECTED (or the open's error) otherwise. */
  get(): Promise<T>;
  close(): Promise<void>;
}

export class SessionClient<T extends SessionBacked> implements ClientSource<T> {
  private client: T | undefined;
  private session: OvsdbSession | undefined;
  private opening: Promise<T> | undefined;
  private closed = false;
  private subscription: { unsubscribe(): void } | undefined;
  private readonly listeners = new Set<(status: SessionStatus, client: T) => void>();

  /** `attach`: the typed client on the session (NbClient.attach / SbClient.attach; the session stays ours). */
  constructor(
    private readonly remotes: string | readonly string[],
    private readonly options: OvsdbSessionOptions,
    private readonly attach: (session: OvsdbSession) => Promise<T>,
    readonly what: string,
  ) {}

  get current(): T | undefined {
    return this.client;
  }

  get connected(): boolean {
    return this.client !== undefined && this.session?.status.state === "connected";
  }

  /** Every status of the session once opened (replays the current one to a listener added later). */
  onStatus(listener: (status: SessionStatus, client: T) => void): () => void {
    this.listeners.add(listener);
    if (this.client !== undefined && this.session !== undefined) listener(this.session.status, this.client);
    return () => this.listeners.delete(listener);
  }

  async get(): Promise<T> {
    if (this.closed) throw new OvsdbError("CONNECTION_CLOSED", `${this.what}: closed`);
    const c = this.client ?? (await this.openOnce());
    const status = this.session!.status;
    if (status.state === "connected") return c;
    const error = "error" in status ? status.error : undefined;
    throw new OvsdbError("NOT_CONNECTED", `${this.what}: not connected (${status.state}${error ? `: ${error.code}` : ""}); the session is reconnecting`, {
      details: { state: status.state, ...(error ? { lastError: error.code } : {}) },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    const c = this.client;
    this.client = undefined;
    this.subscription?.unsubscribe();
    await session?.close().catch(() => undefined); // also ends a first connection still being waited for
    await this.opening?.catch(() => undefined);
    await c?.close().catch(() => undefined);
  }

  private openOnce(): Promise<T> {
    this.opening ??= (async () => {
      const session = new OvsdbSession(this.remotes, this.options);
      this.session = session;
      let c: T;
      try {
        await session.connected();
        c = await this.attach(session);
      } catch (e) {
        await session.close().catch(() => undefined);
        throw e;
      }
      if (this.closed) {
        await c.close().catch(() => undefined);
        await session.close().catch(() => undefined);
        throw new OvsdbError("CONNECTION_CLOSED", `${this.what}: closed`);
      }
      this.client = c;
      this.subscription = session.status$.subscribe((s) => {
        for (const l of this.listeners) l(s, c);
      });
      return c;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }
}
