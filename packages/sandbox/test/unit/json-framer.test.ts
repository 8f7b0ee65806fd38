import { expect } from "chai";
import fc from "fast-check";
import { SandboxError } from "@ovnkit/sandbox";
import { JsonFramer } from "../../src/json-framer.js";

/** Replies as OVS unixctl sends them: concatenated, no delimiter. */
const MESSAGES = [
  { id: 1, result: "hv1: connected\n", error: null },
  { id: 2, error: "\"nonexistent\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n" },
  { id: 3, result: "braces { } [ ] and \\ \" inside a string, ünïcödé ✓ 🐧", error: null },
  { id: null, method: "echo", params: [] },
  [1, [2, { a: [] }]],
];

describe("sandbox json framer (unixctl / ovsdb-server framing)", () => {
  it("splits concatenated messages cut at every byte position, multibyte characters included", () => {
    const bytes = Buffer.from(MESSAGES.map((m) => JSON.stringify(m)).join(" \n"));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const f = new JsonFramer();
      const got = [...f.push(bytes.subarray(0, cut)), ...f.push(bytes.subarray(cut))];
      expect(got, `cut at ${cut}`).to.deep.equal(MESSAGES);
    }
  });

  it("gives the same messages for any chunking", () => {
    fc.assert(fc.property(fc.array(fc.jsonValue().map((v) => ({ id: 7, result: v, error: null })), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
      const bytes = Buffer.from(msgs.map((m) => JSON.stringify(m)).join(""));
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const f = new JsonFramer();
      const got: unknown[] = [];
      let from = 0;
      for (const to of [...points, bytes.length]) {
        got.push(...f.push(bytes.subarray(from, to)));
        from = to;
      }
      expect(got).to.deep.equal(JSON.parse(JSON.stringify(msgs)));
    }));
  });

  it("fails with RPC_FRAMING on bytes between messages, bad JSON, bad UTF-8 and oversized messages", () => {
    const codeOf = (chunks: Buffer[], max?: number) => {
      const f = new JsonFramer(max);
      try {
        for (const c of chunks) f.push(c);
      } catch (e) {
        expect(e).to.be.instanceOf(SandboxError);
        return (e as SandboxError).code;
      }
      return "none";
    };
    expect(codeOf([Buffer.from('{"id":1} x {"id":2}')])).to.equal("RPC_FRAMING");
    expect(codeOf([Buffer.from('{"id":1,,}')])).to.equal("RPC_FRAMING");
    expect(codeOf([Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])])).to.equal("RPC_FRAMING");
    expect(codeOf([Buffer.from('{"a":"'), Buffer.alloc(100, 0x61)], 50)).to.equal("RPC_FRAMING");
    expect(codeOf([Buffer.from('{"id":1}')])).to.equal("none");
  });
});
