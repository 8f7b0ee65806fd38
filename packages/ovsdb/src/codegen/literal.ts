/**
 * Serialises JSON data (plus bigint, for int64 bounds beyond 2^53) as a TypeScript expression with a stable
 * layout: 2-space indent, one member per line, short arrays of atoms kept on one line.
 */
import { OvsdbError } from "../protocol/errors.js";
import { propertyKey } from "./names.js";

const INLINE_LIMIT = 100;

function atom(x: unknown): string | undefined {
  switch (typeof x) {
    case "string":
      return JSON.stringify(x);
    case "boolean":
      return String(x);
    case "number":
      if (!Number.isFinite(x)) throw new OvsdbError("SCHEMA_ERROR", `cannot embed the number ${x}`);
      return JSON.stringify(x);
    case "bigint":
      return `${x}n`;
  }
  if (x === null) return "null";
  return undefined;
}

function inline(x: unknown): string | undefined {
  const a = atom(x);
  if (a !== undefined) return a;
  if (Array.isArray(x)) {
    const parts: string[] = [];
    for (const e of x) {
      const s = inline(e);
      if (s === undefined) return undefined;
      parts.push(s);
    }
    return `[${parts.join(", ")}]`;
  }
  if (typeof x === "object" && x !== null) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(x)) {
      const s = inline(v);
      if (s === undefined) return undefined;
      parts.push(`${propertyKey(k)}: ${s}`);
    }
    return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
  }
  throw new OvsdbError("SCHEMA_ERROR", `cannot embed a value of type ${typeof x}`);
}

/**
 * `x` as a TypeScript literal. `indent` is the indentation of the line the literal starts on and `used` how many
 * characters that line already holds (to decide whether the literal fits on it).
 */
export function tsLiteral(x: unknown, indent = 0, used = indent): string {
  const pad = " ".repeat(indent);
  const one = inline(x);
  if (one !== undefined && used + one.length <= INLINE_LIMIT) return one;
  if (Array.isArray(x)) {
    if (x.length === 0) return "[]";
    const items = x.map((e) => `${pad}  ${tsLiteral(e, indent + 2)},`);
    return `[\n${items.join("\n")}\n${pad}]`;
  }
  if (typeof x === "object" && x !== null) {
    const entries = Object.entries(x);
    if (entries.length === 0) return "{}";
    const items = entries.map(([k, v]) => {
      const key = propertyKey(k);
      return `${pad}  ${key}: ${tsLiteral(v, indent + 2, indent + 4 + key.length)},`;
    });
    return `{\n${items.join("\n")}\n${pad}}`;
  }
  return one ?? "null";
}
