// The server's own inactivity probe over tcp: (the unix: case is in jsonrpc2.test.ts). An NB database whose
// Connection row opens a kernel-chosen ptcp remote with inactivity_probe 1000 ms makes ovsdb-server send
// "echo" requests to idle clients. A silent raw socket is dropped; a session whose own probe stays quiet
// answers the server's echo (seen in ovsdb-server's jsonrpc debug log) and keeps its connection.
import { expect } from "chai";
import { mkdtemp, readFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMAS, pollUntil, run, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import { NB, StatusLog, lsInsert } from "./session-helpers.js";

const ECHO_REPLY = /received reply, result=\[\], id="echo"/;

describe("session: the server's echo request over tcp", function () {
  this.timeout(20_000);
  let server: OvsdbServer | undefined;
  let session: OvsdbSession | undefined;
  let port: number;

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), "ovnkit-echo-tcp-"));
    const dbPath = join(dir, "nb.db");
    await run("ovsdb-tool", ["create", dbPath, SCHEMAS.nb]);
    await run("ovsdb-tool", [
      "transact",
      dbPath,
      JSON.stringify([
        NB,
        { op: "insert", table: "Connection", row: { target: "ptcp:0:127.0.0.1", inactivity_probe: 1000 }, "uuid-name": "c" },
        { op: "insert", table: "NB_Global", row: { connections: ["named-uuid", "c"] } },
      ]),
    ]);
    // no launcher tcp remote: the only "listening on port" line is the db-configured one
    server = await startOvsdbServer({ schema: "nb", dir, dbPath, tcp: false, extraArgs: ["--remote=db:OVN_Northbound,NB_Global,connections", "-vjsonrpc:file:dbg"] });
    port = await pollUntil("db-configured ptcp remote", async () => {
      const m = /\|socket_util\|INFO\|.*: listening on port (\d+)/.exec(await readFile(server!.logPath, "utf8"));
      return m ? Number(m[1]) : undefined;
    });
  });
  after(async () => {
    await session?.close();
    await server?.stop({ removeDir: true });
  });

  it("a silent tcp client is dropped; the session answers the echo and stays connected", async () => {
    const remote = `tcp:127.0.0.1:${port}`;
    // the session's own probe would keep the line busy (the server then never probes): make it quiet
    session = new OvsdbSession(remote, { database: NB, probe: { intervalMs: 60_000 }, backoff: { initialMs: 5, maxMs: 20, shuffle: false } });
    const log = new StatusLog(session);
    await session.connected();
    // connected after the session, so its deadline comes later than the session's
    let received = "";
    const silent = createConnection({ host: "127.0.0.1", port });
    silent.on("data", (d) => (received += d.toString()));
    const silentClosed = new Promise<void>((resolve) => silent.on("close", () => resolve()));
    silent.on("error", () => undefined);

    await pollUntil("the session's reply to the server's echo", async () => (ECHO_REPLY.test(await readFile(server!.logPath, "utf8")) ? true : undefined), 10_000, 20);
    await silentClosed;
    expect(received).to.contain('"method":"echo"');
    // the session's connection outlived the silent one: same connection, never reconnected
    expect(log.states()).to.deep.equal(["connecting", "connected"]);
    await session.transact(NB, [lsInsert("still-here")], { waitMs: 0 });
    expect(log.states()).to.deep.equal(["connecting", "connected"]);
    expect(session.client!.remotes[0]!.type).to.equal("tcp");
  });
});
