/**
 * pcap (libpcap classic format) reading: a pure incremental parser fed with byte chunks, and a tail reader that
 * follows a file OVS is still appending to (netdev-dummy's options:tx_pcap/rxq_pcap write and flush one record per
 * frame), returning only new records on each read.
 */
import { open, type FileHandle } from "node:fs/promises";
import { SandboxError } from "./process.js";

export interface PcapRecord {
  /** Capture time in milliseconds since the epoch (microsecond or nanosecond precision kept as a fraction). */
  time: number;
  /** Length of the frame on the wire (may exceed data.length if the capture truncated it). */
  originalLength: number;
  data: Buffer;
}

export interface PcapHeader {
  littleEndian: boolean;
  nanoseconds: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linktype: number;
}

export const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
/** Any record larger than this is corruption, not a frame. */
const MAX_RECORD = 256 * 1024;

function pcapError(message: string): SandboxError {
  return new SandboxError("PCAP_FORMAT", message);
}

export function parsePcapHeader(b: Buffer): PcapHeader {
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  let littleEndian: boolean;
  let nanoseconds: boolean;
  if (le === MAGIC_MICRO || le === MAGIC_NANO) {
    littleEndian = true;
    nanoseconds = le === MAGIC_NANO;
  } else if (be === MAGIC_MICRO || be === MAGIC_NANO) {
    littleEndian = false;
    nanoseconds = be === MAGIC_NANO;
  } else {
    throw pcapError(`not a pcap file (magic 0x${be.toString(16)})`);
  }
  const u16 = (o: number) => (littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  return { littleEndian, nanoseconds, versionMajor: u16(4), versionMinor: u16(6), snaplen: u32(16), linktype: u32(20) };
}

/** Incremental parser: push() any byte chunks, get back the records they complete. */
export class PcapParser {
  private buffer: Buffer = Buffer.alloc(0);
  private headerValue: PcapHeader | undefined;

  get header(): PcapHeader | undefined {
    return this.headerValue;
  }

  push(chunk: Uint8Array): PcapRecord[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const out: PcapRecord[] = [];
    let off = 0;
    if (!this.headerValue) {
      if (this.buffer.length < GLOBAL_HEADER) return out;
      this.headerValue = parsePcapHeader(this.buffer);
      off = GLOBAL_HEADER;
    }
    const h = this.headerValue;
    const u32 = (o: number) => (h.littleEndian ? this.buffer.readUInt32LE(o) : this.buffer.readUInt32BE(o));
    while (this.buffer.length - off >= RECORD_HEADER) {
      const inclLen = u32(off + 8);
      if (inclLen > MAX_RECORD) throw pcapError(`pcap record of ${inclLen} bytes: corrupt capture`);
      if (this.buffer.length - off - RECORD_HEADER < inclLen) break;
      const sec = u32(off);
      const frac = u32(off + 4);
      const time = sec * 1000 + (h.nanoseconds ? frac / 1e6 : frac / 1e3);
      const data = Buffer.from(this.buffer.subarray(off + RECORD_HEADER, off + RECORD_HEADER + inclLen));
      out.push({ time, originalLength: u32(off + 12), data });
      off += RECORD_HEADER + inclLen;
    }
    this.buffer = off === 0 ? this.buffer : Buffer.from(this.buffer.subarray(off));
    return out;
  }
}

/** Parses a whole pcap file's bytes. */
export function parsePcap(bytes: Uint8Array): PcapRecord[] {
  return new PcapParser().push(bytes);
}

/**
 * Follows a pcap file that a daemon appends to. read() returns the records added since the previous read();
 * a file that does not exist yet reads as empty.
 */
export class PcapTail {
  private readonly parser = new PcapParser();
  private offset = 0;
  private handle: FileHandle | undefined;
  private readonly chunk = Buffer.alloc(64 * 1024);
  private reading: Promise<PcapRecord[]> | undefined;

  constructor(readonly path: string) {}

  /** New records since the last call. Concurrent calls share one read. */
  read(): Promise<PcapRecord[]> {
    if (!this.reading) {
      this.reading = this.readNew().finally(() => {
        this.reading = undefined;
      });
    }
    return this.reading;
  }

  private async readNew(): Promise<PcapRecord[]> {
    if (!this.handle) {
      try {
        this.handle = await open(this.path, "r");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
    }
    const out: PcapRecord[] = [];
    for (;;) {
      const { bytesRead } = await this.handle.read(this.chunk, 0, this.chunk.length, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      out.push(...this.parser.push(this.chunk.subarray(0, bytesRead)));
      if (bytesRead < this.chunk.length) break;
    }
    return out;
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}
