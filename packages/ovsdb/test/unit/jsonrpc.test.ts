import { expect } from "chai";
import type { OvsdbError } from "../../src/protocol/errors.js";
import { RpcError } from "../../src/protocol/rpc-error.js";
import type { JsonValue } from "../../src/rpc/json.js";
import { JsonRpcConnection } from "../../src/rpc/jsonrpc.js";
import { parseRemote } from "../../src/transport/remote.js";
import type { Transport, TransportHandlers } from "../../src/transport/transport.js";
import { rejection } from "../helpers/errors.js";

/** An in-memory transport: what the connection writes is recorded; the test plays the server. */
class MemoryTransport implements Transport {
  readonly remote = parseRemote("unix:/memory");
  readonly written: string[] = [];
  handlers: TransportHandlers | undefined;
  closed = false;
  attach(h: TransportHandlers): void {
    this.handlers = h;
  }
  write(data: string | Uint8Array): void {
    this.written.push(typeof data === "string" ? data : Buffer.from(data).toString("utf8"));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.close(undefined);
  }
  /** Bytes from the "server". */
  feed(text: string | Buffer): void {
    this.handlers!.data(typeof text === "string" ? Buffer.from(text) : text);
  }
  sent(): Record<string, unknown>[] {
    return this.written.map((w) => JSON.parse(w) as Record<string, unknown>);
  }
}

function setup(maxFrameBytes?: number) {
  const t = new MemoryTransport();
  const notifications: { method: string; params: JsonValue[] }[] = [];
  const closed: { reason: OvsdbError; local: boolean }[] = [];
  const conn = new JsonRpcConnection(
    t,
    { notification: (method, params) => void notifications.push({ method, params }), closed: (reason, local) => void closed.push({ reason, local }) },
    { maxFrameBytes },
  );
  return { t, conn, notifications, closed };
}

describe("jsonrpc: the OVSDB JSON-RPC 1.0 adapter over json-rpc-2.0", () => {
  it("writes requests as {method, params, id} with no jsonrpc member, ids allocated in order", () => {
    const { t, conn } = setup();
    void conn.call("list_dbs", []).catch(() => undefined);
    void conn.call("echo", ["a", 1]).catch(() => undefined);
    expect(t.written[0]).to.match(/^\{"method":"list_dbs","params":\[\],"id":\d+\}$/);
    const [a, b] = t.sent();
    expect(a).to.not.have.property("jsonrpc");
    expect(b).to.deep.equal({ method: "echo", params: ["a", 1], id: (a!.id as number) + 1 });
  });

  it("resolves results by id, in any order, and writes bigint params exactly", async () => {
    const { t, conn } = setup();
    const p1 = conn.call("m1", [2n ** 63n - 1n]);
    const p2 = conn.call("m2", []);
    expect(t.written[0]).to.contain("9223372036854775807");
    const [r1, r2] = t.sent();
    t.feed(`{"id":${r2!.id},"result":{"x":18446744073709551615},"error":null}{"id":${r1!.id},"result":["ok"],"error":null}`);
    expect(await p2).to.deep.equal({ x: 18446744073709551615n });
    expect(await p1).to.deep.equal(["ok"]);
    expect(conn.pendingCount).to.equal(0);
  });

  it("maps an OVSDB string error to RpcError with the method name (and the caller's stack)", async function callerOfUnknownMethod() {
    const { t, conn } = setup();
    const p = conn.call("no_such_method", []);
    t.feed(`{"id":${t.sent()[0]!.id},"error":"unknown method"}`);
    const e = await rejection(p);
    expect(e).to.be.instanceOf(RpcError);
    expect(e.code).to.equal("RPC_ERROR");
    expect((e as RpcError).method).to.equal("no_such_method");
    expect((e as RpcError).errorString).to.equal("unknown method");
    expect(e.stack).to.contain("callerOfUnknownMethod");
  });

  it("maps an <error> object ({error, details})", async () => {
    const { t, conn } = setup();
    const p = conn.call("monitor", ["nope", 1, {}]);
    t.feed(`{"id":${t.sent()[0]!.id},"result":null,"error":{"error":"unknown database","details":"nope"}}`);
    const e = (await rejection(p)) as RpcError;
    expect([e.code, e.errorString, e.errorDetails]).to.deep.equal(["RPC_ERROR", "unknown database", "nope"]);
  });

  it("answers the server's echo request with its params ({id, result: params, error: null})", () => {
    const { t } = setup();
    t.feed(`{"id":"echo","method":"echo","params":[]}{"id":7,"method":"echo","params":["x",{"a":[1]}]}`);
    expect(t.sent()).to.deep.equal([
      { id: "echo", result: [], error: null },
      { id: 7, result: ["x", { a: [1] }], error: null },
    ]);
  });

  it("answers any other server request with error \"unknown method\"", () => {
    const { t } = setup();
    t.feed(`{"id":3,"method":"frobnicate","params":[]}`);
    expect(t.sent()).to.deep.equal([{ id: 3, result: null, error: "unknown method" }]);
  });

  it("dispatches notifications synchronously, in arrival order, before a later reply resolves", async () => {
    const { t, conn, notifications } = setup();
    const p = conn.call("transact", ["db"]);
    const id = t.sent()[0]!.id;
    let seenAtResolve = -1;
    const done = p.then(() => (seenAtResolve = notifications.length));
    t.feed(
      `{"id":null,"method":"update2","params":["m",{"T":{}}]}{"method":"update3","params":["m","txn",{}],"id":null}` +
        `{"id":${id},"result":[{}],"error":null}`,
    );
    // synchronous: both are there before the feed call returned
    expect(notifications.map((n) => n.method)).to.deep.equal(["update2", "update3"]);
    await done;
    expect(seenAtResolve).to.equal(2);
  });

  it("a reply for an unknown id is UNEXPECTED_REPLY on the connection: pending calls rejected with it", async () => {
    const { t, conn, closed } = setup();
    const p = conn.call("echo", []);
    t.feed(`{"id":999,"result":[],"error":null}`);
    const e = await rejection(p);
    expect(e.code).to.equal("UNEXPECTED_REPLY");
    expect(closed).to.have.length(1);
    expect(closed[0]!.reason.code).to.equal("UNEXPECTED_REPLY");
    expect(closed[0]!.local).to.equal(false);
    expect(t.closed).to.equal(true);
    // later calls fail at once
    expect((await rejection(conn.call("echo", []))).code).to.equal("NOT_CONNECTED");
  });

  it("a reply that is answered twice is UNEXPECTED_REPLY the second time", async () => {
    const { t, conn, closed } = setup();
    const p = conn.call("echo", []);
    const id = t.sent()[0]!.id;
    t.feed(`{"id":${id},"result":[],"error":null}`);
    expect(await p).to.deep.equal([]);
    t.feed(`{"id":${id},"result":[],"error":null}`);
    expect(closed.map((c) => c.reason.code)).to.deep.equal(["UNEXPECTED_REPLY"]);
  });

  it("rejects malformed messages with INVALID_MESSAGE / INVALID_JSON / MALFORMED_FRAME / FRAME_TOO_LARGE", async () => {
    const cases: [string, string][] = [
      ["[1,2]", "INVALID_MESSAGE"],
      ['{"hello":1}', "INVALID_MESSAGE"],
      ['{"method":"update","params":{},"id":null}', "INVALID_MESSAGE"],
      ['{"id":1,"result":,"error":null}', "INVALID_JSON"],
      ["garbage", "MALFORMED_FRAME"],
      [`{"id":1,"result":"${"x".repeat(300)}"}`, "FRAME_TOO_LARGE"],
    ];
    for (const [text, code] of cases) {
      const { t, conn, closed } = setup(256);
      const p = conn.call("echo", []);
      t.feed(text);
      expect((await rejection(p)).code, text).to.equal(code);
      expect(closed.map((c) => c.reason.code)).to.deep.equal([code]);
    }
  });

  it("per-request timeout: REQUEST_TIMEOUT, and the late reply is ignored (not UNEXPECTED_REPLY)", async () => {
    const { t, conn, closed } = setup();
    const p = conn.call("transact", ["db"], { timeoutMs: 20 });
    const e = await rejection(p);
    expect(e.code).to.equal("REQUEST_TIMEOUT");
    t.feed(`{"id":${t.sent()[0]!.id},"result":[],"error":null}`);
    expect(closed).to.deep.equal([]);
    const p2 = conn.call("echo", []);
    t.feed(`{"id":${t.sent()[1]!.id},"result":[],"error":null}`);
    expect(await p2).to.deep.equal([]);
  });

  it("close(): every pending call rejected with CONNECTION_CLOSED, each with its own error", async () => {
    const { conn, closed } = setup();
    const ps = [conn.call("a", []), conn.call("b", []), conn.call("c", [])];
    conn.close();
    const errors = await Promise.all(ps.map(rejection));
    expect(errors.map((e) => e.code)).to.deep.equal(["CONNECTION_CLOSED", "CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
    expect(new Set(errors).size).to.equal(3);
    expect(errors[1]!.message).to.match(/^b: /);
    expect(closed.map((c) => [c.reason.code, c.local])).to.deep.equal([["CONNECTION_CLOSED", true]]);
  });

  it("the peer closing: pending calls rejected with CONNECTION_CLOSED", async () => {
    const { t, conn, closed } = setup();
    const p = conn.call("a", []);
    t.handlers!.close(undefined);
    expect((await rejection(p)).code).to.equal("CONNECTION_CLOSED");
    expect(closed.map((c) => [c.reason.code, c.local])).to.deep.equal([["CONNECTION_CLOSED", false]]);
  });

  it("notify() sends a notification with \"id\": null", () => {
    const { t, conn } = setup();
    conn.notify("cancel", [5]);
    expect(t.sent()).to.deep.equal([{ method: "cancel", params: [5], id: null }]);
  });

  it("request() reports the id it used (for cancel)", () => {
    const { t, conn } = setup();
    const { id, result } = conn.request("transact", ["db"]);
    void result.catch(() => undefined);
    expect(id).to.equal(t.sent()[0]!.id);
  });

  it("unencodable params are rejected before anything is sent", async () => {
    const { t, conn } = setup();
    const a: unknown[] = [];
    a.push(a);
    expect((await rejection(conn.call("x", a))).code).to.equal("VALIDATION_ERROR");
    expect(t.written).to.deep.equal([]);
  });
});
