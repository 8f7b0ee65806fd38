/**
 * Which server a session may use, from ovsdb-server's own "_Server" database (ovsdb-server(5)): one row per
 * database in table Database with name, model (standalone / clustered / relay), connected (a cluster member in
 * contact with the cluster; a relay in contact with its source), leader (this member is the Raft leader) and
 * index (the Raft log index the member has applied). The rules are those of the OVS IDLs:
 *
 *   no row for the database                          DATABASE_UNAVAILABLE
 *   clustered, not connected to the cluster          LEADER_UNAVAILABLE   (try another member)
 *   clustered, leader-only and not the leader        LEADER_UNAVAILABLE
 *   clustered, index below one already seen          STALE_SERVER          (it would show older data)
 *   relay, not connected to its source               LEADER_UNAVAILABLE
 *   relay, leader-only                               LEADER_UNAVAILABLE   (a relay is never leader)
 *   standalone                                       accepted
 *
 * checkServerDatabase is pure. ServerWatch monitors the row on a live connection (monitor_cond, only the
 * small columns: the schema column is left out so a reconnect stays cheap) and reports every change, so the
 * session drops a member as soon as it loses leadership or leaves the cluster.
 */
import type { Subscription } from "rxjs";
import type { TypedRow } from "../protocol/datum.js";
import { OvsdbError, isOvsdbError } from "../protocol/errors.js";
import { parseSchema, type DatabaseSchema } from "../protocol/schema.js";
import { Monitor, type MonitorClient } from "../monitor/monitor.js";

export type ServerDatabaseModel = "standalone" | "clustered" | "relay";

/** A row of _Server.Database, as the session reads it. */
export interface ServerDatabase {
  readonly name: string;
  readonly model: ServerDatabaseModel;
  readonly connected: boolean;
  readonly leader: boolean;
  /** Raft log index (clustered only). */
  readonly index: bigint | undefined;
  /** Cluster id and server id (clustered only). */
  readonly cid: string | undefined;
  readonly sid: string | undefined;
}

export interface ServerCheckOptions {
  database: string;
  leaderOnly: boolean;
  /** The highest index seen so far from any member (0n at first). */
  minIndex: bigint;
  /** Accept only this cluster (its cid). */
  clusterId?: string;
}

export const SERVER_DATABASE_COLUMNS = ["name", "model", "connected", "leader", "index", "cid", "sid"] as const;

/** The part of the _Server schema (version 1.2) the session reads. */
export const SERVER_SCHEMA: DatabaseSchema = parseSchema({
  name: "_Server",
  version: "1.2.0",
  tables: {
    Database: {
      columns: {
        name: { type: "string" },
        model: { type: { key: { type: "string", enum: ["set", ["clustered", "relay", "standalone"]] } } },
        connected: { type: "boolean" },
        leader: { type: "boolean" },
        index: { type: { key: "integer", min: 0 } },
        cid: { type: { key: "uuid", min: 0 } },
        sid: { type: { key: "uuid", min: 0 } },
      },
    },
  },
});

/** Reads a typed _Server.Database row. */
export function serverDatabaseFromRow(row: TypedRow): ServerDatabase {
  const index = row.index as number | bigint | null | undefined;
  return {
    name: String(row.name),
    model: row.model as ServerDatabaseModel,
    connected: row.connected === true,
    leader: row.leader === true,
    index: index === null || index === undefined ? undefined : BigInt(index),
    cid: (row.cid as string | null | undefined) ?? undefined,
    sid: (row.sid as string | null | undefined) ?? undefined,
  };
}

function refuse(code: "LEADER_UNAVAILABLE" | "STALE_SERVER" | "DATABASE_UNAVAILABLE", why: string, db: ServerDatabase | undefined, extra: Record<string, unknown> = {}): OvsdbError {
  return new OvsdbError(code, `${why}; trying another server`, {
    details: { ...extra, database: db?.name, model: db?.model, connected: db?.connected, leader: db?.leader, index: db?.index, sid: db?.sid },
  });
}

/** undefined when the server is fit for the session, else why not. */
export function checkServerDatabase(db: ServerDatabase | undefined, options: ServerCheckOptions): OvsdbError | undefined {
  if (db === undefined) return refuse("DATABASE_UNAVAILABLE", `the server does not serve database ${options.database}`, undefined, { database: options.database });
  if (db.model === "clustered") {
    if (options.clusterId !== undefined && db.cid !== undefined && db.cid !== options.clusterId) {
      return refuse("DATABASE_UNAVAILABLE", `clustered database ${db.name} belongs to cluster ${db.cid}, not ${options.clusterId}`, db);
    }
    if (!db.connected) return refuse("LEADER_UNAVAILABLE", `clustered database ${db.name}: the server is disconnected from the cluster`, db);
    if (options.leaderOnly && !db.leader) return refuse("LEADER_UNAVAILABLE", `clustered database ${db.name}: the server is not the cluster leader`, db);
    if (db.index !== undefined && db.index < options.minIndex) {
      return refuse("STALE_SERVER", `clustered database ${db.name}: the server has stale data (index ${db.index} < ${options.minIndex} already seen)`, db, {
        minIndex: options.minIndex,
      });
    }
  } else if (db.model === "relay") {
    if (!db.connected) return refuse("LEADER_UNAVAILABLE", `relay database ${db.name}: the relay is disconnected from its source`, db);
    if (options.leaderOnly) return refuse("LEADER_UNAVAILABLE", `relay database ${db.name}: a relay is never the leader (leader-only session)`, db);
  }
  return undefined;
}

/**
 * A live monitor of this server's _Server.Database row for one database. `current` is the latest row;
 * `onChange` runs after every change with it. A server without a _Server database (older than OVS 2.9)
 * yields `supported === false` and no checks.
 */
export class ServerWatch {
  private readonly monitor: Monitor<{ Database: TypedRow }>;
  private sub: Subscription | undefined;
  private supported_ = true;

  private constructor(client: MonitorClient, readonly database: string) {
    this.monitor = new Monitor<{ Database: TypedRow }>(client, SERVER_SCHEMA, {
      db: "_Server",
      method: "monitor_cond",
      tables: { Database: { columns: [...SERVER_DATABASE_COLUMNS], where: [["name", "==", database]] } },
    });
  }

  static async start(client: MonitorClient, database: string, onChange: (db: ServerDatabase | undefined) => void): Promise<ServerWatch> {
    const watch = new ServerWatch(client, database);
    try {
      await watch.monitor.start();
    } catch (e) {
      // ovsdb-server without _Server answers "unknown database"
      if (isOvsdbError(e, "RPC_ERROR")) {
        watch.supported_ = false;
        return watch;
      }
      throw e;
    }
    watch.sub = watch.monitor.batches$.subscribe(() => onChange(watch.current));
    return watch;
  }

  get supported(): boolean {
    return this.supported_;
  }

  /** The row for the database, or undefined when the server does not serve it. */
  get current(): ServerDatabase | undefined {
    for (const row of this.monitor.table("Database")) if (row.name === this.database) return serverDatabaseFromRow(row);
    return undefined;
  }

  /** Stops reporting (the monitor dies with its connection; nothing is sent). */
  stop(): void {
    this.sub?.unsubscribe();
  }
}
