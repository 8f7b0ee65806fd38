import { expect } from "chai";
import fc from "fast-check";
import { Uuid } from "../../src/protocol/notation.js";
import { Framer } from "../../src/rpc/framer.js";
import { decodeFrame, parseJson, parseJsonExact, stringifyJson } from "../../src/rpc/json.js";
import { thrown } from "../helpers/errors.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Frames and decodes text the way a connection does (framer flag -> exact parser). */
function viaFramer(text: string): unknown {
  const out: unknown[] = [];
  new Framer().push(Buffer.from(text), (f, long) => void out.push(decodeFrame(f, long)));
  expect(out).to.have.length(1);
  return out[0];
}

describe("json: exact int64", () => {
  it("keeps -2^63, 2^63-1 and 2^53+1 exact as bigint (JSON.parse would not)", () => {
    const text = `{"result":[${INT64_MIN},${INT64_MAX},${2n ** 53n + 1n},${-(2n ** 53n) - 1n}]}`;
    expect((JSON.parse(text) as { result: number[] }).result[2]).to.equal(2 ** 53); // the loss we avoid
    for (const v of [parseJsonExact(text), viaFramer(text)]) {
      expect(v).to.deep.equal({ result: [INT64_MIN, INT64_MAX, 2n ** 53n + 1n, -(2n ** 53n) - 1n] });
    }
  });

  it("integers within +-(2^53-1) stay numbers, even with 16 digits", () => {
    const v = viaFramer(`[9007199254740991,-9007199254740991,1000000000000000,0,-0,42]`) as unknown[];
    expect(v).to.deep.equal([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e15, 0, -0, 42]);
    for (const x of v) expect(typeof x).to.equal("number");
    // 2^53 itself is not safe: exactness is kept as bigint
    expect(viaFramer(`[9007199254740992]`)).to.deep.equal([2n ** 53n]);
  });

  it("reals are parsed exactly as JSON.parse does: 1e308, 0.1, -2.5e-300, 1.7976931348623157e308", () => {
    const text = `[1e308,0.1,-2.5e-300,1.7976931348623157e308,12345678901234567.5,0.30000000000000004,1E2,1e400]`;
    expect(parseJsonExact(text)).to.deep.equal(JSON.parse(text));
    expect(viaFramer(text)).to.deep.equal(JSON.parse(text));
    expect((parseJsonExact(text) as number[])[7]).to.equal(Infinity);
  });

  it("digits inside strings are not numbers", () => {
    expect(viaFramer(`{"s":"9223372036854775807","n":9223372036854775807}`)).to.deep.equal({ s: "9223372036854775807", n: INT64_MAX });
  });

  it("decodes strings with escapes and non-ASCII like JSON.parse", () => {
    const text = String.raw`{"a":"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00","é漢😀":"é漢😀","__proto__":{"x":1},"n":12345678901234567890}`;
    const v = parseJsonExact(text) as Record<string, unknown>;
    const expected = JSON.parse(text) as Record<string, unknown>;
    expected.n = 12345678901234567890n;
    expect(v).to.deep.equal(expected);
    expect(Object.getPrototypeOf(v)).to.equal(Object.prototype); // "__proto__" is an own member, as with JSON.parse
    expect(Object.prototype.hasOwnProperty.call(v, "__proto__")).to.equal(true);
  });

  it("property: agrees with JSON.parse on any JSON without long integers", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        if (/\d{16}/.test(text)) return; // only checked where JSON.parse is exact
        expect(parseJsonExact(text)).to.deep.equal(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it("property: any int64 survives a round trip through stringifyJson and the framer", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => {
        const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
        const value = { id: null, params: [safe ? Number(n) : n] };
        expect(viaFramer(stringifyJson(value))).to.deep.equal(value);
      }),
      { numRuns: 500 },
    );
  });

  it("invalid JSON is OvsdbError INVALID_JSON (both parsers)", () => {
    for (const bad of ['{"a":1,}', '{"a":tru}', '["x]', '{"a" 1}', "[1 2]", '{"a":"\u0001"}', '["\\x"]', "[01]", "[-]", "[1.]", "{}x"]) {
      expect(thrown(() => parseJsonExact(bad)).code, bad).to.equal("INVALID_JSON");
      expect(thrown(() => decodeFrame(Buffer.from(bad), false)).code, bad).to.equal("INVALID_JSON");
      expect(thrown(() => decodeFrame(Buffer.from(bad), true)).code, bad).to.equal("INVALID_JSON");
    }
  });

  it("parseJson picks the exact parser only when needed", () => {
    expect(parseJson("[1,2]")).to.deep.equal([1, 2]);
    expect(parseJson("[18446744073709551615]")).to.deep.equal([18446744073709551615n]);
  });
});

describe("json: stringifyJson", () => {
  it("writes bigint as exact integer literals", () => {
    expect(stringifyJson({ a: INT64_MIN, b: [INT64_MAX, 1.5, "x"], c: 2n ** 53n + 1n })).to.equal(
      `{"a":-9223372036854775808,"b":[9223372036854775807,1.5,"x"],"c":9007199254740993}`,
    );
  });

  it("is JSON.stringify otherwise (toJSON, undefined members, non-finite numbers)", () => {
    const u = new Uuid("0a1b2c3d-0000-4000-8000-000000000001");
    for (const v of [{ u, x: undefined, n: NaN, i: -Infinity, s: "é\"\\" }, [undefined, () => 1, null], "s", 0.1, 1e308]) {
      expect(stringifyJson(v)).to.equal(JSON.stringify(v));
      // the same with a bigint forcing the exact writer
      expect(stringifyJson([v, 1n])).to.equal(`[${JSON.stringify(v)},1]`);
    }
  });

  it("rejects circular structures", () => {
    const a: unknown[] = [1n];
    a.push(a);
    expect(() => stringifyJson(a)).to.throw(TypeError);
  });
});
