import { expect } from "chai";
import fc from "fast-check";
import {
  ARP_OP_REQUEST, ARP_OP_REVERSE_REQUEST, ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_RARP, SandboxError,
  buildArp, buildRarp, buildSequencePayload, buildUdp, internetChecksum, parseFrame, parseMac, parseSequencePayload,
} from "@ovnkit/sandbox";

/** A frame ovs-vswitchd 3.1 composed itself (netdev-dummy/receive with a flow, captured by tx_pcap). */
const OVS_COMPOSED_UDP = Buffer.from(
  "000000000002" + "000000000001" + "0800"
  + "4500005c" + "00000000" + "4011668f" + "0a000001" + "0a000002"
  + "04d2" + "162e" + "0048" + "ec57"
  + Buffer.from(Array.from({ length: 64 }, (_, i) => i)).toString("hex"),
  "hex",
);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(SandboxError);
    return (e as SandboxError).code;
  }
  return expect.fail("expected a SandboxError");
}

const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":"));
const ipArb = fc.ipV4();
const portArb = fc.integer({ min: 0, max: 0xffff });

describe("sandbox frames: builders and parsers", () => {
  it("builds the exact UDP frame ovs-vswitchd composes (IPv4 header checksum and UDP checksum)", () => {
    const frame = buildUdp({
      srcMac: "00:00:00:00:00:01", dstMac: "00:00:00:00:00:02", srcIp: "10.0.0.1", dstIp: "10.0.0.2",
      srcPort: 1234, dstPort: 5678, payload: Buffer.from(Array.from({ length: 64 }, (_, i) => i)),
    });
    expect(frame.toString("hex")).to.equal(OVS_COMPOSED_UDP.toString("hex"));
  });

  it("computes the RFC 1071 checksum of a textbook IPv4 header (0xb861)", () => {
    const header = Buffer.from("450000730000400040110000c0a80001c0a800c7", "hex");
    expect(internetChecksum(header)).to.equal(0xb861);
    header.writeUInt16BE(0xb861, 10);
    expect(internetChecksum(header)).to.equal(0);
  });

  it("parses the OVS-composed frame and verifies both checksums", () => {
    const p = parseFrame(OVS_COMPOSED_UDP);
    expect(p).to.deep.include({ dst: "00:00:00:00:00:02", src: "00:00:00:00:00:01", ethertype: ETH_TYPE_IPV4 });
    expect(p.ipv4).to.deep.include({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 17, ttl: 64, totalLength: 92, headerChecksumOk: true });
    expect(p.udp).to.deep.include({ srcPort: 1234, dstPort: 5678, length: 72, checksumOk: true });
    expect(p.udp!.payload.length).to.equal(64);
  });

  it("builds ARP in the layout of OVN's test suite (send_arp) and parses it back", () => {
    const frame = buildArp({ op: ARP_OP_REQUEST, senderMac: "00:00:00:00:00:02", senderIp: "10.0.0.20", targetMac: "00:00:00:00:00:01", targetIp: "10.0.0.10", ethDst: "00:00:00:00:00:01" });
    const sha = "000000000002";
    const tha = "000000000001";
    expect(frame.toString("hex")).to.equal(`${tha}${sha}08060001080006040001${sha}0a000014${tha}0a00000a`);
    expect(parseFrame(frame).arp).to.deep.equal({ op: 1, senderMac: "00:00:00:00:00:02", senderIp: "10.0.0.20", targetMac: "00:00:00:00:00:01", targetIp: "10.0.0.10" });
    expect(parseFrame(frame).ethertype).to.equal(ETH_TYPE_ARP);
  });

  it("builds a RARP announcement as QEMU sends it after migration", () => {
    const frame = buildRarp({ mac: "0a:58:0a:00:00:0a" });
    const p = parseFrame(frame);
    expect(p.dst).to.equal("ff:ff:ff:ff:ff:ff");
    expect(p.src).to.equal("0a:58:0a:00:00:0a");
    expect(p.ethertype).to.equal(ETH_TYPE_RARP);
    expect(frame.readUInt16BE(12)).to.equal(0x8035);
    expect(p.arp).to.deep.equal({ op: ARP_OP_REVERSE_REQUEST, senderMac: "0a:58:0a:00:00:0a", senderIp: "0.0.0.0", targetMac: "0a:58:0a:00:00:0a", targetIp: "0.0.0.0" });
    expect(frame.length).to.equal(42);
  });

  it("round-trips any UDP frame, and any flipped payload byte breaks the UDP checksum", () => {
    fc.assert(fc.property(
      macArb, macArb, ipArb, ipArb, portArb, portArb, fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }),
      (srcMac, dstMac, srcIp, dstIp, srcPort, dstPort, payload, at, flip) => {
        const frame = buildUdp({ srcMac, dstMac, srcIp, dstIp, srcPort, dstPort, payload });
        const p = parseFrame(frame);
        expect(p).to.deep.include({ src: srcMac, dst: dstMac, ethertype: ETH_TYPE_IPV4 });
        expect(p.ipv4).to.deep.include({ src: srcIp, dst: dstIp, headerChecksumOk: true });
        expect(p.udp).to.deep.include({ srcPort, dstPort, checksumOk: true });
        expect(Buffer.compare(p.udp!.payload, Buffer.from(payload))).to.equal(0);
        const broken = Buffer.from(frame);
        broken[42 + (at % payload.length)]! ^= flip;
        expect(parseFrame(broken).udp!.checksumOk).to.equal(false);
        const badHeader = Buffer.from(frame);
        badHeader[14 + 8]! ^= flip; // TTL
        expect(parseFrame(badHeader).ipv4!.headerChecksumOk).to.equal(false);
      },
    ));
  });

  it("round-trips the probe's numbered payload and ignores foreign payloads", () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.nat({ max: 1000 }), fc.double({ noNaN: true }), (stream, seq, origin, sentAt) => {
      const b = buildSequencePayload({ stream: stream >>> 0, seq: seq >>> 0, origin, sentAt });
      expect(parseSequencePayload(b)).to.deep.equal({ stream: stream >>> 0, seq: seq >>> 0, origin, sentAt });
    }));
    expect(parseSequencePayload(Buffer.alloc(24))).to.equal(undefined);
    expect(parseSequencePayload(Buffer.alloc(10))).to.equal(undefined);
  });

  it("leaves out what it cannot parse and rejects malformed addresses with FRAME_FORMAT", () => {
    const truncated = OVS_COMPOSED_UDP.subarray(0, 40);
    const p = parseFrame(truncated);
    expect(p.ethertype).to.equal(ETH_TYPE_IPV4);
    expect(p.ipv4).to.equal(undefined);
    expect(codeOf(() => parseFrame(Buffer.alloc(13)))).to.equal("FRAME_FORMAT");
    expect(codeOf(() => parseMac("00:11:22:33:44"))).to.equal("FRAME_FORMAT");
    expect(codeOf(() => buildUdp({ srcMac: "00:00:00:00:00:01", dstMac: "00:00:00:00:00:02", srcIp: "10.0.0.256", dstIp: "10.0.0.1", srcPort: 1, dstPort: 2, payload: Buffer.alloc(0) }))).to.equal("FRAME_FORMAT");
  });
});
