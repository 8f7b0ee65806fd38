import { expect } from "chai";
import fc from "fast-check";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LINKTYPE_ETHERNET, PcapParser, PcapTail, SandboxError, parsePcap } from "@ovnkit/sandbox";

/** The start of a tx_pcap file written by ovs-vswitchd 3.1 (netdev-dummy): header + one 43-byte record. */
const OVS_PCAP = Buffer.from(
  "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ee050000" + "01000000"
  + "655f076b" + "bc7b0800" + "2b000000" + "2b000000"
  + "ffffffffffff" + "000000000001" + "8035" + "0001080006040003" + "000000000001" + "00000000" + "000000000001" + "00000000" + "00",
  "hex",
);

interface Rec {
  sec: number;
  frac: number;
  data: Buffer;
}

/** Writes a classic pcap in either byte order and time unit, as other capture tools do. */
function writePcap(records: Rec[], opts: { bigEndian?: boolean; nano?: boolean } = {}): Buffer {
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (opts.bigEndian) b.writeUInt32BE(v >>> 0);
    else b.writeUInt32LE(v >>> 0);
    return b;
  };
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (opts.bigEndian) b.writeUInt16BE(v);
    else b.writeUInt16LE(v);
    return b;
  };
  const parts: Buffer[] = [u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(65535), u32(1)];
  for (const r of records) parts.push(u32(r.sec), u32(r.frac), u32(r.data.length), u32(r.data.length), r.data);
  return Buffer.concat(parts);
}

const recordsArb = fc.array(fc.record({
  sec: fc.integer({ min: 0, max: 2 ** 31 }),
  frac: fc.integer({ min: 0, max: 999_999 }),
  data: fc.uint8Array({ minLength: 0, maxLength: 200 }).map((a) => Buffer.from(a)),
}), { maxLength: 12 });

describe("sandbox pcap: parser and tail reader", () => {
  it("reads the file ovs-vswitchd writes (header fields, record time and bytes)", () => {
    const p = new PcapParser();
    const recs = p.push(OVS_PCAP);
    expect(p.header).to.deep.equal({ littleEndian: true, nanoseconds: false, versionMajor: 2, versionMinor: 4, snaplen: 1518, linktype: LINKTYPE_ETHERNET });
    expect(recs).to.have.length(1);
    expect(recs[0]!.data.length).to.equal(43);
    expect(recs[0]!.data.readUInt16BE(12)).to.equal(0x8035);
    expect(recs[0]!.time).to.equal(0x6b075f65 * 1000 + 0x087bbc / 1000);
  });

  it("gives the same records whatever the chunking, byte order and time unit", () => {
    fc.assert(fc.property(recordsArb, fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), (records, bigEndian, nano, cuts) => {
      const file = writePcap(records, { bigEndian, nano });
      const whole = parsePcap(file);
      expect(whole.map((r) => r.data.toString("hex"))).to.deep.equal(records.map((r) => r.data.toString("hex")));
      expect(whole.map((r) => r.time)).to.deep.equal(records.map((r) => r.sec * 1000 + (nano ? r.frac / 1e6 : r.frac / 1e3)));
      const points = [...new Set(cuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
      const parser = new PcapParser();
      const pieces: string[] = [];
      let from = 0;
      for (const to of [...points, file.length]) {
        for (const r of parser.push(file.subarray(from, to))) pieces.push(r.data.toString("hex"));
        from = to;
      }
      expect(pieces).to.deep.equal(records.map((r) => r.data.toString("hex")));
    }));
  });

  it("rejects a file that is not pcap, and a corrupt record length, with PCAP_FORMAT", () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).to.be.instanceOf(SandboxError);
        return (e as SandboxError).code;
      }
      return expect.fail("expected a SandboxError");
    };
    expect(codeOf(() => parsePcap(Buffer.alloc(24)))).to.equal("PCAP_FORMAT");
    const corrupt = Buffer.from(OVS_PCAP);
    corrupt.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(codeOf(() => parsePcap(corrupt))).to.equal("PCAP_FORMAT");
  });

  it("tails a growing file: only complete new records, nothing for a missing file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ovnkit-pcap-"));
    try {
      const path = join(dir, "vm1-tx.pcap");
      const tail = new PcapTail(path);
      expect(await tail.read()).to.deep.equal([]);
      const file = writePcap([
        { sec: 1, frac: 1, data: Buffer.from("aa", "hex") },
        { sec: 2, frac: 2, data: Buffer.from("bbbb", "hex") },
        { sec: 3, frac: 3, data: Buffer.from("cccccc", "hex") },
      ]);
      await writeFile(path, file.subarray(0, 10));
      expect(await tail.read()).to.deep.equal([]);
      await appendFile(path, file.subarray(10, 24 + 16 + 1 + 5)); // first record + part of the second's header
      expect((await tail.read()).map((r) => r.data.toString("hex"))).to.deep.equal(["aa"]);
      expect(await tail.read()).to.deep.equal([]);
      await appendFile(path, file.subarray(24 + 16 + 1 + 5));
      expect((await tail.read()).map((r) => r.data.toString("hex"))).to.deep.equal(["bbbb", "cccccc"]);
      await tail.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
