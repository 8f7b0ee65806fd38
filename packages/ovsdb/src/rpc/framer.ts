/**
 * Splits the byte stream of an OVSDB connection into JSON values.
 *
 * ovsdb-server writes JSON-RPC messages back to back with no delimiter, so a frame ends where the top-level
 * object (or array) closes. The framer works on bytes and keeps its scan state across chunks, so it is linear in
 * the input and never rescans a byte. It is UTF-8 safe by construction: the bytes it looks at (quotes,
 * backslashes, brackets, braces, whitespace, digits) are ASCII and never occur inside a multibyte UTF-8
 * sequence, and only complete frames are handed on (to be decoded as a whole by rpc/json.ts).
 *
 * Inside strings it jumps to the next quote with Buffer#indexOf and decides whether that quote is escaped by
 * counting the backslashes before it (a short inline scan first was measured: no faster on real monitor replies).
 * Outside strings it tracks runs of integer digits: a frame holding a run of 16 or more digits may carry an
 * integer beyond 2^53 and is flagged so that only such frames take the exact (bigint-aware) JSON parser.
 *
 * Pure: no I/O, no timers. Errors are OvsdbError MALFORMED_FRAME (a top-level byte that cannot start an object
 * or array) and FRAME_TOO_LARGE (reported as soon as a frame crosses the limit, without buffering the rest).
 * After an error the framer stays failed: the connection must be dropped.
 */
import { OvsdbError } from "../protocol/errors.js";

/** Default maximum size of one frame (one JSON-RPC message): 128 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 128 * 1024 * 1024;

/** A digit run this long (outside strings) may be an integer outside +-2^53 (MAX_SAFE_INTEGER has 16 digits). */
export const LONG_DIGIT_RUN = 16;

export interface FramerOptions {
  /** Maximum bytes of one frame. Default DEFAULT_MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
}

/**
 * Receives one complete top-level JSON value. `frame` may be a view into the chunk passed to push(): decode it
 * before push() returns. `longDigitRun` is true when the frame holds a digit run of LONG_DIGIT_RUN or more
 * digits outside strings.
 */
export type FrameHandler = (frame: Buffer, longDigitRun: boolean) => void;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** A digit run that can no longer become long: after ".", "e" or "E" the digits belong to a real. */
const IN_FRACTION = -0x40000000;

export class Framer {
  readonly maxFrameBytes: number;
  /** Nesting depth of the current frame; 0 between frames. */
  private depth = 0;
  private inString = false;
  /** Inside a string: the previous chunk ended with an odd number of backslashes (the next byte is escaped). */
  private escapeCarry = false;
  private digitRun = 0;
  private longDigitRun = false;
  /** Slices of the current frame from earlier chunks, concatenated once when the frame completes. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private failure: OvsdbError | undefined;
  private offset = 0;

  constructor(options: FramerOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 2) throw new RangeError(`maxFrameBytes must be an integer >= 2, got ${max}`);
    this.maxFrameBytes = max;
  }

  /** Bytes of an incomplete frame held from earlier chunks. */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  /** True while a frame has started but not ended (e.g. the peer closed mid-message). */
  get inFrame(): boolean {
    return this.depth > 0;
  }

  /** The error that stopped this framer, if any. */
  get error(): OvsdbError | undefined {
    return this.failure;
  }

  /**
   * Scans one chunk and calls `onFrame` for every frame it completes, in order. Throws OvsdbError
   * MALFORMED_FRAME / FRAME_TOO_LARGE; `onFrame` must not throw (an exception from it leaves this framer
   * unusable).
   */
  push(chunk: Buffer, onFrame: FrameHandler): void {
    if (this.failure) throw this.failure;
    const len = chunk.length;
    if (len === 0) return;
    const max = this.maxFrameBytes;
    let depth = this.depth;
    let inString = this.inString;
    let run = this.digitRun;
    let long = this.longDigitRun;
    // start of the current frame in this chunk, and the index the frame must end before (max size)
    let start = 0;
    let limit = depth > 0 ? max - this.partsBytes : 0;
    let i = 0;
    // backslash counting never looks below `floor`: a first byte escaped by the previous chunk is not one
    let floor = 0;
    if (inString && this.escapeCarry && len > 0) {
      i = 1; // the first byte is escaped (possibly a quote or a backslash): skip it
      floor = 1;
      this.escapeCarry = false;
    }

    while (i < len) {
      if (depth === 0) {
        const c = chunk[i];
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          i++;
          continue;
        }
        if (c !== OPEN_BRACE && c !== OPEN_BRACKET) throw this.fail(malformed(c, this.offset + i));
        depth = 1;
        start = i;
        limit = i + max;
        run = 0;
        long = false;
        i++;
        continue;
      }
      const end = limit < len ? limit : len;
      if (i >= end) break; // the frame reached maxFrameBytes within this chunk
      if (inString) {
        // jump to the next quote; it ends the string unless an odd run of backslashes precedes it
        let q = chunk.indexOf(QUOTE, i);
        for (;;) {
          if (q === -1 || q >= end) {
            q = -1;
            break;
          }
          // count the backslashes just before the quote: an odd count escapes it
          let b = q - 1;
          while (b >= floor && chunk[b] === BACKSLASH) b--;
          if (((q - 1 - b) & 1) === 0) break;
          q = chunk.indexOf(QUOTE, q + 1);
        }
        if (q === -1) {
          i = end;
          break;
        }
        inString = false;
        i = q + 1;
        continue;
      }
      // structural scan outside strings
      let closed = false;
      for (; i < end; i++) {
        const c = chunk[i];
        if (c === QUOTE) {
          inString = true;
          run = 0;
          i++;
          break;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          depth++;
          run = 0;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          run = 0;
          if (--depth === 0) {
            i++;
            closed = true;
            break;
          }
        } else if (c >= 0x30 && c <= 0x39) {
          if (++run >= LONG_DIGIT_RUN) long = true;
        } else if (c === 0x2e || c === 0x65 || c === 0x45) {
          run = IN_FRACTION;
        } else if (c !== 0x2d && c !== 0x2b) {
          run = 0;
        }
      }
      if (closed) {
        let frame: Buffer;
        if (this.parts.length === 0) {
          frame = chunk.subarray(start, i);
        } else {
          this.parts.push(chunk.subarray(0, i));
          frame = Buffer.concat(this.parts, this.partsBytes + i);
          this.parts = [];
          this.partsBytes = 0;
        }
        onFrame(frame, long);
        long = false;
      }
    }

    if (depth > 0) {
      if (limit < len) {
        // the frame did not end within maxFrameBytes
        throw this.fail(tooLarge(max, this.offset));
      }
      const tail = start === 0 ? chunk : chunk.subarray(start);
      if (tail.length > 0) {
        this.parts.push(tail);
        this.partsBytes += tail.length;
      }
      if (inString) {
        // an odd number of trailing backslashes escapes the first byte of the next chunk
        let b = len - 1;
        while (b >= floor && chunk[b] === BACKSLASH) b--;
        const trailing = len - 1 - b;
        this.escapeCarry = (trailing & 1) === 1;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.digitRun = run;
    this.longDigitRun = long;
    this.offset += len;
  }

  private fail(e: OvsdbError): OvsdbError {
    this.failure = e;
    this.parts = [];
    this.partsBytes = 0;
    return e;
  }
}

function malformed(byte: number | undefined, offset: number): OvsdbError {
  const shown = byte === undefined ? "end" : byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `0x${byte.toString(16).padStart(2, "0")}`;
  return new OvsdbError("MALFORMED_FRAME", `byte ${shown} at stream offset ${offset} cannot start a JSON-RPC message`, {
    details: { byte, offset },
  });
}

function tooLarge(max: number, offset: number): OvsdbError {
  return new OvsdbError("FRAME_TOO_LARGE", `a message from the peer exceeds ${max} bytes`, {
    details: { maxFrameBytes: max, offset },
  });
}
