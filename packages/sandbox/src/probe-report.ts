/**
 * Pure analysis of a numbered packet stream: which sequence numbers were sent, where and when each was delivered,
 * and the gaps (runs of consecutive sequence numbers delivered nowhere) that measure a network interruption.
 */

export interface SentPacket {
  seq: number;
  /** Send time, ms since epoch. */
  sentAt: number;
  /** Chassis the packet was sent from. */
  from: string;
}

export interface Delivery {
  seq: number;
  /** Chassis whose port received it. */
  chassis: string;
  /** Capture time, ms since epoch. */
  at: number;
}

export interface PacketRecord {
  seq: number;
  sentAt: number;
  from: string;
  /** Chassis -> first capture time there. Empty when lost. */
  deliveredAt: Record<string, number>;
}

export interface ChassisDeliveries {
  count: number;
  firstSeq: number;
  lastSeq: number;
  firstAt: number;
  lastAt: number;
}

export interface Gap {
  /** First and last sequence number delivered nowhere. */
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** Send time of the last packet delivered before the gap (or of the first lost one at the start). */
  fromSentAt: number;
  /** Send time of the first packet delivered after the gap (or of the last lost one at the end). */
  toSentAt: number;
  /** The interruption as seen by the stream: toSentAt - fromSentAt. */
  ms: number;
}

export interface StreamReport {
  intervalMs: number;
  sent: number;
  /** Sequence numbers delivered at least once. */
  delivered: number;
  /** Sequence numbers delivered nowhere. */
  lost: number[];
  /** Deliveries beyond the first of a sequence number (multichassis delivers to several places). */
  duplicates: number;
  /** Per receiving chassis. */
  byChassis: Record<string, ChassisDeliveries>;
  /** Per sending chassis: how many packets it sent. */
  sentFrom: Record<string, number>;
  /** Per sending chassis: how many of its packets were delivered somewhere. */
  deliveredFrom: Record<string, number>;
  gaps: Gap[];
  /** Longest gap in ms (0 without loss). */
  maxGapMs: number;
  packets: PacketRecord[];
}

export function analyzeStream(sent: readonly SentPacket[], deliveries: readonly Delivery[], intervalMs: number): StreamReport {
  const ordered = [...sent].sort((a, b) => a.seq - b.seq);
  const bySeq = new Map<number, PacketRecord>();
  const sentFrom: Record<string, number> = {};
  for (const s of ordered) {
    bySeq.set(s.seq, { seq: s.seq, sentAt: s.sentAt, from: s.from, deliveredAt: {} });
    sentFrom[s.from] = (sentFrom[s.from] ?? 0) + 1;
  }
  let duplicates = 0;
  const byChassis: Record<string, ChassisDeliveries> = {};
  for (const d of deliveries) {
    const p = bySeq.get(d.seq);
    if (!p) continue; // not ours (or from an earlier run with the same stream id)
    if (Object.keys(p.deliveredAt).length > 0) duplicates++;
    if (p.deliveredAt[d.chassis] === undefined || d.at < p.deliveredAt[d.chassis]!) p.deliveredAt[d.chassis] = d.at;
    const c = byChassis[d.chassis];
    if (!c) {
      byChassis[d.chassis] = { count: 1, firstSeq: d.seq, lastSeq: d.seq, firstAt: d.at, lastAt: d.at };
    } else {
      c.count++;
      if (d.seq < c.firstSeq) c.firstSeq = d.seq;
      if (d.seq > c.lastSeq) c.lastSeq = d.seq;
      if (d.at < c.firstAt) c.firstAt = d.at;
      if (d.at > c.lastAt) c.lastAt = d.at;
    }
  }
  const packets = [...bySeq.values()];
  const lost = packets.filter((p) => Object.keys(p.deliveredAt).length === 0).map((p) => p.seq);
  const deliveredFrom: Record<string, number> = {};
  for (const p of packets) {
    if (Object.keys(p.deliveredAt).length > 0) deliveredFrom[p.from] = (deliveredFrom[p.from] ?? 0) + 1;
  }
  const gaps: Gap[] = [];
  for (let i = 0; i < packets.length; ) {
    if (Object.keys(packets[i]!.deliveredAt).length > 0) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < packets.length && Object.keys(packets[j + 1]!.deliveredAt).length === 0) j++;
    const before = packets[i - 1];
    const after = packets[j + 1];
    const fromSentAt = before ? before.sentAt : packets[i]!.sentAt;
    const toSentAt = after ? after.sentAt : packets[j]!.sentAt;
    gaps.push({ firstSeq: packets[i]!.seq, lastSeq: packets[j]!.seq, count: j - i + 1, fromSentAt, toSentAt, ms: toSentAt - fromSentAt });
    i = j + 1;
  }
  return {
    intervalMs,
    sent: packets.length,
    delivered: packets.length - lost.length,
    lost,
    duplicates,
    byChassis,
    sentFrom,
    deliveredFrom,
    gaps,
    maxGapMs: gaps.reduce((m, g) => Math.max(m, g.ms), 0),
    packets,
  };
}
