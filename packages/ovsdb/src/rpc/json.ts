/**
 * JSON for the OVSDB wire: OVSDB integers are int64, so integer literals outside +-2^53 must survive exactly.
 *
 * Decoding: JSON.parse (fast) for ordinary messages; a frame the framer flagged for a long digit run goes
 * through parseJsonExact, which turns integer literals outside Number.MAX_SAFE_INTEGER into bigint and leaves
 * everything else exactly as JSON.parse would. Encoding: JSON.stringify, falling back to an exact writer
 * (bigint -> integer literal) only when the value holds a bigint.
 */
import { OvsdbError } from "../protocol/errors.js";

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * Decodes one complete frame (UTF-8 bytes of one JSON value). `exact` selects the bigint-aware parser (the
 * framer's `longDigitRun` flag). Throws OvsdbError INVALID_JSON.
 */
export function decodeFrame(frame: Buffer, exact: boolean): JsonValue {
  const text = frame.toString("utf8");
  if (exact) return parseJsonExact(text);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw invalidJson((e as Error).message, text, e);
  }
}

/** Parses JSON text; integer literals outside +-(2^53-1) become bigint, all other values as JSON.parse. */
export function parseJsonExact(text: string): JsonValue {
  const p = new ExactParser(text);
  p.skipWhitespace();
  const v = p.value(0);
  p.skipWhitespace();
  if (p.pos !== text.length) throw p.error("unexpected data after the JSON value");
  return v;
}

/**
 * Parses one JSON text (the exact parser when it holds a digit run long enough to matter, else JSON.parse).
 * Convenience for callers holding a string rather than a frame.
 */
export function parseJson(text: string): JsonValue {
  if (/\d{16}/.test(text)) return parseJsonExact(text);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw invalidJson((e as Error).message, text, e);
  }
}

/**
 * Serializes a message: like JSON.stringify (toJSON honoured, undefined members skipped), plus bigint written as
 * an exact integer literal.
 */
export function stringifyJson(value: unknown): string {
  try {
    const s = JSON.stringify(value);
    if (s === undefined) throw new TypeError("value is not serializable to JSON");
    return s;
  } catch (e) {
    if (!(e instanceof TypeError) || !/BigInt/i.test(e.message)) throw e;
  }
  const out = writeExact(value, "", new Set());
  if (out === undefined) throw new TypeError("value is not serializable to JSON");
  return out;
}

function writeExact(value: unknown, key: string, stack: Set<object>): string | undefined {
  let v = value;
  if (v !== null && (typeof v === "object" || typeof v === "bigint")) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") v = (toJSON as (k: string) => unknown).call(v, key);
  }
  switch (typeof v) {
    case "bigint":
      return v.toString();
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : "null";
    case "string":
    case "boolean":
      return JSON.stringify(v);
    case "object":
      break;
    default:
      return undefined; // undefined, function, symbol
  }
  if (v === null) return "null";
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return JSON.stringify(v);
  if (stack.has(v)) throw new TypeError("Converting circular structure to JSON");
  stack.add(v);
  let out: string;
  if (Array.isArray(v)) {
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) items.push(writeExact(v[i], String(i), stack) ?? "null");
    out = `[${items.join(",")}]`;
  } else {
    const members: string[] = [];
    for (const k of Object.keys(v)) {
      const s = writeExact((v as Record<string, unknown>)[k], k, stack);
      if (s !== undefined) members.push(`${JSON.stringify(k)}:${s}`);
    }
    out = `{${members.join(",")}}`;
  }
  stack.delete(v);
  return out;
}

function invalidJson(reason: string, text: string, cause?: unknown): OvsdbError {
  return new OvsdbError("INVALID_JSON", `invalid JSON from the peer: ${reason}`, {
    cause,
    details: { length: text.length, head: text.slice(0, 200) },
  });
}

const MAX_DEPTH = 10_000;

/** A small recursive-descent JSON parser; strings with escapes are decoded by JSON.parse of the literal. */
class ExactParser {
  pos = 0;
  constructor(private readonly text: string) {}

  error(what: string): OvsdbError {
    return invalidJson(`${what} at position ${this.pos}`, this.text);
  }

  skipWhitespace(): void {
    const t = this.text;
    let i = this.pos;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw this.error("nesting too deep");
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.object(depth);
      case 0x5b:
        return this.array(depth);
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal("true", true);
      case 0x66:
        return this.literal("false", false);
      case 0x6e:
        return this.literal("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        throw this.error(Number.isNaN(c) ? "unexpected end of JSON" : `unexpected character ${JSON.stringify(this.text[this.pos])}`);
    }
  }

  private literal<T>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) throw this.error(`invalid literal`);
    this.pos += word.length;
    return v;
  }

  private object(depth: number): JsonValue {
    const obj: Record<string, JsonValue> = {};
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) throw this.error("expected a member name");
      const key = this.string();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) throw this.error('expected ":"');
      this.pos++;
      this.skipWhitespace();
      const v = this.value(depth + 1);
      if (key === "__proto__") Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return obj;
      if (c !== 0x2c) {
        this.pos--;
        throw this.error('expected "," or "}"');
      }
      this.skipWhitespace();
    }
  }

  private array(depth: number): JsonValue {
    const arr: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return arr;
      if (c !== 0x2c) {
        this.pos--;
        throw this.error('expected "," or "]"');
      }
      this.skipWhitespace();
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos; // the opening quote
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = i;
        throw this.error(Number.isNaN(c) ? "unterminated string" : "control character in string");
      }
      i++;
    }
    this.pos = i + 1;
    if (!escaped) return t.slice(start + 1, i);
    try {
      return JSON.parse(t.slice(start, i + 1)) as string;
    } catch (e) {
      this.pos = start;
      throw this.error(`invalid string escape (${(e as Error).message})`);
    }
  }

  private number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    if (t.charCodeAt(i) === 0x30) i++;
    else {
      if (!isDigit(t.charCodeAt(i))) {
        this.pos = i;
        throw this.error("invalid number");
      }
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const intDigits = i - intStart;
    let isInteger = true;
    if (t.charCodeAt(i) === 0x2e) {
      isInteger = false;
      i++;
      if (!isDigit(t.charCodeAt(i))) {
        this.pos = i;
        throw this.error("invalid number");
      }
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const e = t.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      isInteger = false;
      i++;
      const s = t.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(t.charCodeAt(i))) {
        this.pos = i;
        throw this.error("invalid number");
      }
      while (isDigit(t.charCodeAt(i))) i++;
    }
    this.pos = i;
    const literal = t.slice(start, i);
    if (isInteger && intDigits >= 16) {
      const big = BigInt(literal);
      return big > MAX_SAFE || big < MIN_SAFE ? big : Number(big);
    }
    return Number(literal);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
