/**
 * Fast wire -> TYPED decoding of the values a server sends in monitor updates. The server has validated every
 * datum (types, enums, ranges, sizes), so this path only reshapes: one decoder per column, compiled once per
 * table, checking just enough of the shape to stay safe. Anything unexpected falls back to protocol/datum.ts
 * decodeDatum, which checks everything and throws VALIDATION_ERROR.
 */
import { columnKind, decodeDatum } from "../protocol/datum.js";
import type { BaseType, ColumnSchema } from "../protocol/schema.js";
import { defaultWireValue } from "../protocol/updates.js";

export type ColumnDecoder = (wire: unknown) => unknown;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
/** Marks an atom this fast path does not handle. */
const SLOW = Symbol("slow");

function atomDecoder(base: BaseType): (w: unknown) => unknown {
  switch (base.type) {
    case "string":
      return (w) => (typeof w === "string" ? w : SLOW);
    case "boolean":
      return (w) => (typeof w === "boolean" ? w : SLOW);
    case "real":
      return (w) => (typeof w === "number" ? w : SLOW);
    case "integer":
      return (w) =>
        typeof w === "number"
          ? Number.isSafeInteger(w)
            ? w
            : SLOW
          : typeof w === "bigint"
            ? w >= SAFE_MIN && w <= SAFE_MAX
              ? Number(w)
              : w
            : SLOW;
    case "uuid":
      return (w) =>
        Array.isArray(w) && w[0] === "uuid" && typeof w[1] === "string" && w[1].length === 36 ? (w[1] as string).toLowerCase() : SLOW;
  }
}

/** A decoder for one column: absent (undefined) decodes to the type's default. */
export function columnDecoder(column: ColumnSchema, table: string): ColumnDecoder {
  const type = column.type;
  const ctx = { table, column: column.name };
  const slow = (w: unknown): unknown => decodeDatum(type, w, ctx);
  const def = defaultWireValue(type);
  const key = atomDecoder(type.key);
  switch (columnKind(type)) {
    case "scalar":
      return (w) => {
        const v = key(w === undefined ? def : w);
        return v === SLOW ? slow(w === undefined ? def : w) : v;
      };
    case "optional":
      return (w) => {
        if (w === undefined) return null;
        if (Array.isArray(w) && w[0] === "set") {
          const items = w[1] as unknown[];
          if (items.length === 0) return null;
          if (items.length !== 1) return slow(w);
          const v = key(items[0]);
          return v === SLOW ? slow(w) : v;
        }
        const v = key(w);
        return v === SLOW ? slow(w) : v;
      };
    case "set":
      return (w) => {
        if (w === undefined) return [];
        if (Array.isArray(w) && w[0] === "set") {
          const items = w[1] as unknown[];
          const out = new Array<unknown>(items.length);
          for (let i = 0; i < items.length; i++) {
            const v = key(items[i]);
            if (v === SLOW) return slow(w);
            out[i] = v;
          }
          return out;
        }
        const v = key(w);
        return v === SLOW ? slow(w) : [v];
      };
    case "map": {
      const value = atomDecoder(type.value as BaseType);
      return (w) => {
        const out = new Map<unknown, unknown>();
        if (w === undefined) return out;
        if (!Array.isArray(w) || w[0] !== "map" || !Array.isArray(w[1])) return slow(w);
        const pairs = w[1] as unknown[];
        for (let i = 0; i < pairs.length; i++) {
          const p = pairs[i];
          if (!Array.isArray(p)) return slow(w);
          const k = key(p[0]);
          const v = value(p[1]);
          if (k === SLOW || v === SLOW) return slow(w);
          out.set(k, v);
        }
        return out;
      };
    }
  }
}
