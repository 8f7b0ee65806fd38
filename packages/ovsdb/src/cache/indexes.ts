/**
 * Indexes of a replicated table: the schema's own indexes (TableSchema.indexes, unique on the server) and
 * client indexes declared by the caller, over whole columns or one key of a map column (e.g.
 * external_ids:pod). Keys are computed from the stored wire rows and from TYPED lookup values alike, so
 * `index.get("ns/pod")` finds rows whose wire value is ["map", [["pod", "ns/pod"], ...]].
 *
 * Every index maps key -> uuid, or a Set of uuids when several rows share a key. Even a schema (unique)
 * index keeps that shape: within one update message rows may swap names, and applying the changes one by one
 * passes through states where two rows share a key.
 */
import { OvsdbError } from "../protocol/errors.js";
import type { WireAtom, WireRow, WireValue } from "../protocol/notation.js";
import type { BaseType, ColumnType, TableSchema } from "../protocol/schema.js";
import { columnOf } from "../protocol/schema.js";
import { atomKey, defaultWireValue, wireMapPairs, wireSetElements } from "../protocol/updates.js";

/** A whole column, or one key of a map column: {column: "external_ids", key: "pod"}. */
export type IndexPart = string | { column: string; key: string | number | boolean };

export interface IndexSpec {
  /** Name to look the index up by. Schema indexes are named by their columns joined with ",". */
  name: string;
  columns: readonly IndexPart[];
  /** A unique index answers `one()`; the server enforces uniqueness only for schema indexes. */
  unique?: boolean;
}

/** A primitive identifying an indexed value; `null` is the empty value of an optional column. */
export type IndexKey = string | number | bigint | boolean | null;

interface CompiledPart {
  column: string;
  type: ColumnType;
  /** For a map-key part: the key's atom key; the part then takes the map value's type. */
  mapKey?: string | number | bigint | boolean;
}

const EMPTY = null;

function encPrim(k: string | number | bigint | boolean): string {
  return typeof k === "string" ? `s${k}` : `${typeof k}:${String(k)}`;
}

function canonical(keys: (string | number | bigint | boolean)[]): string {
  return JSON.stringify(keys.map(encPrim).sort());
}

/** Normalises a typed atom to the primitive `atomKey` gives for its wire form. */
function typedAtomKey(base: BaseType, v: unknown): string | number | bigint | boolean {
  if (base.type === "uuid") {
    if (typeof v === "string") return v.toLowerCase();
    throw new OvsdbError("VALIDATION_ERROR", `index lookup: expected a uuid string, got ${String(v)}`);
  }
  if (base.type === "integer") {
    if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (typeof v === "number" && Number.isInteger(v)) return Number.isSafeInteger(v) ? v : BigInt(v);
  }
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  throw new OvsdbError("VALIDATION_ERROR", `index lookup: expected a ${base.type}, got ${String(v)}`);
}

function wirePartKey(part: CompiledPart, row: WireRow): IndexKey | undefined {
  const w: WireValue = row[part.column] ?? defaultWireValue(part.type);
  if (part.mapKey !== undefined) {
    for (const p of wireMapPairs(w)) if (atomKey(p[0]) === part.mapKey) return atomKey(p[1]);
    return undefined;
  }
  const t = part.type;
  if (t.value !== undefined) {
    return JSON.stringify(wireMapPairs(w).map((p) => [encPrim(atomKey(p[0])), encPrim(atomKey(p[1]))]).sort());
  }
  if (t.max === 1) {
    if (t.min === 1) return atomKey(w as WireAtom);
    const e = wireSetElements(w);
    return e.length === 0 ? EMPTY : atomKey(e[0] as WireAtom);
  }
  return canonical(wireSetElements(w).map(atomKey));
}

function typedPartKey(part: CompiledPart, v: unknown): IndexKey {
  if (part.mapKey !== undefined) return typedAtomKey(part.type.value as BaseType, v);
  const t = part.type;
  if (t.value !== undefined) {
    if (!(v instanceof Map)) throw new OvsdbError("VALIDATION_ERROR", `index lookup on ${part.column}: expected a Map`);
    const vb = t.value;
    return JSON.stringify([...v].map(([k, x]) => [encPrim(typedAtomKey(t.key, k)), encPrim(typedAtomKey(vb, x))]).sort());
  }
  if (t.max === 1) return v === null ? EMPTY : typedAtomKey(t.key, v);
  if (!Array.isArray(v)) throw new OvsdbError("VALIDATION_ERROR", `index lookup on ${part.column}: expected an array`);
  return canonical(v.map((x) => typedAtomKey(t.key, x)));
}

function combine(keys: IndexKey[]): string {
  return JSON.stringify(keys.map((k) => (k === null ? null : encPrim(k))));
}

export class RowIndex {
  readonly name: string;
  readonly unique: boolean;
  private readonly parts: CompiledPart[];
  private readonly entries = new Map<IndexKey, string | Set<string>>();

  constructor(table: TableSchema, spec: IndexSpec) {
    if (spec.columns.length === 0) throw new OvsdbError("VALIDATION_ERROR", `index ${spec.name} has no columns`);
    this.name = spec.name;
    this.unique = spec.unique === true;
    this.parts = spec.columns.map((p) => {
      const column = typeof p === "string" ? p : p.column;
      const schema = columnOf(table, column);
      if (schema === undefined) {
        throw new OvsdbError("VALIDATION_ERROR", `index ${spec.name}: ${table.name} has no column ${column}`, {
          details: { table: table.name, column },
        });
      }
      if (typeof p === "string") return { column, type: schema.type };
      if (schema.type.value === undefined) {
        throw new OvsdbError("VALIDATION_ERROR", `index ${spec.name}: ${table.name}.${column} is not a map`, {
          details: { table: table.name, column },
        });
      }
      return { column, type: schema.type, mapKey: typedAtomKey(schema.type.key, p.key) };
    });
  }

  /** The columns this index reads. */
  get columns(): string[] {
    return this.parts.map((p) => p.column);
  }

  /** The key of a stored wire row, or undefined when the row is not indexed (its map lacks the key). */
  keyOfRow(row: WireRow): IndexKey | undefined {
    if (this.parts.length === 1) return wirePartKey(this.parts[0] as CompiledPart, row);
    const keys: IndexKey[] = [];
    for (const p of this.parts) {
      const k = wirePartKey(p, row);
      if (k === undefined) return undefined;
      keys.push(k);
    }
    return combine(keys);
  }

  /** The key of TYPED lookup values, one per index part. */
  keyOfValues(values: readonly unknown[]): IndexKey {
    if (values.length !== this.parts.length) {
      throw new OvsdbError("VALIDATION_ERROR", `index ${this.name} takes ${this.parts.length} value(s), got ${values.length}`);
    }
    if (this.parts.length === 1) return typedPartKey(this.parts[0] as CompiledPart, values[0]);
    return combine(this.parts.map((p, i) => typedPartKey(p, values[i])));
  }

  add(uuid: string, row: WireRow): void {
    const k = this.keyOfRow(row);
    if (k === undefined) return;
    const cur = this.entries.get(k);
    if (cur === undefined) this.entries.set(k, uuid);
    else if (typeof cur === "string") {
      if (cur !== uuid) this.entries.set(k, new Set([cur, uuid]));
    } else cur.add(uuid);
  }

  remove(uuid: string, row: WireRow): void {
    const k = this.keyOfRow(row);
    if (k === undefined) return;
    const cur = this.entries.get(k);
    if (cur === uuid) this.entries.delete(k);
    else if (cur instanceof Set) {
      cur.delete(uuid);
      if (cur.size === 1) this.entries.set(k, cur.values().next().value as string);
    }
  }

  update(uuid: string, old: WireRow, row: WireRow): void {
    if (this.parts.length === 1 && old[(this.parts[0] as CompiledPart).column] === row[(this.parts[0] as CompiledPart).column]) return;
    const ko = this.keyOfRow(old);
    const kn = this.keyOfRow(row);
    if (ko === kn) return;
    this.remove(uuid, old);
    this.add(uuid, row);
  }

  clear(): void {
    this.entries.clear();
  }

  /** uuids of the rows with this key. */
  uuidsOf(key: IndexKey): readonly string[] {
    const cur = this.entries.get(key);
    if (cur === undefined) return [];
    return typeof cur === "string" ? [cur] : [...cur];
  }

  /** Number of distinct keys. */
  get keyCount(): number {
    return this.entries.size;
  }
}

/** The schema's indexes whose columns are all in `columns` (an index over unmonitored columns is useless). */
export function schemaIndexSpecs(table: TableSchema, columns: ReadonlySet<string>): IndexSpec[] {
  return table.indexes
    .filter((cols) => cols.every((c) => columns.has(c)))
    .map((cols) => ({ name: cols.join(","), columns: cols, unique: true }));
}
