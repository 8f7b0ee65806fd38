// The session against a real standalone ovsdb-server (OVN NB schema) that is killed with SIGKILL and
// restarted on the same socket and database file: the dial loop, the state stream, the exact-delta resync of
// several monitors (a standalone server answers monitor_cond_since with found=false), and what happens to
// transactions sent before, during and after the outage.
import { expect } from "chai";
import { run, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { connectSession, OvsdbSession } from "../../src/client/session.js";
import { isOvsdbError, type OvsdbError } from "../../src/protocol/errors.js";
import type { RowEvent } from "../../src/cache/row-event.js";
import { stringifyJson } from "../../src/rpc/json.js";
import { NB, StatusLog, expectReplicaEqualsDump, lsInsert, nbSchema, referenceDump, uuidOf, waitForState, waitUntil } from "./session-helpers.js";

const fast = { backoff: { initialMs: 5, maxMs: 100, shuffle: false }, database: NB, waitMs: 10_000 } as const;

describe("session: reconnect after kill -9 (standalone NB)", function () {
  this.timeout(60_000);
  let server: OvsdbServer;
  const sessions: OvsdbSession[] = [];

  beforeEach(async () => {
    server = await startOvsdbServer({ schema: "nb" });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await server.stop({ removeDir: true });
  });

  it("kill -9 + offline edits + restart during a stream of transactions: two monitors resync to exactly the server's dump, with exact deltas", async () => {
    const session = new OvsdbSession(server.unixRemote, fast);
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const switches = await session.createMonitor(nbSchema, { tables: { Logical_Switch: { columns: ["name", "external_ids", "other_config"] } } });
    const sets = await session.createMonitor(nbSchema, { tables: { Address_Set: true } });

    // rows that exist before the outage; some will be changed behind the client's back
    const pre: string[] = [];
    for (let i = 0; i < 10; i++) pre.push(uuidOf(await session.transact(NB, [lsInsert(`pre-${i}`)])));
    const preSet = uuidOf(await session.transact(NB, [{ op: "insert", table: "Address_Set", row: { name: "pre-set", addresses: ["set", ["10.0.0.1"]] } }]));

    const events = { switches: [] as RowEvent[], sets: [] as RowEvent[] };
    let minRows = Infinity;
    switches.batches$.subscribe((b) => {
      if (b.kind === "resync") events.switches.push(...(b.events as RowEvent[]));
      minRows = Math.min(minRows, switches.replica.rowCount);
    });
    sets.batches$.subscribe((b) => {
      if (b.kind === "resync") events.sets.push(...(b.events as RowEvent[]));
    });

    // three writers, each: insert a switch + an address set, then mutate its own switch
    const acked = new Map<string, string>(); // name -> uuid
    const unknown: string[] = [];
    const otherErrors: OvsdbError[] = [];
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        try {
          const r = await session.transact(NB, [lsInsert(name), { op: "insert", table: "Address_Set", row: { name: `${name}-set` } }]);
          acked.set(name, uuidOf(r));
          await session.transact(NB, [{ op: "mutate", table: "Logical_Switch", where: [["name", "==", name]], mutations: [["external_ids", "insert", ["map", [["seen", "1"]]]]] }]);
        } catch (e) {
          if (isOvsdbError(e, "OUTCOME_UNKNOWN")) unknown.push(name);
          else otherErrors.push(e as OvsdbError);
        }
      }
    };
    const writers = [0, 1, 2].map((w) => writer(w));
    await waitUntil(() => acked.size >= 30);

    const tKill = performance.now();
    await server.kill9();
    // behind the client's back: delete 3, modify 2, insert 2 switches; delete the pre-existing address set
    const offline = await toolTransact(server.dbPath, [
      ...pre.slice(0, 3).map((u) => ({ op: "delete", table: "Logical_Switch", where: [["_uuid", "==", ["uuid", u]]] })),
      ...pre.slice(3, 5).map((u) => ({ op: "update", table: "Logical_Switch", where: [["_uuid", "==", ["uuid", u]]], row: { other_config: ["map", [["offline", "yes"]]] } })),
      lsInsert("offline-a"),
      lsInsert("offline-b"),
      { op: "delete", table: "Address_Set", where: [["_uuid", "==", ["uuid", preSet]]] },
    ]);
    const offlineInserts = [offline[5], offline[6]].map((r) => (r as { uuid: [string, string] }).uuid[1]);
    const tRestart = performance.now();
    await server.restart();
    const tListening = performance.now();
    await waitForState(log, "connected", 2);
    const tConnected = performance.now();
    const ackedAtReconnect = acked.size;
    await waitUntil(() => acked.size >= ackedAtReconnect + 30);
    stop = true;
    await Promise.all(writers);

    // the caches equal the server's own dump
    const dump = await referenceDump(server.unixRemote, NB, ["Logical_Switch", "Address_Set"]);
    expectReplicaEqualsDump(switches, new Map([["Logical_Switch", dump.get("Logical_Switch")!]]));
    expectReplicaEqualsDump(sets, new Map([["Address_Set", dump.get("Address_Set")!]]));
    // nothing acknowledged is lost
    for (const [name, uuid] of acked) expect((switches.table("Logical_Switch").get(uuid) as { name?: string } | undefined)?.name, name).to.equal(name);
    expect(otherErrors.map((e) => e.code)).to.deep.equal([]);

    // exact deltas: the offline edits, plus at most what the transactions in flight at the kill did
    const inFlight = new Set(unknown);
    const byKind = (kind: string) => events.switches.filter((e) => e.kind === kind).map((e) => e.uuid).sort();
    expect(byKind("delete")).to.deep.equal(pre.slice(0, 3).sort());
    const unexpectedModify = events.switches.filter((e) => e.kind === "modify" && !pre.slice(3, 5).includes(e.uuid) && !inFlight.has(String((e.new as { name: string }).name)));
    expect(unexpectedModify).to.deep.equal([]);
    expect(byKind("modify").filter((u) => pre.includes(u))).to.deep.equal(pre.slice(3, 5).sort());
    const inserted = events.switches.filter((e) => e.kind === "insert");
    expect(inserted.filter((e) => offlineInserts.includes(e.uuid))).to.have.length(2);
    for (const e of inserted.filter((x) => !offlineInserts.includes(x.uuid))) expect(inFlight.has(String((e.new as { name: string }).name)), `spurious insert ${e.uuid}`).to.equal(true);
    expect(events.sets.filter((e) => e.kind === "delete").map((e) => e.uuid)).to.deep.equal([preSet]);
    // no purge: the replica never dropped below what the offline deletes removed
    expect(minRows).to.be.at.least(10 - 3);

    // the state stream, and the resync summary
    expect(log.states()).to.deep.equal(["connecting", "connected", "reconnecting", "connected"]);
    const connected = log.last("connected")!;
    expect(connected.resync).to.include({ monitors: 2, fast: 0, full: 2 }); // standalone: found=false
    const reconnecting = log.all.find((s) => s.state === "reconnecting") as Extract<typeof log.all[number], { state: "reconnecting" }>;
    expect(reconnecting.error.code).to.equal("CONNECTION_CLOSED");
    console.log(
      `      kill -9 -> restart issued ${(tRestart - tKill).toFixed(0)} ms (incl. offline edit); restart -> listening ${(tListening - tRestart).toFixed(0)} ms; ` +
        `listening -> resynced ${(tConnected - tListening).toFixed(0)} ms (dial+check+2 monitors ${connected.resync.ms.toFixed(1)} ms); ` +
        `${acked.size} acked, ${unknown.length} outcome unknown`,
    );
  });

  it("transactions: wait (bounded) while disconnected, fail fast with waitMs 0, NOT_CONNECTED when the wait runs out", async () => {
    const session = await connectSession(server.unixRemote, { ...fast, backoff: { initialMs: 5, maxMs: 20, shuffle: false } });
    sessions.push(session);
    const log = new StatusLog(session);
    await server.kill9();
    await waitForState(log, "reconnecting");
    const failFast = await session.transact(NB, [lsInsert("x")], { waitMs: 0 }).catch((e: unknown) => e);
    expect((failFast as OvsdbError).code).to.equal("NOT_CONNECTED");
    const t0 = performance.now();
    const timedOut = await session.transact(NB, [lsInsert("y")], { waitMs: 150 }).catch((e: unknown) => e);
    expect((timedOut as OvsdbError).code).to.equal("NOT_CONNECTED");
    expect(performance.now() - t0).to.be.at.least(140);
    expect((timedOut as OvsdbError).details.lastError).to.equal("CONNECTION_REFUSED");
    // a transaction issued during the outage is sent once the server is back
    const waiting = session.transact(NB, [lsInsert("after-restart")], { waitMs: 20_000 });
    await server.restart();
    expect(uuidOf(await waiting)).to.match(/^[0-9a-f-]{36}$/);
    expect((await referenceDump(server.unixRemote, NB, ["Logical_Switch"])).get("Logical_Switch")!.size).to.equal(1);
    // close() rejects waiters with CONNECTION_CLOSED
    await server.kill9();
    await waitForState(log, "reconnecting", 2);
    const pending = session.transact(NB, [lsInsert("never")]).catch((e: unknown) => e);
    await session.close();
    expect(((await pending) as OvsdbError).code).to.equal("CONNECTION_CLOSED");
    expect(log.states().slice(-1)).to.deep.equal(["closed"]);
  });

  it("a transaction whose reply is lost fails with OUTCOME_UNKNOWN and is not sent again; with retry it is resent once", async () => {
    const session = await connectSession(server.unixRemote, fast);
    sessions.push(session);
    const log = new StatusLog(session);
    // the server is frozen, so the request sits unread in its socket; SIGKILL then loses it for sure
    process.kill(server.pid, "SIGSTOP");
    const lost = session.transact(NB, [lsInsert("lost")]).catch((e: unknown) => e);
    const retried = session.transact(NB, [lsInsert("retried")], { retry: true });
    await server.kill9();
    const err = (await lost) as OvsdbError;
    expect(err.code).to.equal("OUTCOME_UNKNOWN");
    expect(err.details.lostWith).to.equal("CONNECTION_CLOSED");
    await server.restart();
    await retried;
    await waitForState(log, "connected", 2);
    const names = [...(await referenceDump(server.unixRemote, NB, ["Logical_Switch"])).get("Logical_Switch")!.values()].map((r) => r.name);
    expect(names).to.deep.equal(["retried"]); // "lost" was never applied nor resent; "retried" exactly once
  });

  it("monitors: created while disconnected they start on the next connection; monitorRows streams across a restart and completes on close; a refused monitor errors", async () => {
    const session = new OvsdbSession(server.unixRemote, fast);
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const events: string[] = [];
    let completed = false;
    session.monitorRows(nbSchema, { tables: { Logical_Switch: { columns: ["name"] } } }).subscribe({
      next: (e) => events.push(`${e.kind} ${((e.new ?? e.old) as { name: string }).name}`),
      complete: () => (completed = true),
    });
    await session.transact(NB, [lsInsert("a")]);
    await server.kill9();
    await waitForState(log, "reconnecting");
    const late = session.createMonitor(nbSchema, { tables: { Logical_Switch: true } });
    await server.restart();
    const lateMonitor = await late;
    expect([...lateMonitor.table("Logical_Switch")].map((r) => (r as { name: string }).name)).to.deep.equal(["a"]);
    await session.transact(NB, [lsInsert("b")]);
    expect(events).to.deep.equal(["insert a", "insert b"]); // the restart added no event: the resync delta was empty
    const refused = await session.createMonitor(nbSchema, { db: "No_Such_Db", tables: { Logical_Switch: true } }).catch((e: unknown) => e);
    expect((refused as OvsdbError).code).to.equal("RPC_ERROR");
    await session.close();
    expect(completed).to.equal(true);
  });

  it("rotates over several remotes: a dead first remote is skipped, and the state stream starts connecting -> connected", async () => {
    const dead = `unix:${server.dir}/nobody-here.sock`;
    const session = new OvsdbSession([dead, server.unixRemote], fast);
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    expect(log.states()).to.deep.equal(["connecting", "connected"]);
    const attempts = log.all.filter((s) => s.state === "connecting");
    expect(attempts.map((s) => (s as { remote: string }).remote)).to.deep.equal([dead, server.unixRemote]);
    expect((attempts[1] as { error: OvsdbError }).error.code).to.equal("CONNECTION_REFUSED");
    expect(log.last("connected")!.server).to.include({ model: "standalone", name: NB });
  });

  it("connectSession rejects with the last attempt's code when nothing answers in time", async () => {
    const err = await connectSession(`unix:${server.dir}/nobody-here.sock`, { ...fast, waitMs: 100 }).catch((e: unknown) => e);
    expect((err as OvsdbError).code).to.equal("CONNECTION_REFUSED");
  });
});

/** ovsdb-tool transact on the database file of a stopped server. */
async function toolTransact(dbPath: string, ops: unknown[]): Promise<unknown[]> {
  const { stdout } = await run("ovsdb-tool", ["transact", dbPath, stringifyJson([NB, ...ops])]);
  const results = JSON.parse(stdout) as unknown[];
  const failed = results.find((r) => r !== null && typeof (r as { error?: unknown }).error === "string");
  if (failed) throw new Error(`ovsdb-tool transact failed: ${JSON.stringify(failed)}`);
  return results;
}
