import { expect } from "chai";
import { analyzeStream, type Delivery, type SentPacket } from "@ovnkit/sandbox";

const sent = (n: number, from = "hv3", t0 = 1000, interval = 5): SentPacket[] =>
  Array.from({ length: n }, (_, seq) => ({ seq, sentAt: t0 + seq * interval, from }));
const at = (chassis: string, seqs: number[], lag = 1): Delivery[] => seqs.map((seq) => ({ seq, chassis, at: 1000 + seq * 5 + lag }));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe("sandbox probe report (pure stream analysis)", () => {
  it("a clean stream: everything delivered at one chassis, no gap", () => {
    const r = analyzeStream(sent(100), at("hv1", range(0, 99)), 5);
    expect(r).to.deep.include({ sent: 100, delivered: 100, lost: [], duplicates: 0, gaps: [], maxGapMs: 0 });
    expect(r.byChassis).to.deep.equal({ hv1: { count: 100, firstSeq: 0, lastSeq: 99, firstAt: 1001, lastAt: 1496 } });
    expect(r.sentFrom).to.deep.equal({ hv3: 100 });
    expect(r.packets[7]).to.deep.equal({ seq: 7, sentAt: 1035, from: "hv3", deliveredAt: { hv1: 1036 } });
  });

  it("a migration: hv1 then both (multichassis) then hv2, with an interruption measured from the send times", () => {
    const deliveries = [...at("hv1", range(0, 59)), ...at("hv2", range(40, 49)), ...at("hv2", range(66, 99))];
    const r = analyzeStream(sent(100), deliveries, 5);
    expect(r.delivered).to.equal(60 + 34);
    expect(r.lost).to.deep.equal(range(60, 65));
    expect(r.duplicates).to.equal(10);
    expect(r.gaps).to.deep.equal([{ firstSeq: 60, lastSeq: 65, count: 6, fromSentAt: 1000 + 59 * 5, toSentAt: 1000 + 66 * 5, ms: 35 }]);
    expect(r.maxGapMs).to.equal(35);
    expect(r.byChassis["hv1"]).to.deep.include({ count: 60, firstSeq: 0, lastSeq: 59 });
    expect(r.byChassis["hv2"]).to.deep.include({ count: 44, firstSeq: 40, lastSeq: 99 });
    expect(Object.keys(r.packets[45]!.deliveredAt).sort()).to.deep.equal(["hv1", "hv2"]);
  });

  it("gaps at the start and at the end, and deliveries of unknown sequence numbers ignored", () => {
    const r = analyzeStream(sent(10), [...at("hv1", range(3, 6)), { seq: 999, chassis: "hv1", at: 0 }], 5);
    expect(r.gaps.map((g) => [g.firstSeq, g.lastSeq, g.ms])).to.deep.equal([[0, 2, 15], [7, 9, 15]]);
    expect(r.byChassis["hv1"]!.count).to.equal(4);
  });

  it("per-packet sender for a stream whose source moves (VM -> peer)", () => {
    const s = [...sent(5, "hv1"), ...sent(5, "hv2", 1025).map((p) => ({ ...p, seq: p.seq + 5 }))];
    const r = analyzeStream(s, at("hv3", range(0, 9)), 5);
    expect(r.sentFrom).to.deep.equal({ hv1: 5, hv2: 5 });
    expect(r.deliveredFrom).to.deep.equal({ hv1: 5, hv2: 5 });
    const partial = analyzeStream(s, at("hv3", [0, 1, 7]), 5);
    expect(partial.deliveredFrom).to.deep.equal({ hv1: 2, hv2: 1 });
    expect(r.packets.map((p) => p.from)).to.deep.equal(["hv1", "hv1", "hv1", "hv1", "hv1", "hv2", "hv2", "hv2", "hv2", "hv2"]);
    expect(r.lost).to.deep.equal([]);
  });
});
