/**
 * RFC 7047 section 5.1 <mutation>: [column, mutator, value].
 *   "+=" "-=" "*=" "/=" "%="  integer/real scalars or sets of them (each element); value is one atom
 *   "insert"                  sets: a set of atoms; maps: a map of key-value pairs (existing keys are kept)
 *   "delete"                  sets: a set of atoms; maps: a map (pairs deleted when key AND value match)
 *                             or a set of keys (pairs deleted by key)
 * Wire builders take wire values or notation values; `typedMutation` takes TYPED values and encodes them.
 */
import { encodeAtomOf, encodeDatum } from "./datum.js";
import { OvsdbError } from "./errors.js";
import { encodeAtom, type Atom, type WireAtom, type WireMap, type WireSet } from "./notation.js";
import type { Mutation, Mutator } from "./operations.js";
import { toWire, type WireOrValue } from "./conditions.js";
import type { BaseType, ColumnType, TableSchema } from "./schema.js";

export const MUTATORS: readonly Mutator[] = ["+=", "-=", "*=", "/=", "%=", "insert", "delete"];

export function isMutator(m: unknown): m is Mutator {
  return typeof m === "string" && (MUTATORS as readonly string[]).includes(m);
}

/** [column, mutator, value] */
export function mutation(column: string, mutator: Mutator, value: WireOrValue): Mutation {
  if (!isMutator(mutator)) {
    throw new OvsdbError("VALIDATION_ERROR", `unknown mutator ${JSON.stringify(mutator)}`, {
      details: { column, expected: MUTATORS.join(" "), got: String(mutator) },
    });
  }
  return [column, mutator, toWire(value)];
}

export const mutateAdd = (column: string, value: WireOrValue): Mutation => mutation(column, "+=", value);
export const mutateSub = (column: string, value: WireOrValue): Mutation => mutation(column, "-=", value);
export const mutateMul = (column: string, value: WireOrValue): Mutation => mutation(column, "*=", value);
export const mutateDiv = (column: string, value: WireOrValue): Mutation => mutation(column, "/=", value);
export const mutateMod = (column: string, value: WireOrValue): Mutation => mutation(column, "%=", value);
/** "insert" of a wire set/map (or a bare atom: a 1-element set). */
export const mutateInsert = (column: string, value: WireOrValue): Mutation => mutation(column, "insert", value);
/** "delete" of a wire set/map (or a bare atom: a 1-element set). */
export const mutateDelete = (column: string, value: WireOrValue): Mutation => mutation(column, "delete", value);

function wireAtom(a: Atom | WireAtom): WireAtom {
  return typeof a === "object" && !Array.isArray(a) ? encodeAtom(a) : (a as WireAtom);
}
function wireSet(atoms: Iterable<Atom | WireAtom>): WireSet {
  return ["set", [...atoms].map(wireAtom)];
}
function wirePairs(pairs: ReadonlyMap<Atom, Atom> | Iterable<readonly [Atom, Atom]> | Record<string, Atom>): WireMap {
  const entries: Iterable<readonly [Atom, Atom]> =
    pairs instanceof Map || Symbol.iterator in Object(pairs)
      ? (pairs as Iterable<readonly [Atom, Atom]>)
      : Object.entries(pairs as Record<string, Atom>);
  return ["map", [...entries].map(([k, v]) => [wireAtom(k), wireAtom(v)])];
}

type Pairs = ReadonlyMap<Atom, Atom> | Iterable<readonly [Atom, Atom]> | Record<string, Atom>;

/** Set "insert" of these elements. */
export const insertElements = (column: string, atoms: Iterable<Atom | WireAtom>): Mutation =>
  [column, "insert", wireSet(atoms)];
/** Set "delete" of these elements. */
export const deleteElements = (column: string, atoms: Iterable<Atom | WireAtom>): Mutation =>
  [column, "delete", wireSet(atoms)];
/** Map "insert" of key-value pairs (a key already present keeps its old value, RFC 7047). */
export const insertPairs = (column: string, pairs: Pairs): Mutation => [column, "insert", wirePairs(pairs)];
/** Map "delete" of pairs: a pair is removed only when both key and value match. */
export const deletePairs = (column: string, pairs: Pairs): Mutation => [column, "delete", wirePairs(pairs)];
/** Map "delete" by keys (a set of keys): removes the pairs with these keys whatever their values. */
export const deleteKeys = (column: string, keys: Iterable<Atom | WireAtom>): Mutation => [column, "delete", wireSet(keys)];

/** The mutators under their names, for `mutations.insert(...)` style call sites. */
export const mutations = {
  add: mutateAdd,
  sub: mutateSub,
  mul: mutateMul,
  div: mutateDiv,
  mod: mutateMod,
  insert: mutateInsert,
  delete: mutateDelete,
  insertElements,
  deleteElements,
  insertPairs,
  deletePairs,
  deleteKeys,
} as const;

/** Clears the constraints of a base type (OVS does so for the argument of arithmetic mutators). */
function unconstrained(base: BaseType): BaseType {
  const out: BaseType = { type: base.type };
  if (base.refTable !== undefined) out.refTable = base.refTable;
  if (base.refType !== undefined) out.refType = base.refType;
  return out;
}

/**
 * The type a mutation's value must have (OVS ovsdb/mutation.c), or a string describing why the mutator may
 * not be applied to the column. For a map "delete", `keysOnly` selects the set-of-keys form.
 */
export function mutationValueType(type: ColumnType, mutator: Mutator, keysOnly = false): ColumnType | string {
  const isMap = type.value !== undefined;
  const isScalar = !isMap && type.min === 1 && type.max === 1;
  const isSet = !isMap && !isScalar;
  switch (mutator) {
    case "+=":
    case "-=":
    case "*=":
    case "/=":
    case "%=":
      if (isMap || (type.key.type !== "integer" && type.key.type !== "real")) {
        return `"${mutator}" applies only to integer or real columns (or sets of them)`;
      }
      if (mutator === "%=" && type.key.type === "real") return `"%=" does not apply to real columns`;
      return { key: unconstrained(type.key), min: 1, max: 1 };
    case "insert":
      if (!isSet && !isMap) return `"insert" applies only to set or map columns`;
      return { ...type, min: 0 };
    case "delete":
      if (!isSet && !isMap) return `"delete" applies only to set or map columns`;
      if (isMap && keysOnly) return { key: type.key, min: 0, max: Infinity };
      return { ...type, min: 0, max: Infinity };
  }
}

/**
 * Builds a mutation from a TYPED value, encoded and validated against the table schema. For a map "delete",
 * an array (or Set) of keys deletes by key; a Map deletes matching pairs. For an arithmetic mutator the
 * value is one number (or bigint).
 */
export function typedMutation(table: TableSchema, column: string, mutator: Mutator, value: unknown): Mutation {
  const col = table.columns.get(column);
  const ctx = { table: table.name, column };
  const fail = (expected: string, got: string): never => {
    throw new OvsdbError("VALIDATION_ERROR", `${table.name}.${column}: ${expected}`, {
      details: { ...ctx, expected, got },
    });
  };
  if (col === undefined) return fail("a column of the table", "unknown column");
  if (!isMutator(mutator)) return fail(`one of ${MUTATORS.join(" ")}`, String(mutator));
  if (!col.mutable) return fail("a mutable column", "immutable column");
  const keysOnly = mutator === "delete" && col.type.value !== undefined && !(value instanceof Map) && isKeyList(value);
  const t = mutationValueType(col.type, mutator, keysOnly);
  if (typeof t === "string") return fail(t, mutator);
  if (t.max === 1 && t.min === 1 && t.value === undefined) return [column, mutator, encodeAtomOf(t.key, value, ctx)];
  return [column, mutator, encodeDatum(t, value instanceof Set ? [...value] : value, ctx)];
}

function isKeyList(v: unknown): boolean {
  return Array.isArray(v) || v instanceof Set;
}
