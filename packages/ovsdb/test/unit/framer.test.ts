import { expect } from "chai";
import fc from "fast-check";
import type { OvsdbError } from "../../src/protocol/errors.js";
import { Framer, LONG_DIGIT_RUN } from "../../src/rpc/framer.js";
import { thrown } from "../helpers/errors.js";
import { readTranscript, wireSampleDirs } from "../helpers/wire-samples.js";

/** The wire samples' messages, re-serialized compactly and concatenated the way ovsdb-server writes them. */
function sampleStreams(): { name: string; messages: Buffer[] }[] {
  return wireSampleDirs().map((name) => ({ name, messages: readTranscript(name).map((msg) => Buffer.from(JSON.stringify(msg))) }));
}

/** Messages that stress the string scanner: escapes, brackets in strings, multibyte UTF-8, long digit runs. */
const TRICKY: string[] = [
  `{"id":1,"result":["a\\"b","c\\\\","\\\\\\"","}{][","x\\\\\\\\"],"error":null}`,
  `{"method":"update2","params":["é漢😀 \\u00e9",{"T":{"\\"}":{"insert":{"name":"{[\\"]}\\\\"}}}}],"id":null}`,
  `[1,-2,3.5e10,1234567890123456789,"12345678901234567890",{"k":[[],{}]}]`,
  `{"a":"${"\\\\".repeat(7)}","b":"${"\\\\".repeat(8)}\\"","c":"日本語のテキスト🚀🚀","d":9007199254740993}`,
  `{"e":"\\\\"}`,
];

function frameAll(chunks: Buffer[], framer = new Framer()): { frames: Buffer[]; long: boolean[] } {
  const frames: Buffer[] = [];
  const long: boolean[] = [];
  for (const c of chunks) {
    framer.push(c, (f, l) => {
      frames.push(Buffer.from(f)); // copy: a frame may be a view into the chunk
      long.push(l);
    });
  }
  return { frames, long };
}

function splitEvery(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

describe("framer", () => {
  const streams = [...sampleStreams(), { name: "tricky", messages: TRICKY.map((s) => Buffer.from(s)) }];

  it("the wire samples are there and hold several kinds of message", () => {
    expect(streams.length).to.be.greaterThanOrEqual(3);
    for (const s of streams.slice(0, -1)) expect(s.messages.length).to.be.greaterThan(30);
  });

  for (const { name, messages } of streams) {
    const stream = Buffer.concat(messages);
    const expected = messages.map((m) => m.toString("hex"));
    const same = (got: Buffer[], want: Buffer[]): boolean => got.length === want.length && got.every((g, i) => g.equals(want[i]!));

    it(`${name}: one chunk gives every message`, () => {
      const { frames } = frameAll([stream]);
      expect(frames.map((f) => f.toString("hex"))).to.deep.equal(expected);
      for (const f of frames) expect(() => JSON.parse(f.toString("utf8"))).not.to.throw();
    });

    it(`${name}: one byte per chunk (every boundary at once)`, () => {
      const { frames } = frameAll(splitEvery(stream, 1));
      expect(frames.map((f) => f.toString("hex"))).to.deep.equal(expected);
    });

    it(`${name}: every split point of the stream (${stream.length + 1}), message by message with its neighbours`, () => {
      const offsets = [0];
      for (const m of messages) offsets.push(offsets[offsets.length - 1]! + m.length);
      for (let m = 0; m < messages.length; m++) {
        // chunk 1 = previous message + the first k bytes of this one; chunk 2 = the rest + the next message
        const from = offsets[Math.max(0, m - 1)]!;
        const to = offsets[Math.min(messages.length, m + 2)]!;
        const want = messages.slice(Math.max(0, m - 1), m + 2);
        for (let k = m === 0 ? 0 : 1; k <= messages[m]!.length; k++) {
          const cut = offsets[m]! + k;
          const got: Buffer[] = [];
          const framer = new Framer();
          framer.push(stream.subarray(from, cut), (f) => void got.push(f));
          framer.push(stream.subarray(cut, to), (f) => void got.push(f));
          if (!same(got, want)) expect(got.map(String), `message ${m} split at ${k}`).to.deep.equal(want.map(String));
        }
      }
    });
  }

  it("splits inside multibyte UTF-8 characters are fine (é, 漢, emoji)", () => {
    const text = `{"id":7,"result":["é","漢字","😀👍🏽","aé漢😀z"],"error":null}{"id":8,"result":"ü","error":null}`;
    const stream = Buffer.from(text, "utf8");
    const multibyteOffsets: number[] = [];
    for (let i = 0; i < stream.length; i++) if ((stream[i]! & 0xc0) === 0x80) multibyteOffsets.push(i);
    expect(multibyteOffsets.length).to.be.greaterThan(20);
    for (const k of multibyteOffsets) {
      const { frames } = frameAll([stream.subarray(0, k), stream.subarray(k)]);
      expect(frames.map((f) => JSON.parse(f.toString("utf8")))).to.deep.equal([
        { id: 7, result: ["é", "漢字", "😀👍🏽", "aé漢😀z"], error: null },
        { id: 8, result: "ü", error: null },
      ]);
    }
  });

  it("skips whitespace between values, not inside them", () => {
    const { frames } = frameAll([Buffer.from(' \n\t{"a":" { "}\r\n [1, 2]  {}[]')]);
    expect(frames.map(String)).to.deep.equal(['{"a":" { "}', "[1, 2]", "{}", "[]"]);
  });

  it("escaped quotes and backslashes split across chunks at every point", () => {
    // the closing quote preceded by runs of 0..6 backslashes (even runs end the string, odd runs escape it)
    for (let n = 0; n <= 6; n++) {
      const body = `${"\\".repeat(n)}${n % 2 === 1 ? '"' : ""}`;
      const msg = `{"s":"x${body}","t":"}"}`;
      expect(() => JSON.parse(msg), msg).not.to.throw();
      const stream = Buffer.from(`${msg}{"n":${n}}`);
      for (let k = 0; k <= stream.length; k++) {
        for (let j = k; j <= Math.min(stream.length, k + 3); j++) {
          const { frames } = frameAll([stream.subarray(0, k), stream.subarray(k, j), stream.subarray(j)]);
          expect(frames.map(String), `n=${n} k=${k} j=${j}`).to.deep.equal([msg, `{"n":${n}}`]);
        }
      }
    }
  });

  it("property: any JSON values, any whitespace, any chunking", () => {
    const value = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue()));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, fc.constantFrom("", " ", "\n", "\r\n\t ")), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        (values, sizes) => {
          const texts = values.map(([v]) => JSON.stringify(v));
          const stream = Buffer.from(values.map(([v, ws], i) => ws + texts[i]).join(""), "utf8");
          const chunks: Buffer[] = [];
          let off = 0;
          for (let i = 0; off < stream.length; i++) {
            const size = sizes[i % sizes.length]!;
            chunks.push(stream.subarray(off, off + size));
            off += size;
          }
          const { frames } = frameAll(chunks);
          expect(frames.map((f) => f.toString("utf8"))).to.deep.equal(texts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("flags frames with a digit run of 16+ outside strings, only those", () => {
    const cases: [string, boolean][] = [
      ['{"n":900719925474099}', false], // 15 digits
      ['{"n":9007199254740993}', true], // 16 digits
      ['{"n":-9223372036854775808}', true],
      ['{"s":"12345678901234567890"}', false], // in a string
      ['{"r":0.30000000000000004}', false], // a real's fraction
      ['{"r":1.5e123456789012345678}', false], // exponent digits
      ['[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]', false], // many short numbers
    ];
    for (const [text, long] of cases) {
      const stream = Buffer.from(text);
      for (let k = 0; k <= stream.length; k++) {
        const r = frameAll([stream.subarray(0, k), stream.subarray(k)]);
        expect(r.long, `${text} split at ${k}`).to.deep.equal([long]);
      }
    }
    expect(LONG_DIGIT_RUN).to.equal(String(Number.MAX_SAFE_INTEGER).length);
    // the flag is per frame
    expect(frameAll([Buffer.from('[12345678901234567][1]')]).long).to.deep.equal([true, false]);
  });

  it("rejects a top-level byte that cannot start an object or array with MALFORMED_FRAME", () => {
    for (const bad of ["x", '"str"', "1", "}", "]", "\u0000", "nul", "\u00e9"]) {
      const framer = new Framer();
      const e = thrown(() => framer.push(Buffer.from(`{"ok":1} ${bad}`), () => undefined));
      expect(e.code, bad).to.equal("MALFORMED_FRAME");
      expect(e.details.offset).to.equal(9);
      // the framer stays failed
      expect(thrown(() => framer.push(Buffer.from("{}"), () => undefined)).code).to.equal("MALFORMED_FRAME");
    }
  });

  it("frames that came before the garbage in the same chunk are delivered", () => {
    const frames: string[] = [];
    const e = thrown(() => new Framer().push(Buffer.from('{"a":1}[2]GARBAGE'), (f) => void frames.push(String(f))));
    expect(e.code).to.equal("MALFORMED_FRAME");
    expect(frames).to.deep.equal(['{"a":1}', "[2]"]);
  });

  it("accepts a frame of exactly maxFrameBytes, rejects one byte more", () => {
    const ok = Buffer.from(`{"s":"${"x".repeat(92)}"}`); // 100 bytes
    expect(ok.length).to.equal(100);
    for (let k = 0; k <= ok.length; k++) {
      expect(frameAll([ok.subarray(0, k), ok.subarray(k)], new Framer({ maxFrameBytes: 100 })).frames).to.have.length(1);
    }
    const big = Buffer.from(`{"s":"${"x".repeat(93)}"}`);
    for (let k = 0; k <= big.length; k++) {
      const framer = new Framer({ maxFrameBytes: 100 });
      const e = thrown(() => frameAll([big.subarray(0, k), big.subarray(k)], framer));
      expect(e.code, `split ${k}`).to.equal("FRAME_TOO_LARGE");
    }
    // whitespace between frames does not count
    expect(frameAll([Buffer.from(`${" ".repeat(500)}${ok.toString()}`)], new Framer({ maxFrameBytes: 100 })).frames).to.have.length(1);
  });

  it("reports FRAME_TOO_LARGE as soon as the limit is crossed, without buffering the rest", () => {
    const framer = new Framer({ maxFrameBytes: 1000 });
    framer.push(Buffer.from('{"s":"'), () => undefined);
    let pushed = 6;
    const chunk = Buffer.alloc(100, 0x61);
    let error: OvsdbError | undefined;
    while (!error) {
      try {
        framer.push(chunk, () => undefined);
        pushed += chunk.length;
        expect(framer.bufferedBytes).to.be.at.most(1000);
      } catch (e) {
        error = e as OvsdbError;
      }
    }
    expect(error.code).to.equal("FRAME_TOO_LARGE");
    expect(pushed).to.equal(906); // the chunk that crosses 1000 bytes is the one that fails
    expect(framer.bufferedBytes).to.equal(0);
    // a single huge chunk fails without scanning past the limit
    const e = thrown(() => new Framer({ maxFrameBytes: 1000 }).push(Buffer.concat([Buffer.from("["), Buffer.alloc(5_000_000, 0x20)]), () => undefined));
    expect(e.code).to.equal("FRAME_TOO_LARGE");
  });

  it("defaults to 128 MiB frames", () => {
    expect(new Framer().maxFrameBytes).to.equal(128 * 1024 * 1024);
  });

  it("handles a 100+ MB message fed in 64 KiB chunks (parts concatenated once)", function () {
    this.timeout(60_000);
    const piece = `"${"abcdefghij".repeat(100_000)}"`; // 1 MB string
    const text = `{"id":1,"result":[${Array.from({ length: 101 }, () => piece).join(",")}],"error":null}`;
    const stream = Buffer.from(text + '{"id":2,"result":[],"error":null}');
    let count = 0;
    let first: Buffer | undefined;
    const framer = new Framer();
    for (const c of splitEvery(stream, 65536)) {
      framer.push(c, (f) => {
        count++;
        first ??= f;
      });
    }
    expect(count).to.equal(2);
    expect(first!.length).to.equal(Buffer.byteLength(text));
    expect(first!.length).to.be.greaterThan(100_000_000);
    const parsed = JSON.parse(first!.toString("utf8")) as { result: string[] };
    expect(parsed.result).to.have.length(101);
  });
});
