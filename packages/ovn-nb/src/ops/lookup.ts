/**
 * Reads from the replica with indexes: by name (the schema's unique index where there is one, else a client
 * index added on first use), by uuid, and by one external_ids key (a client index "external_ids:<key>",
 * added on first use and maintained by the replica from then on).
 */
import { isUuidString, type TableCache } from "@ovnkit/ovsdb";
import { ambiguousName, notFound } from "../errors.js";
import type { NbContext, NbRows, NbTableName } from "./context.js";

/** The index over `column` (a whole column), created on first use. */
function columnIndex<R>(cache: TableCache<R>, column: string) {
  if (!cache.hasIndex(column)) cache.addIndex({ name: column, columns: [column] });
  return cache.index(column);
}

/** Every row whose `column` equals `value` (a TYPED value; indexed from the first call on). */
export function rowsWhere<K extends NbTableName>(ctx: NbContext, table: K, column: string, value: unknown): NbRows[K][] {
  return columnIndex(ctx.table(table), column).get(value);
}

/** Every row whose `name` column equals `name`. */
export function rowsNamed<K extends NbTableName>(ctx: NbContext, table: K, name: string): NbRows[K][] {
  return rowsWhere(ctx, table, "name", name);
}

/**
 * The row named `nameOrUuid` (or with that uuid), or undefined. AMBIGUOUS_NAME when several rows share
 * the name (tables without a unique name index, e.g. Logical_Switch, as ovn-nbctl does).
 */
export function findRow<K extends NbTableName>(ctx: NbContext, table: K, what: string, nameOrUuid: string): NbRows[K] | undefined {
  const cache = ctx.table(table);
  if (isUuidString(nameOrUuid)) {
    const row = cache.get(nameOrUuid.toLowerCase());
    if (row !== undefined) return row;
  }
  const rows = rowsNamed(ctx, table, nameOrUuid);
  if (rows.length > 1) throw ambiguousName(what, nameOrUuid, rows.map((r) => (r as { _uuid: string })._uuid));
  return rows[0];
}

/** Like findRow, but NOT_FOUND when there is no such row. */
export function requireRow<K extends NbTableName>(ctx: NbContext, table: K, what: string, nameOrUuid: string): NbRows[K] {
  const row = findRow(ctx, table, what, nameOrUuid);
  if (row === undefined) throw notFound(what, nameOrUuid, { table });
  return row;
}

/** The row with this uuid, or NOT_FOUND. */
export function requireUuid<K extends NbTableName>(ctx: NbContext, table: K, what: string, uuid: string): NbRows[K] {
  const row = ctx.table(table).get(uuid.toLowerCase());
  if (row === undefined) throw notFound(what, uuid, { table });
  return row;
}

/** Every row whose external_ids hold `key` = `value` (indexed on that key from the first call on). */
export function rowsByExternalId<K extends NbTableName>(ctx: NbContext, table: K, key: string, value: string): NbRows[K][] {
  const cache = ctx.table(table);
  const name = `external_ids:${key}`;
  if (!cache.hasIndex(name)) cache.addIndex({ name, columns: [{ column: "external_ids", key }] });
  return cache.index(name).get(value);
}

/** The rows these uuids refer to (references to rows the replica lacks are skipped). */
export function rowsOf<K extends NbTableName>(ctx: NbContext, table: K, uuids: readonly string[]): NbRows[K][] {
  const cache = ctx.table(table);
  const out: NbRows[K][] = [];
  for (const u of uuids) {
    const row = cache.get(u);
    if (row !== undefined) out.push(row);
  }
  return out;
}

/** The rows of `table` whose set column `column` contains `uuid` (e.g. the switch that holds a port). */
export function parentsOf<K extends NbTableName>(ctx: NbContext, table: K, column: string, uuid: string): NbRows[K][] {
  return ctx.table(table).filter((row) => ((row as unknown as Record<string, unknown>)[column] as readonly string[]).includes(uuid));
}
