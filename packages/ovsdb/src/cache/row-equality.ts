/**
 * Equality of stored wire rows and values, as OVSDB defines it: sets and maps are unordered, a 1-element set
 * may be a bare atom, and a monitored column missing from a row holds its type's default (update2 "initial"
 * and "insert" rows omit default values). Used by resync to emit no event for an unchanged row.
 */
import type { WireAtom, WireRow, WireValue } from "../protocol/notation.js";
import type { ColumnType, TableSchema } from "../protocol/schema.js";
import { columnOf } from "../protocol/schema.js";
import { atomKey, defaultWireValue, wireMapPairs, wireSetElements } from "../protocol/updates.js";

export function wireValueEquals(a: WireValue | undefined, b: WireValue | undefined, type: ColumnType): boolean {
  if (a === b) return true;
  const x = a ?? defaultWireValue(type);
  const y = b ?? defaultWireValue(type);
  if (type.value !== undefined) {
    const px = wireMapPairs(x);
    const py = wireMapPairs(y);
    if (px.length !== py.length) return false;
    const m = new Map<unknown, unknown>();
    for (const [k, v] of px) m.set(atomKey(k), atomKey(v));
    for (const [k, v] of py) {
      const kk = atomKey(k);
      if (!m.has(kk) || m.get(kk) !== atomKey(v)) return false;
    }
    return true;
  }
  if (type.min === 1 && type.max === 1) return atomKey(x as WireAtom) === atomKey(y as WireAtom);
  const ex = wireSetElements(x);
  const ey = wireSetElements(y);
  if (ex.length !== ey.length) return false;
  if (ex.length === 1) return atomKey(ex[0] as WireAtom) === atomKey(ey[0] as WireAtom);
  const s = new Set<unknown>();
  for (const e of ex) s.add(atomKey(e));
  for (const e of ey) if (!s.has(atomKey(e))) return false;
  return true;
}

/** True when two wire rows of `table` hold the same value in every column either of them has. */
export function wireRowEquals(table: TableSchema, a: WireRow, b: WireRow): boolean {
  if (a === b) return true;
  for (const c in a) {
    const col = columnOf(table, c);
    if (col === undefined ? a[c] !== b[c] : !wireValueEquals(a[c], b[c], col.type)) return false;
  }
  for (const c in b) {
    if (c in a) continue;
    const col = columnOf(table, c);
    if (col === undefined || !wireValueEquals(undefined, b[c], col.type)) return false;
  }
  return true;
}
