/**
 * Pure packet builders and parsers for what the sandbox injects and captures: Ethernet II, ARP, RARP (ethertype
 * 0x8035, as QEMU announces a migrated guest), IPv4 + UDP with checksums, and the probe's numbered payload.
 */
import { SandboxError } from "./process.js";

export const ETH_TYPE_IPV4 = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
export const ETH_TYPE_RARP = 0x8035;
export const IP_PROTO_UDP = 17;

export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
export const ARP_OP_REVERSE_REQUEST = 3;

export const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";

const ETH_HEADER = 14;
const ARP_LENGTH = 28;
const IPV4_HEADER = 20;
const UDP_HEADER = 8;

function frameError(message: string): SandboxError {
  return new SandboxError("FRAME_FORMAT", message);
}

/** "aa:bb:cc:dd:ee:ff" (or with "-") -> 6 bytes. */
export function parseMac(mac: string): Buffer {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw frameError(`bad MAC address "${mac}"`);
  return Buffer.from(parts.map((p) => Number.parseInt(p, 16)));
}

export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(":");
}

/** "10.0.0.1" -> 4 bytes. */
export function parseIpv4(ip: string): Buffer {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw frameError(`bad IPv4 address "${ip}"`);
  return Buffer.from(parts.map(Number));
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join(".");
}

/** RFC 1071 one's complement sum of 16-bit words, folded (not inverted). */
function onesComplementSum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum (RFC 1071) of `data`. Over a header that includes its checksum, a valid one gives 0. */
export function internetChecksum(data: Uint8Array): number {
  return ~onesComplementSum(data) & 0xffff;
}

/** The IPv4 pseudo-header the UDP checksum covers. */
function pseudoHeader(src: Uint8Array, dst: Uint8Array, udpLength: number): Buffer {
  const p = Buffer.alloc(12);
  Buffer.from(src).copy(p, 0);
  Buffer.from(dst).copy(p, 4);
  p[9] = IP_PROTO_UDP;
  p.writeUInt16BE(udpLength, 10);
  return p;
}

/** UDP checksum over pseudo-header + UDP header (checksum field zero) + payload. */
function udpChecksum(src: Uint8Array, dst: Uint8Array, udp: Uint8Array): number {
  const sum = ~onesComplementSum(udp, onesComplementSum(pseudoHeader(src, dst, udp.length))) & 0xffff;
  return sum === 0 ? 0xffff : sum; // 0 means "no checksum" in UDP over IPv4
}

/** True when a received UDP datagram's checksum verifies, or is 0 (absent). */
function udpChecksumOk(src: Uint8Array, dst: Uint8Array, udp: Buffer): boolean {
  if (udp.readUInt16BE(6) === 0) return true;
  return (~onesComplementSum(udp, onesComplementSum(pseudoHeader(src, dst, udp.length))) & 0xffff) === 0;
}

export interface EthernetFields {
  dst: string;
  src: string;
  ethertype: number;
}

export function buildEthernet(eth: EthernetFields, payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(ETH_HEADER + payload.length);
  parseMac(eth.dst).copy(frame, 0);
  parseMac(eth.src).copy(frame, 6);
  frame.writeUInt16BE(eth.ethertype, 12);
  Buffer.from(payload).copy(frame, ETH_HEADER);
  return frame;
}

export interface ArpFields {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

function arpBody(arp: ArpFields): Buffer {
  const b = Buffer.alloc(ARP_LENGTH);
  b.writeUInt16BE(1, 0); // htype Ethernet
  b.writeUInt16BE(ETH_TYPE_IPV4, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(arp.op, 6);
  parseMac(arp.senderMac).copy(b, 8);
  parseIpv4(arp.senderIp).copy(b, 14);
  parseMac(arp.targetMac).copy(b, 18);
  parseIpv4(arp.targetIp).copy(b, 24);
  return b;
}

/** An ARP frame; the Ethernet source is the sender MAC, the destination broadcast unless `ethDst` is given. */
export function buildArp(arp: ArpFields & { ethDst?: string }): Buffer {
  return buildEthernet({ dst: arp.ethDst ?? BROADCAST_MAC, src: arp.senderMac, ethertype: ETH_TYPE_ARP }, arpBody(arp));
}

/**
 * A RARP announcement as QEMU sends it after a live migration: broadcast, ethertype 0x8035, op 3 (reverse
 * request), sender and target hardware address = the guest MAC, protocol addresses 0.0.0.0.
 */
export function buildRarp(opts: { mac: string; op?: number; ip?: string }): Buffer {
  const ip = opts.ip ?? "0.0.0.0";
  const body = arpBody({ op: opts.op ?? ARP_OP_REVERSE_REQUEST, senderMac: opts.mac, senderIp: ip, targetMac: opts.mac, targetIp: ip });
  return buildEthernet({ dst: BROADCAST_MAC, src: opts.mac, ethertype: ETH_TYPE_RARP }, body);
}

export interface UdpFrameFields {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  ttl?: number;
  /** IPv4 identification; default 0. */
  id?: number;
  /** Set the don't-fragment flag; default false. */
  dontFragment?: boolean;
}

/** Ethernet + IPv4 (no options) + UDP, with a valid IPv4 header checksum and UDP checksum. */
export function buildUdp(f: UdpFrameFields): Buffer {
  const udpLength = UDP_HEADER + f.payload.length;
  const totalLength = IPV4_HEADER + udpLength;
  if (totalLength > 0xffff) throw frameError(`UDP payload of ${f.payload.length} bytes does not fit an IPv4 packet`);
  const src = parseIpv4(f.srcIp);
  const dst = parseIpv4(f.dstIp);
  const ip = Buffer.alloc(totalLength);
  ip[0] = 0x45;
  ip.writeUInt16BE(totalLength, 2);
  ip.writeUInt16BE(f.id ?? 0, 4);
  ip.writeUInt16BE(f.dontFragment ? 0x4000 : 0, 6);
  ip[8] = f.ttl ?? 64;
  ip[9] = IP_PROTO_UDP;
  src.copy(ip, 12);
  dst.copy(ip, 16);
  ip.writeUInt16BE(internetChecksum(ip.subarray(0, IPV4_HEADER)), 10);
  const udp = ip.subarray(IPV4_HEADER);
  udp.writeUInt16BE(f.srcPort, 0);
  udp.writeUInt16BE(f.dstPort, 2);
  udp.writeUInt16BE(udpLength, 4);
  Buffer.from(f.payload).copy(udp, UDP_HEADER);
  udp.writeUInt16BE(udpChecksum(src, dst, udp), 6);
  return buildEthernet({ dst: f.dstMac, src: f.srcMac, ethertype: ETH_TYPE_IPV4 }, ip);
}

export interface ParsedArp extends ArpFields {}

export interface ParsedIpv4 {
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  id: number;
  totalLength: number;
  headerChecksumOk: boolean;
}

export interface ParsedUdp {
  srcPort: number;
  dstPort: number;
  length: number;
  /** True when the checksum verifies (or is 0 = absent). */
  checksumOk: boolean;
  payload: Buffer;
}

export interface ParsedFrame {
  dst: string;
  src: string;
  ethertype: number;
  /** Set for ARP (0x0806) and RARP (0x8035) frames. */
  arp?: ParsedArp;
  ipv4?: ParsedIpv4;
  udp?: ParsedUdp;
}

function parseArpBody(b: Buffer): ParsedArp | undefined {
  if (b.length < ARP_LENGTH || b.readUInt16BE(0) !== 1 || b.readUInt16BE(2) !== ETH_TYPE_IPV4 || b[4] !== 6 || b[5] !== 4) return undefined;
  return {
    op: b.readUInt16BE(6),
    senderMac: formatMac(b.subarray(8, 14)),
    senderIp: formatIpv4(b.subarray(14, 18)),
    targetMac: formatMac(b.subarray(18, 24)),
    targetIp: formatIpv4(b.subarray(24, 28)),
  };
}

/** Parses what it recognises; unknown or truncated upper layers are simply left out. Throws only below 14 bytes. */
export function parseFrame(frame: Uint8Array): ParsedFrame {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (b.length < ETH_HEADER) throw frameError(`frame of ${b.length} bytes is shorter than an Ethernet header`);
  const out: ParsedFrame = { dst: formatMac(b.subarray(0, 6)), src: formatMac(b.subarray(6, 12)), ethertype: b.readUInt16BE(12) };
  const l3 = b.subarray(ETH_HEADER);
  if (out.ethertype === ETH_TYPE_ARP || out.ethertype === ETH_TYPE_RARP) {
    const arp = parseArpBody(l3);
    if (arp) out.arp = arp;
  } else if (out.ethertype === ETH_TYPE_IPV4 && l3.length >= IPV4_HEADER && l3[0]! >> 4 === 4) {
    const ihl = (l3[0]! & 0x0f) * 4;
    const totalLength = l3.readUInt16BE(2);
    if (ihl < IPV4_HEADER || l3.length < ihl || totalLength < ihl || l3.length < totalLength) return out;
    const src = l3.subarray(12, 16);
    const dst = l3.subarray(16, 20);
    out.ipv4 = {
      src: formatIpv4(src), dst: formatIpv4(dst), protocol: l3[9]!, ttl: l3[8]!, id: l3.readUInt16BE(4), totalLength,
      headerChecksumOk: internetChecksum(l3.subarray(0, ihl)) === 0,
    };
    const l4 = l3.subarray(ihl, totalLength);
    if (out.ipv4.protocol === IP_PROTO_UDP && l4.length >= UDP_HEADER) {
      const length = l4.readUInt16BE(4);
      if (length >= UDP_HEADER && length <= l4.length) {
        const udp = l4.subarray(0, length);
        out.udp = {
          srcPort: udp.readUInt16BE(0), dstPort: udp.readUInt16BE(2), length,
          checksumOk: udpChecksumOk(src, dst, udp),
          payload: Buffer.from(udp.subarray(UDP_HEADER)),
        };
      }
    }
  }
  return out;
}

/** The probe's numbered payload: magic "OVNK", stream id, sequence number, origin tag, send time (ms, float64). */
export interface SequencePayload {
  stream: number;
  seq: number;
  /** Who sent it (the probe puts the sending chassis' index here). */
  origin: number;
  sentAt: number;
}

const SEQ_MAGIC = 0x4f564e4b; // "OVNK"
export const SEQUENCE_PAYLOAD_LENGTH = 24;

export function buildSequencePayload(p: SequencePayload): Buffer {
  const b = Buffer.alloc(SEQUENCE_PAYLOAD_LENGTH);
  b.writeUInt32BE(SEQ_MAGIC, 0);
  b.writeUInt32BE(p.stream >>> 0, 4);
  b.writeUInt32BE(p.seq >>> 0, 8);
  b.writeUInt32BE(p.origin >>> 0, 12);
  b.writeDoubleBE(p.sentAt, 16);
  return b;
}

/** The numbered payload of a UDP payload, or undefined when it is not one. */
export function parseSequencePayload(payload: Uint8Array): SequencePayload | undefined {
  if (payload.length < SEQUENCE_PAYLOAD_LENGTH) return undefined;
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (b.readUInt32BE(0) !== SEQ_MAGIC) return undefined;
  return { stream: b.readUInt32BE(4), seq: b.readUInt32BE(8), origin: b.readUInt32BE(12), sentAt: b.readDoubleBE(16) };
}
