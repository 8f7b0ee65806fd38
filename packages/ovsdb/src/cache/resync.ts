/**
 * Resync against a FULL fresh dump (a monitor / monitor_cond reply, or a monitor_cond_since reply with
 * found=false): the exact deltas between the replica and the dump. A row only in the replica is deleted, a
 * row only in the dump is inserted, a row in both is modified only if some column differs (OVSDB equality:
 * unordered sets and maps, absent = default). Unchanged rows produce nothing. Pure: the caller commits.
 */
import { OvsdbError } from "../protocol/errors.js";
import type { WireRow } from "../protocol/notation.js";
import { safeJson } from "../protocol/notation.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import type { RowChange, RowSource } from "../protocol/updates.js";
import { wireRowEquals } from "./row-equality.js";

/** "update2": <table-updates2> with initial (or insert) rows; "update": <table-updates> with new rows. */
export type UpdatesFormat = "update" | "update2";

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function dumpRow(format: UpdatesFormat, table: string, uuid: string, ru: unknown): WireRow {
  if (isObject(ru)) {
    const row = format === "update2" ? (ru.initial ?? ru.insert) : ru.old === undefined ? ru.new : undefined;
    if (isObject(row)) return row as WireRow;
  }
  throw new OvsdbError("INVALID_MESSAGE", `a full dump may only hold new rows; ${table} ${uuid}: ${safeJson(ru)}`, {
    details: { table, uuid },
  });
}

export function changesFromFullDump(
  schema: DatabaseSchema,
  source: RowSource,
  tables: readonly string[],
  dump: unknown,
  format: UpdatesFormat = "update2",
): RowChange[] {
  if (!isObject(dump)) throw new OvsdbError("INVALID_MESSAGE", `a full dump is not an object: ${safeJson(dump)}`);
  for (const t in dump) {
    if (!tables.includes(t)) {
      throw new OvsdbError("INVALID_MESSAGE", `full dump has table ${JSON.stringify(t)}, which is not monitored`, {
        details: { table: t },
      });
    }
  }
  const out: RowChange[] = [];
  for (const table of tables) {
    const ts = schema.tables.get(table);
    const rows = source.tableRows(table);
    if (ts === undefined || rows === undefined) {
      throw new OvsdbError("INVALID_MESSAGE", `table ${JSON.stringify(table)} is not monitored`, { details: { table } });
    }
    const tu = dump[table] ?? {};
    if (!isObject(tu)) throw new OvsdbError("INVALID_MESSAGE", `full dump of ${table} is not an object`);
    for (const [uuid, old] of rows) {
      if (!(uuid in tu)) out.push({ table, uuid, kind: "delete", old });
    }
    for (const uuid in tu) {
      const row = dumpRow(format, table, uuid, tu[uuid]);
      const old = rows.get(uuid);
      if (old === undefined) out.push({ table, uuid, kind: "insert", new: row });
      else if (!wireRowEquals(ts, old, row)) out.push({ table, uuid, kind: "modify", old, new: row });
    }
  }
  return out;
}
