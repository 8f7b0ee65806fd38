/**
 * The monitors of an OvsdbSession. Each is a Monitor (with its Replica and last transaction id) that outlives
 * connections: on every new connection `moveTo` re-establishes all of them on it, concurrently, with
 * Monitor.resubscribe (monitor_cond_since from the monitor's own last transaction id; a full dump turned into
 * exact deltas when the server no longer has it). Nothing is purged in between: while disconnected a replica
 * keeps its rows.
 *
 * A monitor created while there is no connection waits, attached to a placeholder client, and is started on
 * the next one. A monitor "fails" for good only when the server refuses it on a live connection; a failure
 * caused by the loss of the connection is repaired by the next moveTo.
 */
import { NEVER, Observable } from "rxjs";
import type { RowEventOf } from "../cache/row-event.js";
import type { TypedRow } from "../protocol/datum.js";
import { OvsdbError } from "../protocol/errors.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import { Monitor, type MonitorClient, type MonitorOptions } from "../monitor/monitor.js";
import type { SessionConnection } from "./session-connection.js";

function notConnected(): Promise<never> {
  return Promise.reject(new OvsdbError("NOT_CONNECTED", "the session is not connected"));
}

/** Stands in for a connection until the first one (never used to send: moveTo replaces it). */
const DETACHED: MonitorClient = {
  notifications$: NEVER,
  monitor: notConnected,
  monitorCond: notConnected,
  monitorCondSince: notConnected,
  monitorCondChange: notConnected,
  monitorCancel: notConnected,
};

interface Entry {
  conn: SessionConnection | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMonitor = Monitor<any>;

export class SessionMonitors {
  private readonly entries = new Map<AnyMonitor, Entry>();

  constructor(private readonly live: () => SessionConnection | undefined) {}

  get size(): number {
    return this.entries.size;
  }

  /** A new monitor, started at once on the live connection if there is one. */
  register<Tables>(schema: DatabaseSchema, options: MonitorOptions<Tables>): Monitor<Tables> {
    const conn = this.live();
    const monitor = new Monitor<Tables>(conn ?? DETACHED, schema, options);
    const entry: Entry = { conn: undefined };
    this.entries.set(monitor, entry);
    monitor.status$.subscribe({ complete: () => this.entries.delete(monitor) });
    if (conn !== undefined) {
      entry.conn = conn;
      conn.carriesMonitors = true;
      monitor.start().catch(() => undefined); // a lost connection is repaired by the next moveTo
    }
    return monitor;
  }

  /** Resolves with the monitor once its initial contents are applied. */
  create<Tables>(schema: DatabaseSchema, options: MonitorOptions<Tables>, waitMs: number): Promise<Monitor<Tables>> {
    const monitor = this.register(schema, options);
    return new Promise<Monitor<Tables>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error: OvsdbError | undefined): void => {
        if (timer !== undefined) clearTimeout(timer);
        queueMicrotask(() => sub.unsubscribe());
        if (error === undefined) return resolve(monitor);
        monitor.cancel().catch(() => undefined);
        reject(error);
      };
      const arm = (): void => {
        timer = setTimeout(() => {
          // the wait bounds the time without a connection; a dump in progress is the probe's business
          if (this.live() !== undefined) return arm();
          finish(new OvsdbError("NOT_CONNECTED", `createMonitor: no connection within ${waitMs} ms`, { details: { waitMs } }));
        }, waitMs);
      };
      arm();
      const sub = monitor.status$.subscribe((s) => {
        if (s.state === "live") finish(undefined);
        else if (s.state === "failed" && this.refused(monitor)) finish(s.error);
        else if (s.state === "cancelled") finish(new OvsdbError("CONNECTION_CLOSED", "createMonitor: cancelled (session closed?)"));
      });
    });
  }

  /** Row events of a session monitor; subscribing creates it, unsubscribing cancels it. */
  rows<Tables = Record<string, TypedRow>>(schema: DatabaseSchema, options: MonitorOptions<Tables>): Observable<RowEventOf<Tables>> {
    return new Observable<RowEventOf<Tables>>((subscriber) => {
      const monitor = this.register(schema, options);
      const events = monitor.changes$.subscribe(subscriber);
      const status = monitor.status$.subscribe((s) => {
        if (s.state === "failed" && this.refused(monitor)) subscriber.error(s.error);
      });
      return () => {
        events.unsubscribe();
        status.unsubscribe();
        monitor.cancel().catch(() => undefined);
      };
    });
  }

  /**
   * Re-establishes every monitor on `conn` (monitors created meanwhile included); resolves with how many.
   * Rejects with the connection's error when it is lost on the way.
   */
  async moveTo(conn: SessionConnection): Promise<number> {
    let moved = 0;
    for (;;) {
      const pending = [...this.entries].filter(([, e]) => e.conn !== conn);
      if (pending.length === 0) return moved;
      conn.carriesMonitors = true;
      const results = await Promise.allSettled(
        pending.map(([monitor, entry]) => {
          entry.conn = conn;
          return monitor.resubscribe({ client: conn });
        }),
      );
      if (!conn.alive) throw (await conn.lost).error;
      moved += results.filter((r) => r.status === "fulfilled").length;
    }
  }

  /** Starts, without waiting, monitors created between the end of moveTo and the session becoming connected. */
  attachStragglers(conn: SessionConnection): void {
    for (const [monitor, entry] of this.entries) {
      if (entry.conn === conn) continue;
      entry.conn = conn;
      conn.carriesMonitors = true;
      monitor.resubscribe({ client: conn }).catch(() => undefined);
    }
  }

  /**
   * The connection `conn` was lost: its monitors report "resyncing" (reason: the connection's error) until
   * the next moveTo has applied their resync, so a monitor's status says whether its data is current.
   */
  connectionLost(conn: SessionConnection, error: OvsdbError): void {
    for (const [monitor, entry] of this.entries) if (entry.conn === conn) monitor.connectionLost(error);
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((m) => m.cancel().catch(() => undefined)));
  }

  /** The monitor failed while its connection is up: the server refused it (not a connection loss). */
  private refused(monitor: AnyMonitor): boolean {
    return this.entries.get(monitor)?.conn?.alive === true;
  }
}
