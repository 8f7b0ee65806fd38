/**
 * Splits a byte stream of concatenated JSON texts (no delimiter, as OVS unixctl and ovsdb-server send them) into
 * parsed values. Works on bytes: the structural characters are ASCII and never occur inside a multibyte UTF-8
 * sequence, so a character split across chunks is decoded only once its value is complete.
 */
import { SandboxError } from "./process.js";

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

export class JsonFramer {
  private pending: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pendingBytes = 0;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  /** Largest value accepted, in bytes (a runaway peer must not exhaust memory). */
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** Feeds one chunk; returns the values completed by it, in order. */
  push(chunk: Uint8Array): unknown[] {
    const out: unknown[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.depth === 0) {
        if (isWhitespace(b)) {
          start = i + 1;
          continue;
        }
        if (b !== OPEN_BRACE && b !== OPEN_BRACKET) {
          throw new SandboxError("RPC_FRAMING", `unexpected byte 0x${b.toString(16)} between JSON-RPC messages`);
        }
        start = i;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.pending.push(Buffer.from(chunk.subarray(start, i + 1)));
          out.push(this.take());
          start = i + 1;
        }
      }
    }
    if (this.depth > 0 && start < chunk.length) {
      this.pending.push(Buffer.from(chunk.subarray(start)));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxBytes) {
        throw new SandboxError("RPC_FRAMING", `JSON-RPC message larger than ${this.maxBytes} bytes`);
      }
    }
    return out;
  }

  private take(): unknown {
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch (e) {
      throw new SandboxError("RPC_FRAMING", "JSON-RPC message is not valid UTF-8", { cause: e });
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new SandboxError("RPC_FRAMING", `invalid JSON in JSON-RPC message: ${(e as Error).message}`, { cause: e });
    }
  }
}
