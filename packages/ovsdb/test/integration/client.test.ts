/**
 * OvsdbClient connection behaviour against a real ovsdb-server: connect over unix/tcp/ssl and remote lists,
 * status$ / error$, refused connections, timeouts, pending calls when the server dies or the client closes,
 * caller stacks, read-your-writes ordering of notifications.
 */
import { expect } from "chai";
import { createServer } from "node:net";
import { join } from "node:path";
import { firstValueFrom, toArray } from "rxjs";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbClient } from "../../src/client/client.js";
import type { ClientStatus } from "../../src/client/status.js";
import type { OvsdbError } from "../../src/protocol/errors.js";
import type { Operation } from "../../src/protocol/operations.js";
import type { OvsdbNotification } from "../../src/rpc/methods.js";
import type { Pki } from "../helpers/pki.js";
import { startSslTestServer, stopSslTestServer } from "../helpers/servers.js";
import { rejection } from "../helpers/errors.js";

const DB = "OvnkitTest";

/** A tcp port on 127.0.0.1 where nothing listens (bound by the kernel, then released). */
async function deadTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A wait that never succeeds: the transact stays pending on the server. */
const blockingWait = (name: string): Operation => ({ op: "wait", table: "Item", where: [["name", "==", name]], columns: ["name"], until: "!=", rows: [] });

describe("client: connecting and connection state against a real ovsdb-server", () => {
  let pki: Pki;
  let server: OvsdbServer;

  before(async () => {
    ({ pki, server } = await startSslTestServer());
  });
  after(async () => {
    await stopSslTestServer({ pki, server });
  });

  it("connects over unix:, tcp: and ssl:", async () => {
    for (const remote of [server.unixRemote, server.tcpRemote!, server.sslRemote!]) {
      const client = await OvsdbClient.connect(remote, { ssl: pki.client });
      expect(client.status).to.deep.equal({ state: "connected", remote });
      expect(await client.listDbs()).to.include(DB);
      await client.close();
    }
  });

  it("status$: connected, then closed on close(); the streams complete", async () => {
    const client = await OvsdbClient.connect(server.unixRemote);
    const states = firstValueFrom(client.status$.pipe(toArray()));
    const notifications = firstValueFrom(client.notifications$.pipe(toArray()));
    await client.close();
    expect(await states).to.deep.equal([{ state: "connected", remote: server.unixRemote }, { state: "closed" }]);
    expect(await notifications).to.deep.equal([]);
    expect((await rejection(client.listDbs())).code).to.equal("NOT_CONNECTED");
  });

  it("connection refused: CONNECTION_REFUSED (tcp port with no listener, unix path with no socket)", async () => {
    const port = await deadTcpPort();
    expect((await rejection(OvsdbClient.connect(`tcp:127.0.0.1:${port}`))).code).to.equal("CONNECTION_REFUSED");
    expect((await rejection(OvsdbClient.connect(`unix:${join(server.dir, "nothing-here.sock")}`))).code).to.equal("CONNECTION_REFUSED");
    expect((await rejection(OvsdbClient.connect(`ssl:127.0.0.1:${port}`, { ssl: pki.client }))).code).to.equal("CONNECTION_REFUSED");
  });

  it("an invalid remote is INVALID_REMOTE, before any connection attempt", async () => {
    expect((await rejection(OvsdbClient.connect("tcp:[::1"))).code).to.equal("INVALID_REMOTE");
    expect((await rejection(OvsdbClient.connect("ptcp:6640"))).code).to.equal("INVALID_REMOTE");
  });

  it("a remote list: the first remote that answers is used (comma-separated, as OVS writes it)", async () => {
    const port = await deadTcpPort();
    const client = await OvsdbClient.connect(`tcp:127.0.0.1:${port},unix:${join(server.dir, "gone.sock")},${server.tcpRemote}`);
    expect(client.status).to.deep.equal({ state: "connected", remote: server.tcpRemote });
    expect(client.remotes).to.have.length(3);
    await client.close();
    const e = await rejection(OvsdbClient.connect([`tcp:127.0.0.1:${port}`, `unix:${join(server.dir, "gone.sock")}`]));
    expect(e.code).to.equal("CONNECTION_REFUSED");
    expect((e.details.attempts as unknown[]).length).to.equal(2);
  });

  it("the server dying: pending calls rejected with CONNECTION_CLOSED, status$ disconnected, error$ emits", async () => {
    const own = await startOvsdbServer({ schema: "test" });
    try {
      const client = await OvsdbClient.connect(own.tcpRemote!);
      const statuses: ClientStatus[] = [];
      const errors: OvsdbError[] = [];
      client.status$.subscribe((s) => statuses.push(s));
      client.error$.subscribe((e) => errors.push(e));
      const pending = [client.transact(DB, [blockingWait("a")]), client.transact(DB, [blockingWait("b")])].map(rejection);
      await client.echo([]); // both transacts reached the server
      await own.kill9();
      const rejected = await Promise.all(pending);
      expect(rejected.map((e) => e.code)).to.deep.equal(["CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
      expect(statuses.map((s) => s.state)).to.deep.equal(["connected", "disconnected"]);
      expect((statuses[1] as { error: OvsdbError }).error.code).to.equal("CONNECTION_CLOSED");
      expect(errors.map((e) => e.code)).to.deep.equal(["CONNECTION_CLOSED"]);
      expect((await rejection(client.echo([]))).code).to.equal("NOT_CONNECTED");
      await client.close();
      expect(statuses.map((s) => s.state)).to.deep.equal(["connected", "disconnected", "closed"]);
    } finally {
      await own.stop({ removeDir: true });
    }
  });

  it("close() with calls pending: each rejected with CONNECTION_CLOSED", async () => {
    const client = await OvsdbClient.connect(server.unixRemote);
    const pending = [client.transact(DB, [blockingWait("c1")]), client.echo(["x"]), client.listDbs()];
    await client.close();
    expect((await Promise.all(pending.map(rejection))).map((e) => e.code)).to.deep.equal(["CONNECTION_CLOSED", "CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
  });

  it("per-request timeout: REQUEST_TIMEOUT, the session stays usable", async () => {
    const client = await OvsdbClient.connect(server.unixRemote);
    try {
      const e = await rejection(client.transact(DB, [blockingWait("t1")], { timeoutMs: 50 }));
      expect(e.code).to.equal("REQUEST_TIMEOUT");
      expect(await client.echo(["ok"])).to.deep.equal(["ok"]);
    } finally {
      await client.close();
    }
    // the client-wide default
    const c2 = await OvsdbClient.connect(server.unixRemote, { requestTimeoutMs: 50 });
    try {
      expect((await rejection(c2.transact(DB, [blockingWait("t2")]))).code).to.equal("REQUEST_TIMEOUT");
    } finally {
      await c2.close();
    }
  });

  it("connect timeout: CONNECT_TIMEOUT when the TLS handshake gets no answer (server stopped with SIGSTOP)", async () => {
    const own = await startOvsdbServer({ schema: "test", ssl: pki.server });
    process.kill(own.pid, "SIGSTOP");
    try {
      const t0 = Date.now();
      const e = await rejection(OvsdbClient.connect(own.sslRemote!, { ssl: pki.client, connectTimeoutMs: 200 }));
      expect(e.code).to.equal("CONNECT_TIMEOUT");
      expect(Date.now() - t0).to.be.within(150, 5000);
    } finally {
      process.kill(own.pid, "SIGCONT");
      await own.stop({ removeDir: true });
    }
  });

  it("async errors carry the caller's stack", async function callerWithAName() {
    const client = await OvsdbClient.connect(server.unixRemote);
    try {
      const e = await rejection(client.transact(DB, [{ op: "abort" }]));
      expect(e.stack).to.contain("callerWithAName");
      const e2 = await rejection(client.getSchema("NoSuchDb"));
      expect(e2.stack).to.contain("callerWithAName");
    } finally {
      await client.close();
    }
    const e3 = await rejection(OvsdbClient.connect(`unix:${join(server.dir, "none.sock")}`));
    expect(e3.stack).to.contain("callerWithAName");
  });

  it("read-your-writes: a transaction's update2 is delivered before its transact resolves (every time)", async () => {
    const client = await OvsdbClient.connect(server.unixRemote);
    try {
      const seen = new Set<string>();
      client.notifications$.subscribe((n: OvsdbNotification) => {
        if (n.method === "update2") for (const uuid of Object.keys(n.updates.Item ?? {})) seen.add(uuid);
      });
      await client.monitorCond(DB, "ryw", { Item: [{ columns: ["name"] }] });
      for (let i = 0; i < 50; i++) {
        const [r] = await client.transact(DB, [{ op: "insert", table: "Item", row: { name: `ryw-${i}` } }]);
        expect(seen.has((r!.uuid as [string, string])[1]), `insert ${i}`).to.equal(true);
      }
    } finally {
      await client.close();
    }
  });

  it("many concurrent requests on one session resolve to their own replies", async () => {
    const client = await OvsdbClient.connect(server.tcpRemote!);
    try {
      const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => client.echo([i, `n${i}`])));
      replies.forEach((r, i) => expect(r).to.deep.equal([i, `n${i}`]));
    } finally {
      await client.close();
    }
  });
});
