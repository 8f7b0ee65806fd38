/**
 * The OVSDB JSON-RPC methods (RFC 7047 section 4.1 + Open vSwitch extensions, ovsdb-server(1)): typed params,
 * result checks, and the notifications the server sends. Pure: no I/O (client/client.ts sends them).
 *
 *   list_dbs                []                                   -> [db...]
 *   get_schema              [db]                                 -> <database-schema>
 *   transact                [db, op...]                          -> [result...]
 *   cancel (notification)   [request-id]                         (the transact replies with error "canceled")
 *   monitor                 [db, monitor-id, requests]           -> <table-updates>
 *   monitor_cond            [db, monitor-id, cond-requests]      -> <table-updates2>
 *   monitor_cond_since      [db, monitor-id, cond-requests, txn] -> [found, last-txn-id, <table-updates2>]
 *   monitor_cond_change     [monitor-id, new-monitor-id, changes]-> {}
 *   monitor_cancel          [monitor-id]                         -> {}
 *   lock / steal / unlock   [lock-name]                          -> {"locked": bool} / {"locked": true} / {}
 *   echo                    [any...]                             -> the same params
 *   get_server_id           []                                   -> uuid string
 *   set_db_change_aware     [bool]                               -> {}
 * Notifications: update [id, <table-updates>], update2 [id, <table-updates2>], update3 [id, last-txn-id,
 * <table-updates2>], locked [lock], stolen [lock], monitor_canceled [id].
 */
import { OvsdbError } from "../protocol/errors.js";
import { safeJson } from "../protocol/notation.js";
import type { Condition } from "../protocol/operations.js";
import type { TableUpdates, TableUpdates2 } from "../protocol/updates.js";
import type { JsonValue } from "./json.js";

/** A monitor id is any JSON value chosen by the client (RFC 7047 <json-value>). */
export type MonitorId = JsonValue;

export interface MonitorSelect {
  initial?: boolean;
  insert?: boolean;
  delete?: boolean;
  modify?: boolean;
}
/** <monitor-request> for "monitor". */
export interface MonitorRequest {
  columns?: string[];
  select?: MonitorSelect;
}
/** <monitor-cond-request> for "monitor_cond" / "monitor_cond_since". */
export interface MonitorCondRequest extends MonitorRequest {
  where?: Condition[];
}
/** table -> one request or an array of them. */
export type MonitorRequests = Record<string, MonitorRequest | MonitorRequest[]>;
export type MonitorCondRequests = Record<string, MonitorCondRequest | MonitorCondRequest[]>;
/** "monitor_cond_change": table -> new columns / condition. */
export type MonitorCondChangeRequests = Record<string, Array<{ columns?: string[]; where?: Condition[] }>>;

export interface MonitorCondSinceResult {
  /** True when the server still had `lastTxnId` in its history: `updates` are then only the changes since. */
  found: boolean;
  /** The id of the most recent transaction (all zeros on a standalone server). */
  lastTxnId: string;
  updates: TableUpdates2;
}

export type OvsdbNotification =
  | { method: "update"; monitorId: MonitorId; updates: TableUpdates }
  | { method: "update2"; monitorId: MonitorId; updates: TableUpdates2 }
  | { method: "update3"; monitorId: MonitorId; lastTxnId: string; updates: TableUpdates2 }
  | { method: "locked"; lockName: string }
  | { method: "stolen"; lockName: string }
  | { method: "monitor_canceled"; monitorId: MonitorId }
  /** A notification this library does not know, passed on as is. */
  | { method: "unknown"; name: string; params: JsonValue[] };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function unexpected(method: string, what: string, result: unknown): OvsdbError {
  return new OvsdbError("UNEXPECTED_REPLY", `${method} reply: ${what}`, { details: { method, result: safeJson(result) } });
}

export function checkListDbsResult(result: unknown): string[] {
  if (!Array.isArray(result) || !result.every((d) => typeof d === "string")) throw unexpected("list_dbs", "expected an array of names", result);
  return result as string[];
}

/** Checks an object-shaped result (get_schema's raw schema, table-updates...). */
export function checkObjectResult<T>(method: string, result: unknown): T {
  if (!isObject(result)) throw unexpected(method, "expected a JSON object", result);
  return result as T;
}

export function checkMonitorCondSinceResult(result: unknown): MonitorCondSinceResult {
  if (!Array.isArray(result) || result.length !== 3 || typeof result[0] !== "boolean" || typeof result[1] !== "string" || !isObject(result[2])) {
    throw unexpected("monitor_cond_since", "expected [found, last-txn-id, table-updates2]", result);
  }
  return { found: result[0], lastTxnId: result[1], updates: result[2] as TableUpdates2 };
}

/** lock / steal: {"locked": bool}. */
export function checkLockResult(method: "lock" | "steal", result: unknown): boolean {
  if (!isObject(result) || typeof result.locked !== "boolean") throw unexpected(method, 'expected {"locked": boolean}', result);
  return result.locked;
}

export function checkServerIdResult(result: unknown): string {
  if (typeof result !== "string") throw unexpected("get_server_id", "expected a uuid string", result);
  return result;
}

export function checkEchoResult(result: unknown): JsonValue[] {
  if (!Array.isArray(result)) throw unexpected("echo", "expected the params array back", result);
  return result as JsonValue[];
}

function badNotification(method: string, params: unknown): OvsdbError {
  return new OvsdbError("INVALID_MESSAGE", `malformed "${method}" notification: ${safeJson(params)}`, { details: { method } });
}

/** Types a notification from the server; throws INVALID_MESSAGE for a known method with malformed params. */
export function parseNotification(method: string, params: JsonValue[]): OvsdbNotification {
  switch (method) {
    case "update":
    case "update2":
      if (params.length !== 2 || !isObject(params[1])) throw badNotification(method, params);
      return method === "update"
        ? { method, monitorId: params[0] as JsonValue, updates: params[1] as unknown as TableUpdates }
        : { method, monitorId: params[0] as JsonValue, updates: params[1] as unknown as TableUpdates2 };
    case "update3":
      if (params.length !== 3 || typeof params[1] !== "string" || !isObject(params[2])) throw badNotification(method, params);
      return { method, monitorId: params[0] as JsonValue, lastTxnId: params[1], updates: params[2] as unknown as TableUpdates2 };
    case "locked":
    case "stolen":
      if (params.length !== 1 || typeof params[0] !== "string") throw badNotification(method, params);
      return { method, lockName: params[0] };
    case "monitor_canceled":
      if (params.length !== 1) throw badNotification(method, params);
      return { method, monitorId: params[0] as JsonValue };
    default:
      return { method: "unknown", name: method, params };
  }
}
