/**
 * RFC 7047 section 5.1 notation, both as it is on the wire and as this library hands it to callers.
 *
 * Wire forms (exactly the JSON ovsdb-server reads and writes):
 *   <atom>        string | number | boolean | ["uuid", "<uuid>"] | ["named-uuid", "<id>"]
 *   <set>         <atom> (a 1-element set may be sent bare) | ["set", [<atom>...]]
 *   <map>         ["map", [[<atom>, <atom>]...]]
 *   <value>       <atom> | <set> | <map>
 *
 * JS forms (schema-free decoding, used below the typed layer):
 *   integer       number, or bigint when outside Number.MAX_SAFE_INTEGER (OVSDB integers are int64)
 *   real          number
 *   boolean       boolean
 *   string        string
 *   uuid          Uuid (a class, so that a uuid is never confused with a string that looks like one)
 *   named-uuid    NamedUuid
 *   set           OvsdbSet (wraps an array of atoms)
 *   map           OvsdbMap (wraps a Map of atom -> atom)
 */

export type WireUuid = ["uuid", string];
export type WireNamedUuid = ["named-uuid", string];
export type WireAtom = string | number | bigint | boolean | WireUuid | WireNamedUuid;
export type WireSet = ["set", WireAtom[]];
export type WireMap = ["map", [WireAtom, WireAtom][]];
export type WireValue = WireAtom | WireSet | WireMap;
/** A row on the wire: column name -> value. */
export type WireRow = Record<string, WireValue>;

import { OvsdbError } from "./errors.js";

/** A malformed value in notation: OvsdbError "VALIDATION_ERROR" with details {expected, got}. */
function notationError(expected: string, got: unknown): OvsdbError {
  const g = typeof got === "string" ? JSON.stringify(got) : safeJson(got);
  return new OvsdbError("VALIDATION_ERROR", `not ${expected}: ${g}`, { details: { expected, got: g } });
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** RFC 7047 <id>: [_a-zA-Z][_a-zA-Z0-9]* */
const ID_RE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export function isUuidString(s: string): boolean {
  return UUID_RE.test(s);
}
export function isId(s: string): boolean {
  return ID_RE.test(s);
}

export class Uuid {
  readonly value: string;
  constructor(value: string) {
    if (!UUID_RE.test(value)) throw notationError("a uuid", value);
    this.value = value.toLowerCase();
  }
  toJSON(): WireUuid {
    return ["uuid", this.value];
  }
  toString(): string {
    return this.value;
  }
}

export class NamedUuid {
  readonly name: string;
  constructor(name: string) {
    if (!ID_RE.test(name)) throw notationError("a valid uuid-name (<id>)", name);
    this.name = name;
  }
  toJSON(): WireNamedUuid {
    return ["named-uuid", this.name];
  }
  toString(): string {
    return this.name;
  }
}

export type Atom = number | bigint | boolean | string | Uuid | NamedUuid;

export class OvsdbSet<T extends Atom = Atom> {
  readonly items: readonly T[];
  constructor(items: Iterable<T>) {
    this.items = [...items];
  }
  toJSON(): WireSet {
    return ["set", this.items.map(encodeAtom)];
  }
}

export class OvsdbMap<K extends Atom = Atom, V extends Atom = Atom> {
  readonly entries: ReadonlyMap<K, V>;
  constructor(entries: Iterable<readonly [K, V]> | Record<string, V>) {
    this.entries = isIterable(entries)
      ? new Map(entries as Iterable<readonly [K, V]>)
      : (new Map(Object.entries(entries)) as unknown as Map<K, V>);
  }
  toJSON(): WireMap {
    return ["map", [...this.entries].map(([k, v]) => [encodeAtom(k), encodeAtom(v)])];
  }
}

export type Value = Atom | OvsdbSet | OvsdbMap;

function isIterable(x: unknown): x is Iterable<unknown> {
  return x != null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

export function uuid(value: string): Uuid {
  return new Uuid(value);
}
export function namedUuid(name: string): NamedUuid {
  return new NamedUuid(name);
}
export function set<T extends Atom>(items: Iterable<T>): OvsdbSet<T> {
  return new OvsdbSet(items);
}
export function map<K extends Atom, V extends Atom>(entries: Iterable<readonly [K, V]> | Record<string, V>): OvsdbMap<K, V> {
  return new OvsdbMap(entries);
}

export function encodeAtom(a: Atom): WireAtom {
  if (a instanceof Uuid || a instanceof NamedUuid) return a.toJSON();
  return a;
}

export function encodeValue(v: Value): WireValue {
  if (v instanceof OvsdbSet || v instanceof OvsdbMap) return v.toJSON();
  return encodeAtom(v);
}

/** Decodes a wire atom without a schema. Throws OvsdbError "VALIDATION_ERROR" on anything that is not an atom. */
export function decodeAtom(w: unknown): Atom {
  switch (typeof w) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return w;
  }
  if (Array.isArray(w) && w.length === 2 && typeof w[1] === "string") {
    if (w[0] === "uuid") return new Uuid(w[1]);
    if (w[0] === "named-uuid") return new NamedUuid(w[1]);
  }
  throw notationError("an OVSDB atom", w);
}

/** Decodes a wire value without a schema. Throws OvsdbError "VALIDATION_ERROR" on anything that is not a value. */
export function decodeValue(w: unknown): Value {
  if (Array.isArray(w) && w.length === 2 && Array.isArray(w[1])) {
    if (w[0] === "set") return new OvsdbSet(w[1].map(decodeAtom));
    if (w[0] === "map") {
      return new OvsdbMap(
        w[1].map((pair: unknown) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw notationError("a map pair", pair);
          return [decodeAtom(pair[0]), decodeAtom(pair[1])] as const;
        }),
      );
    }
  }
  return decodeAtom(w);
}

export function safeJson(x: unknown): string {
  try {
    const s = JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    return s === undefined ? String(x) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
  } catch {
    return String(x);
  }
}
