/**
 * Why the json-rpc-2.0 package (1.8.1) is used only behind an adapter (rpc/jsonrpc.ts): against a real
 * ovsdb-server, used raw, it
 *   - sends "jsonrpc":"2.0" in every request: ovsdb-server logs "unexpected member" and drops the connection;
 *   - answers the server's "echo" request (no "jsonrpc" member) with "Invalid Request" (and gets dropped);
 *   - turns an OVSDB string error such as "unknown method" into an error with no message and no code;
 *   - ignores a reply for an unknown id without a trace.
 * Each case is shown next to what the adapter does instead.
 */
import { expect } from "chai";
import { JSONRPCClient, JSONRPCErrorException, JSONRPCServer, type JSONRPCRequest } from "json-rpc-2.0";
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMAS, pollUntil, run, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { RpcError } from "../../src/protocol/rpc-error.js";
import { Framer } from "../../src/rpc/framer.js";
import { decodeFrame } from "../../src/rpc/json.js";
import { JsonRpcConnection } from "../../src/rpc/jsonrpc.js";
import { dial, parseRemote } from "../../src/transport/remote.js";
import type { Transport, TransportHandlers } from "../../src/transport/transport.js";

/** A raw unix socket; every complete JSON message from the server goes to `onMessage`. */
async function rawSocket(path: string, onMessage: (msg: Record<string, unknown>) => void): Promise<{ sock: Socket; closed: Promise<void> }> {
  const sock = createConnection({ path });
  await new Promise<void>((resolve, reject) => sock.once("connect", resolve).once("error", reject));
  const framer = new Framer();
  sock.on("data", (c: Buffer) => framer.push(c, (f, long) => onMessage(decodeFrame(f, long) as Record<string, unknown>)));
  const closed = new Promise<void>((resolve) => sock.once("close", () => resolve()));
  sock.on("error", () => undefined);
  return { sock, closed };
}

/** A transport wrapper that records what the adapter writes and receives. */
function spy(inner: Transport): { transport: Transport; written: string[]; received: string[] } {
  const written: string[] = [];
  const received: string[] = [];
  const transport: Transport = {
    remote: inner.remote,
    get closed() {
      return inner.closed;
    },
    attach: (h: TransportHandlers) =>
      inner.attach({
        data: (c) => {
          received.push(c.toString("utf8"));
          h.data(c);
        },
        close: (e) => h.close(e),
      }),
    write: (d) => {
      written.push(typeof d === "string" ? d : Buffer.from(d).toString("utf8"));
      inner.write(d);
    },
    close: () => inner.close(),
  };
  return { transport, written, received };
}

describe("json-rpc-2.0 raw against ovsdb-server (why rpc/jsonrpc.ts adapts it)", () => {
  let server: OvsdbServer;

  before(async () => {
    server = await startOvsdbServer({ schema: "test" });
  });
  after(async () => {
    await server?.stop({ removeDir: true });
  });

  it('its requests carry "jsonrpc":"2.0": ovsdb-server logs "unexpected member" and drops the connection', async () => {
    const { sock, closed } = await rawSocket(server.unixSocket, () => undefined);
    const client = new JSONRPCClient((payload: JSONRPCRequest) => void sock.write(JSON.stringify(payload)));
    const reply = client.request("list_dbs", []);
    await closed; // dropped by the server
    client.rejectAllPendingRequests("connection closed");
    const e = await Promise.resolve(reply).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as Error).message).to.equal("connection closed");
    const log = await pollUntil("ovsdb-server log", async () => {
      const text = await readFile(server.logPath, "utf8");
      return /unexpected member/.test(text) ? text : undefined;
    });
    expect(log).to.contain('received bad JSON-RPC message: message has unexpected member "jsonrpc"');
    // the adapter's request is accepted on the same server
    const conn = new JsonRpcConnection(await dial(parseRemote(server.unixRemote)), { notification: () => undefined, closed: () => undefined });
    expect(await conn.call("list_dbs", [])).to.include("OvnkitTest");
    conn.close();
  });

  it('an OVSDB string error ("unknown method") becomes an error with an empty message and no code', async () => {
    const { sock, closed } = await rawSocket(server.unixSocket, (msg) => client.receive(msg as never));
    // strip the envelope on the way out so the server answers at all; hand the reply to the library raw
    const client = new JSONRPCClient((p: JSONRPCRequest) => void sock.write(JSON.stringify({ method: p.method, params: p.params, id: p.id })));
    const e = await Promise.resolve(client.request("no_such_method", [])).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).to.be.instanceOf(JSONRPCErrorException);
    expect((e as JSONRPCErrorException).message).to.equal("");
    expect((e as JSONRPCErrorException).code).to.equal(undefined);
    sock.destroy();
    await closed;
    // the adapter: a typed RpcError naming the method and the server's error
    const conn = new JsonRpcConnection(await dial(parseRemote(server.unixRemote)), { notification: () => undefined, closed: () => undefined });
    const typed = await conn.call("no_such_method", []).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(typed).to.be.instanceOf(RpcError);
    expect([(typed as RpcError).code, (typed as RpcError).method, (typed as RpcError).errorString]).to.deep.equal(["RPC_ERROR", "no_such_method", "unknown method"]);
    conn.close();
  });

  it("a reply for an unknown id is silently ignored by the library (the adapter fails the session instead)", () => {
    const client = new JSONRPCClient(() => undefined);
    expect(() => client.receive({ jsonrpc: "2.0", id: 999, result: ["x"] })).not.to.throw();
    // nothing else happens: no callback, no error. See unit/jsonrpc.test.ts for the adapter's UNEXPECTED_REPLY.
  });

  describe("the server's echo request (inactivity probe of a db-configured remote)", () => {
    let probing: OvsdbServer;
    let probeSocket: string;

    before(async () => {
      // an NB database whose Connection row makes ovsdb-server probe idle clients every second
      const dir = await mkdtemp(join(tmpdir(), "ovnkit-probe-"));
      const dbPath = join(dir, "nb.db");
      probeSocket = join(dir, "probe.sock");
      await run("ovsdb-tool", ["create", dbPath, SCHEMAS.nb]);
      await run("ovsdb-tool", [
        "transact",
        dbPath,
        JSON.stringify([
          "OVN_Northbound",
          { op: "insert", table: "Connection", row: { target: `punix:${probeSocket}`, inactivity_probe: 1000 }, "uuid-name": "c" },
          { op: "insert", table: "NB_Global", row: { connections: ["named-uuid", "c"] } },
        ]),
      ]);
      probing = await startOvsdbServer({ schema: "nb", dir, dbPath, extraArgs: ["--remote=db:OVN_Northbound,NB_Global,connections"] });
      await pollUntil("probe socket", () => existsSync(probeSocket) || undefined);
    });
    after(async () => {
      await probing?.stop({ removeDir: true });
    });

    it('the library answers it with "Invalid Request" (and is dropped); the adapter answers {id, result: params, error: null} and stays up', async function () {
      this.timeout(20_000);
      // 1. a silent client: the server drops it one probe interval after its echo went unanswered
      const silent = await rawSocket(probeSocket, () => undefined);
      // 2. the library used raw as a server for the server's requests
      const libAnswers: unknown[] = [];
      const libServer = new JSONRPCServer();
      libServer.addMethod("echo", (params: unknown) => params);
      const raw = await rawSocket(probeSocket, (msg) => {
        void libServer.receive(msg as never).then((answer) => {
          libAnswers.push(answer);
          if (answer) raw.sock.write(JSON.stringify(answer));
        });
      });
      // 3. the adapter
      const { transport, written, received } = spy(await dial(parseRemote(`unix:${probeSocket}`)));
      let adapterClosed = false;
      const conn = new JsonRpcConnection(transport, { notification: () => undefined, closed: () => void (adapterClosed = true) });

      await raw.closed;
      expect(libAnswers).to.deep.equal([{ jsonrpc: "2.0", id: "echo", error: { code: -32600, message: "Invalid Request" } }]);
      await silent.closed;
      // the silent client is gone; the adapter's session, probed at the same time, answered and is still up
      expect(received.join("")).to.contain('"method":"echo"');
      expect(written).to.deep.include('{"id":"echo","result":[],"error":null}');
      expect(adapterClosed).to.equal(false);
      expect(await conn.call("echo", ["alive"])).to.deep.equal(["alive"]);
      conn.close();
    });
  });
});
