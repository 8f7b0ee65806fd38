// The session-wide notifications$ stream and monitor status across a reconnect, against a real ovsdb-server
// killed with SIGKILL and restarted: notifications$ is one stream re-subscribed to every new connection (it
// carries the current connection's notifications only), and a session monitor reports "resyncing" while the
// session has no connection, "live" again once its resync is applied.
import { expect } from "chai";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import type { MonitorStatus } from "../../src/monitor/monitor.js";
import type { OvsdbNotification } from "../../src/rpc/methods.js";
import { NB, StatusLog, lsInsert, nbSchema, uuidOf, waitForState, waitUntil } from "./session-helpers.js";

const fast = { database: NB, backoff: { initialMs: 5, maxMs: 20, shuffle: false } } as const;

/** The uuids of Logical_Switch rows carried by update/update2/update3 notifications. */
function switchUuids(ns: readonly OvsdbNotification[]): string[] {
  const out: string[] = [];
  for (const n of ns) {
    if (n.method !== "update" && n.method !== "update2" && n.method !== "update3") continue;
    out.push(...Object.keys((n.updates as Record<string, Record<string, unknown>>).Logical_Switch ?? {}));
  }
  return out;
}

describe("session: notifications$ and monitor status across reconnects", function () {
  this.timeout(30_000);
  let server: OvsdbServer;
  let session: OvsdbSession | undefined;

  beforeEach(async () => {
    server = await startOvsdbServer({ schema: "nb" });
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await server.stop({ removeDir: true });
  });

  it("notifications$ survives a kill -9 + restart: one subscription sees the updates of both connections, and completes on close", async () => {
    session = new OvsdbSession(server.unixRemote, fast);
    const log = new StatusLog(session);
    const seen: OvsdbNotification[] = [];
    let completed = false;
    session.notifications$.subscribe({ next: (n) => seen.push(n), complete: () => (completed = true) });
    await session.createMonitor(nbSchema, { tables: { Logical_Switch: { columns: ["name"] } } });
    const before = uuidOf(await session.transact(NB, [lsInsert("before")]));
    expect(switchUuids(seen)).to.include(before);

    await server.kill9();
    await waitForState(log, "reconnecting");
    await server.restart();
    await waitForState(log, "connected", 2);
    const countAtReconnect = seen.length;
    const after = uuidOf(await session.transact(NB, [lsInsert("after")]));
    // the update of a transaction precedes its reply: already delivered, on the same subscription
    expect(switchUuids(seen.slice(countAtReconnect))).to.deep.equal([after]);
    const ids = new Set(seen.filter((n) => n.method === "update3").map((n) => JSON.stringify((n as { monitorId: unknown }).monitorId)));
    expect(ids.size).to.be.at.least(2); // the monitor was re-established under a new id on the new connection
    expect(completed).to.equal(false);
    await session.close();
    expect(completed).to.equal(true);
  });

  it("a monitor reports 'resyncing' (reason: the connection's error) while the session reconnects, 'live' after the resync", async () => {
    session = new OvsdbSession(server.unixRemote, fast);
    const log = new StatusLog(session);
    const monitor = await session.createMonitor(nbSchema, { tables: { Logical_Switch: { columns: ["name"] } } });
    await session.transact(NB, [lsInsert("a")]);
    const statuses: MonitorStatus[] = [];
    monitor.status$.subscribe((s) => statuses.push(s));
    expect(statuses.map((s) => s.state)).to.deep.equal(["live"]);

    await server.kill9();
    await waitForState(log, "reconnecting");
    expect(monitor.status.state).to.equal("resyncing");
    const reason = (monitor.status as Extract<MonitorStatus, { state: "resyncing" }>).reason;
    expect(reason?.code).to.equal("CONNECTION_CLOSED");
    expect(monitor.replica.rowCount).to.equal(1); // the rows stay while stale

    await server.restart();
    await waitForState(log, "connected", 2);
    // "connected" is reported after every monitor's resync is applied
    expect(monitor.status.state).to.equal("live");
    expect(statuses.map((s) => s.state)).to.deep.equal(["live", "resyncing", "live"]);
    await session.transact(NB, [lsInsert("b")]);
    await waitUntil(() => monitor.replica.rowCount === 2);
  });
});
