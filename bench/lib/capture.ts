/**
 * Captures the raw bytes of one monitor reply off a socket (as the server wrote them), and finds the
 * <table-updates2> inside such a reply, so that it can be replayed under another request id and method.
 */
import { createConnection } from "node:net";
import { Framer } from "@ovnkit/ovsdb";

export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/** A monitor_cond_since request for every row of `table`, asking for `columns` (as the python IDL asks). */
export function monitorCondSinceRequest(db: string, table: string, columns: readonly string[], id = 1): string {
  return JSON.stringify({ method: "monitor_cond_since", params: [db, "bench", { [table]: [{ columns }] }, ZERO_UUID], id });
}

/** Sends `request` on a fresh connection to a unix socket and resolves with every byte up to its reply frame. */
export function captureReply(unixSocket: string, request: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const sock = createConnection({ path: unixSocket });
    const chunks: Buffer[] = [];
    const framer = new Framer({ maxFrameBytes: 2 ** 31 - 1 });
    sock.on("error", reject);
    sock.on("close", () => reject(new Error("connection closed before the reply was complete")));
    sock.on("connect", () => sock.write(request));
    sock.on("data", (c: Buffer) => {
      chunks.push(c);
      framer.push(c, () => {
        sock.removeAllListeners("close");
        sock.destroy();
        resolve(Buffer.concat(chunks));
      });
    });
  });
}

/** A monitor reply split around its <table-updates2> (the bytes are views into the reply). */
export interface MonitorReplyParts {
  /** monitor_cond: the whole result; monitor_cond_since: the third element of [found, last-txn-id, updates]. */
  updates: Buffer;
  /** monitor_cond_since only: the last transaction id the server sent. */
  lastTxnId: string | undefined;
}

const HEAD_COND = /^\{"id":(?:\d+|"[^"]*"),"result":\{/;
const HEAD_SINCE = /^\{"id":(?:\d+|"[^"]*"),"result":\[(?:true|false),"([0-9a-f-]{36})",\{/;
const TAIL_COND = ',"error":null}';
const TAIL_SINCE = '],"error":null}';

/**
 * Finds the <table-updates2> in the raw reply of a monitor_cond or monitor_cond_since request, in the exact
 * form ovsdb-server writes ({"id":N,"result":...,"error":null}, no whitespace). Throws on anything else.
 */
export function monitorReplyParts(reply: Buffer): MonitorReplyParts {
  const head = reply.subarray(0, 200).toString("latin1");
  const tail = reply.subarray(reply.length - 20).toString("latin1");
  let m = HEAD_SINCE.exec(head);
  if (m && tail.endsWith(TAIL_SINCE)) {
    return { updates: reply.subarray(m[0].length - 1, reply.length - TAIL_SINCE.length), lastTxnId: m[1] };
  }
  m = HEAD_COND.exec(head);
  if (m && tail.endsWith(TAIL_COND)) return { updates: reply.subarray(m[0].length - 1, reply.length - TAIL_COND.length), lastTxnId: undefined };
  throw new Error(`not a monitor_cond(_since) reply as ovsdb-server writes it: ${head.slice(0, 80)}...${tail}`);
}
