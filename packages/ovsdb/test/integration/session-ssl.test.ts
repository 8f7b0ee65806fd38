// A session over ssl: against a real ovsdb-server with a pssl remote (a PKI made at test time): the server is
// killed with SIGKILL, the database edited behind the client's back, and the server restarted on the same ssl
// port; the session dials again over TLS and its monitor resyncs to exactly the server's rows.
import { expect } from "chai";
import { run, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import type { RowEvent } from "../../src/cache/row-event.js";
import { stringifyJson } from "../../src/rpc/json.js";
import type { Pki } from "../helpers/pki.js";
import { startSslTestServer, stopSslTestServer } from "../helpers/servers.js";
import { StatusLog, uuidOf, waitForState } from "./session-helpers.js";

const DB = "OvnkitTest";

describe("session: ssl remote across kill -9 + restart", function () {
  this.timeout(30_000);
  let pki: Pki;
  let server: OvsdbServer;
  let session: OvsdbSession | undefined;

  before(async () => {
    ({ pki, server } = await startSslTestServer());
  });
  after(async () => {
    await session?.close();
    await stopSslTestServer({ pki, server });
  });

  it("reconnects over TLS and the monitor resyncs with exact deltas", async () => {
    session = new OvsdbSession(server.sslRemote!, { database: DB, ssl: pki.client, backoff: { initialMs: 5, maxMs: 50, shuffle: false } });
    const log = new StatusLog(session);
    const schema = await session.getSchema();
    const items = await session.createMonitor(schema, { tables: { Item: { columns: ["name"] } } });
    const kept = uuidOf(await session.transact(DB, [{ op: "insert", table: "Item", row: { name: "kept" } }]));
    const gone = uuidOf(await session.transact(DB, [{ op: "insert", table: "Item", row: { name: "gone" } }]));
    const resyncEvents: RowEvent[] = [];
    items.batches$.subscribe((b) => {
      if (b.kind === "resync") resyncEvents.push(...(b.events as RowEvent[]));
    });

    await server.kill9();
    await waitForState(log, "reconnecting");
    expect(items.status.state).to.equal("resyncing");
    const { stdout } = await run("ovsdb-tool", [
      "transact",
      server.dbPath,
      stringifyJson([DB, { op: "delete", table: "Item", where: [["_uuid", "==", ["uuid", gone]]] }, { op: "insert", table: "Item", row: { name: "offline" } }]),
    ]);
    const offline = (JSON.parse(stdout) as [unknown, { uuid: [string, string] }])[1].uuid[1];
    await server.restart();
    await waitForState(log, "connected", 2);

    const connected = log.last("connected")!;
    expect(connected.remote).to.equal(server.sslRemote);
    expect(connected.resync).to.include({ monitors: 1, full: 1 });
    expect(session.client!.remotes[0]!.type).to.equal("ssl");
    expect(items.status.state).to.equal("live");
    expect(resyncEvents.map((e) => `${e.kind} ${e.uuid}`).sort()).to.deep.equal([`delete ${gone}`, `insert ${offline}`].sort());
    expect([...items.table("Item").uuids()].sort()).to.deep.equal([kept, offline].sort());
    // and the new TLS connection carries writes and their updates
    const late = uuidOf(await session.transact(DB, [{ op: "insert", table: "Item", row: { name: "late" } }]));
    expect(items.table("Item").get(late)).to.include({ name: "late" });
  });
});
