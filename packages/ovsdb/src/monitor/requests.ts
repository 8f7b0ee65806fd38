/**
 * Builds and checks the per-table requests of monitor / monitor_cond / monitor_cond_since and
 * monitor_cond_change (RFC 7047 4.1.5, ovsdb-server(7) 4.1.12, 4.1.13, 4.1.15). Pure.
 */
import { OvsdbError } from "../protocol/errors.js";
import type { Condition } from "../protocol/operations.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import type { IndexSpec } from "../cache/indexes.js";
import type { ReplicaTables } from "../cache/replica.js";
import type { MonitorCondChangeRequests, MonitorCondRequest, MonitorCondRequests } from "../rpc/methods.js";

export type MonitorMethod = "monitor" | "monitor_cond" | "monitor_cond_since";

/** What to monitor in one table. */
export interface MonitorTableRequest {
  /** Monitored columns; default all. */
  columns?: readonly string[];
  /** Rows to monitor (monitor_cond / monitor_cond_since only); default all. [true] / [false] are allowed. */
  where?: readonly Condition[];
  /** Client indexes of the replica (e.g. {name: "pod", columns: [{column: "external_ids", key: "pod"}]}). */
  indexes?: readonly IndexSpec[];
}

/** table -> its request, or `true` for every column and row. */
export type MonitorTables<Tables> = { [K in keyof Tables & string]?: MonitorTableRequest | true };

function normalize(req: MonitorTableRequest | true | undefined): MonitorTableRequest | undefined {
  return req === true ? {} : req;
}

/** Checks the tables against the schema and the method; returns the normalized requests. */
export function checkMonitorTables(
  schema: DatabaseSchema,
  method: MonitorMethod,
  tables: Record<string, MonitorTableRequest | true | undefined>,
): Map<string, MonitorTableRequest> {
  const out = new Map<string, MonitorTableRequest>();
  for (const [table, raw] of Object.entries(tables)) {
    const req = normalize(raw);
    if (req === undefined) continue;
    if (!schema.tables.has(table)) {
      throw new OvsdbError("VALIDATION_ERROR", `database ${schema.name} has no table ${table}`, { details: { table } });
    }
    if (req.where !== undefined && method === "monitor") {
      throw new OvsdbError("VALIDATION_ERROR", `monitor: table ${table} has conditions; use monitor_cond or monitor_cond_since`, {
        details: { table },
      });
    }
    out.set(table, req);
  }
  if (out.size === 0) throw new OvsdbError("VALIDATION_ERROR", "a monitor needs at least one table");
  return out;
}

/** The replica layout (columns, client indexes) for the requests. */
export function replicaTables(requests: ReadonlyMap<string, MonitorTableRequest>): ReplicaTables<Record<string, never>> {
  const out: Record<string, { columns?: readonly string[]; indexes?: readonly IndexSpec[] }> = {};
  for (const [table, req] of requests) {
    const o: { columns?: readonly string[]; indexes?: readonly IndexSpec[] } = {};
    if (req.columns !== undefined) o.columns = req.columns;
    if (req.indexes !== undefined) o.indexes = req.indexes;
    out[table] = o;
  }
  return out as ReplicaTables<Record<string, never>>;
}

/** <monitor-requests> / <monitor-cond-requests> as sent on the wire. */
export function wireMonitorRequests(requests: ReadonlyMap<string, MonitorTableRequest>): MonitorCondRequests {
  const out: MonitorCondRequests = {};
  for (const [table, req] of requests) {
    const r: MonitorCondRequest = {};
    if (req.columns !== undefined) r.columns = [...req.columns];
    if (req.where !== undefined) r.where = [...req.where];
    out[table] = r;
  }
  return out;
}

/** <monitor-cond-update-requests> for new conditions; checks the tables are monitored. */
export function wireConditionChange(
  requests: ReadonlyMap<string, MonitorTableRequest>,
  where: Record<string, readonly Condition[]>,
): MonitorCondChangeRequests {
  const out: MonitorCondChangeRequests = {};
  for (const [table, conds] of Object.entries(where)) {
    if (!requests.has(table)) {
      throw new OvsdbError("VALIDATION_ERROR", `monitor_cond_change: table ${table} is not monitored`, { details: { table } });
    }
    out[table] = [{ where: [...conds] }];
  }
  return out;
}
