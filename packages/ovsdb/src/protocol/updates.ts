/**
 * Pure application of monitor updates (RFC 7047 section 4.1.6 <table-updates>, ovsdb-server(7) sections 4.1.14
 * and 4.1.16 <table-updates2>) to wire rows. No I/O, no cache: the caller hands in the current rows of each
 * table (read only) and gets back row-level changes {table, uuid, kind, old?, new?} carrying FULL wire rows,
 * which it then commits. Computing every change of a message before committing any makes a message atomic:
 * an inconsistent message changes nothing.
 *
 * Rules (ovsdb-server(7) "Update2 notification", python ovs.db.idl __process_update2 + Datum.diff, libovsdb
 * updates/):
 * - "initial"/"insert" <row> omits columns whose value is the column type's default; a stored row may lack a
 *   monitored column, which then holds `defaultWireValue(type)`.
 * - "modify" <row> holds only the modified columns, each as a difference:
 *   - a column with max 1 (scalar or optional, maps with max 1 too): the difference is the new value;
 *   - a set: the symmetric difference, i.e. each element is toggled (present -> removed, absent -> added);
 *   - a map: a key absent from the old value is added; a key present with the SAME value is removed; a key
 *     present with a different value takes the new value.
 * - "delete" carries null.
 * - <table-updates> ("update", monitor): {new} = insert (initial in a monitor reply), {old, new} = modify (new
 *   holds every monitored column), {old} = delete.
 * Inconsistencies (insert/initial of a row that exists, modify/delete of a row that does not) throw an
 * OvsdbError "UPDATE_INCONSISTENT": the caller must resync, never diverge silently.
 */
import { OvsdbError } from "./errors.js";
import type { WireAtom, WireRow, WireValue } from "./notation.js";
import { safeJson } from "./notation.js";
import type { ColumnType, DatabaseSchema, TableSchema } from "./schema.js";
import { columnOf } from "./schema.js";

export type RowChangeKind = "initial" | "insert" | "modify" | "delete";

/** One row-level change with full wire rows: `old` for modify/delete, `new` for initial/insert/modify. */
export interface RowChange {
  table: string;
  uuid: string;
  kind: RowChangeKind;
  old?: WireRow;
  new?: WireRow;
}

/** <row-update> of the "update" notification (monitor). */
export interface RowUpdate {
  old?: WireRow;
  new?: WireRow;
}
/** <table-updates>: table name -> row uuid -> <row-update>. */
export type TableUpdates = Record<string, Record<string, RowUpdate>>;

/** <row-update2> of update2/update3 (and the monitor_cond / monitor_cond_since replies). */
export type RowUpdate2 =
  | { initial: WireRow }
  | { insert: WireRow }
  | { modify: WireRow }
  | { delete: null };
/** <table-updates2>: table name -> row uuid -> <row-update2>. */
export type TableUpdates2 = Record<string, Record<string, RowUpdate2>>;

/** The current rows of each table, read only. `undefined` for a table that is not replicated. */
export interface RowSource {
  tableRows(table: string): ReadonlyMap<string, WireRow> | undefined;
}

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
const EMPTY_SET: WireValue = ["set", []];
const EMPTY_MAP: WireValue = ["map", []];

/** The default value of a column type (RFC 7047 section 5.1 / ovsdb_datum_init_default). */
export function defaultWireValue(type: ColumnType): WireValue {
  if (type.value !== undefined) return EMPTY_MAP;
  if (type.min === 0) return EMPTY_SET;
  // ovsdb_atom_init_default: 0, 0.0, false, "", the all-zero uuid (enums too: their committed values are
  // always valid members, so an omitted enum column cannot occur for min 1).
  switch (type.key.type) {
    case "integer":
    case "real":
      return 0;
    case "boolean":
      return false;
    case "string":
      return "";
    case "uuid":
      return ["uuid", ZERO_UUID];
  }
}

/** The elements of a set-valued wire value (a 1-element set may be sent as the bare atom). */
export function wireSetElements(v: WireValue): readonly WireAtom[] {
  if (Array.isArray(v) && v[0] === "set") return v[1] as WireAtom[];
  return [v as WireAtom];
}

/** The pairs of a map-valued wire value. */
export function wireMapPairs(v: WireValue): readonly (readonly [WireAtom, WireAtom])[] {
  if (Array.isArray(v) && v[0] === "map" && Array.isArray(v[1])) return v[1] as [WireAtom, WireAtom][];
  throw new OvsdbError("INVALID_MESSAGE", `expected a map, got ${safeJson(v)}`);
}

/**
 * A primitive that identifies an atom within one column (the column fixes the atom type, so a uuid's text
 * cannot collide with a string atom). Usable as a Map key.
 */
export function atomKey(a: WireAtom): string | number | bigint | boolean {
  return Array.isArray(a) ? a[1] : a;
}

function codeUnitRank(c: number): number {
  // UTF-16 code units ordered as UTF-8 bytes (code points): surrogates (non-BMP) after U+E000..U+FFFF.
  return c >= 0xd800 ? (c >= 0xe000 ? c - 0x800 : c + 0x2000) : c;
}

/**
 * The order ovsdb-server keeps set elements and map keys in (ovsdb_atom_compare_3way): numbers numerically,
 * false before true, strings by UTF-8 bytes (strcmp), uuids by their text.
 */
export function compareAtoms(a: WireAtom, b: WireAtom): number {
  const x = atomKey(a);
  const y = atomKey(b);
  if (typeof x === "string" && typeof y === "string") {
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const cx = x.charCodeAt(i);
      const cy = y.charCodeAt(i);
      if (cx !== cy) return codeUnitRank(cx) - codeUnitRank(cy);
    }
    return x.length - y.length;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Applies one column's update2 difference to its current value (undefined = the type's default). Sets and
 * maps come out in the server's order (compareAtoms), as a select or a fresh monitor would show them.
 */
export function applyDatumDiff(current: WireValue | undefined, diff: WireValue, type: ColumnType): WireValue {
  if (type.max === 1) return diff;
  const cur = current ?? defaultWireValue(type);
  let added = false;
  if (type.value === undefined) {
    const elements = new Map<unknown, WireAtom>();
    for (const a of wireSetElements(cur)) elements.set(atomKey(a), a);
    for (const a of wireSetElements(diff)) {
      const k = atomKey(a);
      if (elements.has(k)) elements.delete(k);
      else {
        elements.set(k, a);
        added = true;
      }
    }
    const out = [...elements.values()];
    return ["set", added ? out.sort(compareAtoms) : out];
  }
  const pairs = new Map<unknown, readonly [WireAtom, WireAtom]>();
  for (const p of wireMapPairs(cur)) pairs.set(atomKey(p[0]), p);
  for (const p of wireMapPairs(diff)) {
    const k = atomKey(p[0]);
    const old = pairs.get(k);
    if (old !== undefined && atomKey(old[1]) === atomKey(p[1])) pairs.delete(k);
    else {
      if (old === undefined) added = true;
      pairs.set(k, p);
    }
  }
  const out = [...pairs.values()] as [WireAtom, WireAtom][];
  return ["map", added ? out.sort((p, q) => compareAtoms(p[0], q[0])) : out];
}

/** Applies a "modify" <row> (differences) to a full wire row; returns a new row, `old` is left untouched. */
export function applyRowDiff(table: TableSchema, old: WireRow, diff: WireRow): WireRow {
  const out: WireRow = { ...old };
  for (const column in diff) {
    const schema = columnOf(table, column);
    const d = diff[column] as WireValue;
    // A column unknown to our schema cannot be interpreted: keep the server's value as the new value.
    out[column] = schema === undefined ? d : applyDatumDiff(old[column], d, schema.type);
  }
  return out;
}

function inconsistent(table: string, uuid: string, what: string): OvsdbError {
  return new OvsdbError("UPDATE_INCONSISTENT", `${what}: ${table} row ${uuid}`, { details: { table, uuid } });
}

function tableOf(schema: DatabaseSchema, source: RowSource, table: string): [TableSchema, ReadonlyMap<string, WireRow>] {
  const ts = schema.tables.get(table);
  const rows = source.tableRows(table);
  if (ts === undefined || rows === undefined) {
    throw new OvsdbError("INVALID_MESSAGE", `update for table ${JSON.stringify(table)}, which is not monitored`, {
      details: { table },
    });
  }
  return [ts, rows];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function checkTableUpdates(updates: unknown, what: string): asserts updates is Record<string, Record<string, unknown>> {
  if (!isObject(updates)) throw new OvsdbError("INVALID_MESSAGE", `${what} is not an object: ${safeJson(updates)}`);
}

/**
 * Row changes of a <table-updates2> (update2/update3 notification, or the reply of monitor_cond /
 * monitor_cond_since). Throws UPDATE_INCONSISTENT if a row-update does not fit `source`.
 */
export function changesFromTableUpdates2(schema: DatabaseSchema, source: RowSource, updates: unknown): RowChange[] {
  checkTableUpdates(updates, "<table-updates2>");
  const out: RowChange[] = [];
  for (const table in updates) {
    const [ts, rows] = tableOf(schema, source, table);
    const tu = updates[table];
    if (!isObject(tu)) throw new OvsdbError("INVALID_MESSAGE", `<table-update2> of ${table} is not an object`);
    for (const uuid in tu) {
      const ru = tu[uuid] as Record<string, unknown>;
      const cur = rows.get(uuid);
      let row: unknown;
      if ((row = ru.initial) !== undefined || (row = ru.insert) !== undefined) {
        if (cur !== undefined) throw inconsistent(table, uuid, "insert of an existing row");
        if (!isObject(row)) throw new OvsdbError("INVALID_MESSAGE", `bad <row> for ${table} ${uuid}`);
        out.push({ table, uuid, kind: ru.initial !== undefined ? "initial" : "insert", new: row as WireRow });
      } else if ((row = ru.modify) !== undefined) {
        if (cur === undefined) throw inconsistent(table, uuid, "modify of an unknown row");
        if (!isObject(row)) throw new OvsdbError("INVALID_MESSAGE", `bad <row> for ${table} ${uuid}`);
        out.push({ table, uuid, kind: "modify", old: cur, new: applyRowDiff(ts, cur, row as WireRow) });
      } else if (isObject(ru) && "delete" in ru) {
        if (cur === undefined) throw inconsistent(table, uuid, "delete of an unknown row");
        out.push({ table, uuid, kind: "delete", old: cur });
      } else {
        throw new OvsdbError("INVALID_MESSAGE", `bad <row-update2> for ${table} ${uuid}: ${safeJson(ru)}`);
      }
    }
  }
  return out;
}

/**
 * Row changes of a <table-updates> ("update" notification, or the reply of monitor). `initial` says the
 * updates are a monitor reply (insertions then are the initial contents).
 */
export function changesFromTableUpdates(
  schema: DatabaseSchema,
  source: RowSource,
  updates: unknown,
  initial = false,
): RowChange[] {
  checkTableUpdates(updates, "<table-updates>");
  const out: RowChange[] = [];
  for (const table in updates) {
    const [, rows] = tableOf(schema, source, table);
    const tu = updates[table];
    if (!isObject(tu)) throw new OvsdbError("INVALID_MESSAGE", `<table-update> of ${table} is not an object`);
    for (const uuid in tu) {
      const ru = tu[uuid] as RowUpdate;
      if (!isObject(ru)) throw new OvsdbError("INVALID_MESSAGE", `bad <row-update> for ${table} ${uuid}`);
      const cur = rows.get(uuid);
      const hasOld = isObject(ru.old);
      const hasNew = isObject(ru.new);
      if (hasNew && !hasOld) {
        if (cur !== undefined) throw inconsistent(table, uuid, "insert of an existing row");
        out.push({ table, uuid, kind: initial ? "initial" : "insert", new: ru.new as WireRow });
      } else if (hasNew) {
        if (cur === undefined) throw inconsistent(table, uuid, "modify of an unknown row");
        // RFC 7047: "new" holds the new value of every monitored column; keep any column it lacks as it was
        // only if "old" does not name it (a column in "old" but not in "new" changed to its default).
        const next: WireRow = { ...cur, ...(ru.new as WireRow) };
        for (const c in ru.old as WireRow) if (!(c in (ru.new as WireRow))) delete next[c];
        out.push({ table, uuid, kind: "modify", old: cur, new: next });
      } else if (hasOld) {
        if (cur === undefined) throw inconsistent(table, uuid, "delete of an unknown row");
        out.push({ table, uuid, kind: "delete", old: cur });
      } else {
        throw new OvsdbError("INVALID_MESSAGE", `<row-update> for ${table} ${uuid} has neither old nor new`);
      }
    }
  }
  return out;
}
