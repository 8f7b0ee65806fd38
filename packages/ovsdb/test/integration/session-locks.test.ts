// Session-level OVSDB locks against a real ovsdb-server: two sessions contend for one lock, the server is
// killed with SIGKILL and restarted (the server forgets every lock), the holder takes it again before its
// session reports "connected", an "assert" of the lock works after the re-acquisition, and a steal notifies
// the other session (whose request stays queued: it gets the lock back when the thief unlocks).
import { expect } from "chai";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import type { SessionLockEvent } from "../../src/client/session-locks.js";
import type { Operation } from "../../src/protocol/operations.js";
import { rejection } from "../helpers/errors.js";
import { StatusLog, waitForState, waitUntil } from "./session-helpers.js";

const DB = "OvnkitTest";
const LOCK = "ovnkit_leader";

function guarded(name: string): Operation[] {
  return [{ op: "assert", lock: LOCK }, { op: "insert", table: "Item", row: { name } }];
}

describe("session: locks survive reconnects", function () {
  this.timeout(30_000);
  let server: OvsdbServer;
  const sessions: OvsdbSession[] = [];

  beforeEach(async () => {
    server = await startOvsdbServer({ schema: "test" });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await server.stop({ removeDir: true });
  });

  it("two sessions contend; kill -9 + restart: the holder re-acquires before 'connected', assert works; steal notifies the other", async () => {
    // A reconnects fast; B waits 1 s after losing its connection, so A is the first back and re-acquires
    const a = new OvsdbSession(server.unixRemote, { database: DB, backoff: { initialMs: 5, maxMs: 20, shuffle: false } });
    const b = new OvsdbSession(server.unixRemote, { database: DB, backoff: { initialMs: 1000, maxMs: 1000, jitter: 0, shuffle: false } });
    sessions.push(a, b);
    const aEvents: SessionLockEvent[] = [];
    const bEvents: SessionLockEvent[] = [];
    a.locks$.subscribe((e) => aEvents.push(e));
    b.locks$.subscribe((e) => bEvents.push(e));
    const aLog = new StatusLog(a);
    const bLog = new StatusLog(b);
    const heldWhenConnected: boolean[] = [];
    a.status$.subscribe((s) => {
      if (s.state === "connected") heldWhenConnected.push(a.hasLock(LOCK));
    });

    expect(await a.lock(LOCK)).to.equal(true);
    expect(await b.lock(LOCK)).to.equal(false);
    expect([a.lockState(LOCK), b.lockState(LOCK)]).to.deep.equal(["locked", "waiting"]);
    await a.transact(DB, guarded("a-before"));
    const notOwner = await rejection(b.transact(DB, guarded("b-before")));
    expect(notOwner.code).to.equal("TRANSACTION_ERROR");

    await server.kill9();
    await waitForState(aLog, "reconnecting");
    await waitUntil(() => aEvents.some((e) => e.state === "lost"));
    expect(a.hasLock(LOCK)).to.equal(false);
    await server.restart();
    await waitForState(aLog, "connected", 2);
    // re-requested during the connection's set-up: held by the time the session said "connected"
    expect(heldWhenConnected).to.deep.equal([true, true]);
    await a.transact(DB, guarded("a-after-restart"));
    await waitForState(bLog, "connected", 2);
    await waitUntil(() => b.lockState(LOCK) === "waiting" && bEvents.filter((e) => e.state === "waiting").length === 2);
    expect((await rejection(b.transact(DB, guarded("b-after-restart")))).code).to.equal("TRANSACTION_ERROR");

    const aStates = aEvents.map((e) => (e.state === "locked" ? `locked${e.reacquired ? " (reacquired)" : ""}` : e.state));
    expect(aStates).to.deep.equal(["locked", "lost", "locked (reacquired)"]);
    const lost = aEvents.find((e) => e.state === "lost") as Extract<SessionLockEvent, { state: "lost" }>;
    expect(lost.error.code).to.equal("CONNECTION_CLOSED");

    // B steals: A is told at once, and its assert fails; B's passes
    expect(await b.steal(LOCK)).to.equal(true);
    await waitUntil(() => aEvents.some((e) => e.state === "stolen"));
    expect([a.hasLock(LOCK), b.hasLock(LOCK)]).to.deep.equal([false, true]);
    expect((await rejection(a.transact(DB, guarded("a-after-steal")))).code).to.equal("TRANSACTION_ERROR");
    await b.transact(DB, guarded("b-after-steal"));

    // A's request stayed queued on the server: B's unlock hands the lock back to A
    await b.unlock(LOCK);
    await waitUntil(() => a.hasLock(LOCK));
    expect(aEvents.map((e) => e.state).slice(-2)).to.deep.equal(["stolen", "locked"]);
    expect(bEvents.map((e) => e.state)).to.deep.equal(["waiting", "waiting", "locked", "unlocked"]);
    expect(b.lockState(LOCK)).to.equal(undefined);
    await a.transact(DB, guarded("a-after-unlock"));
  });

  it("a lock asked for while disconnected is requested on the next connection", async () => {
    const a = new OvsdbSession(server.unixRemote, { database: DB, backoff: { initialMs: 5, maxMs: 20, shuffle: false } });
    sessions.push(a);
    const log = new StatusLog(a);
    await a.connected();
    await server.kill9();
    await waitForState(log, "reconnecting");
    const locked = a.lock(LOCK);
    await server.restart();
    expect(await locked).to.equal(true);
    await a.transact(DB, guarded("late"));
    expect(log.count("connected")).to.equal(2);
    // a lock the server refuses (not an <id>) rejects and is forgotten
    expect((await rejection(a.lock("not-an-id"))).code).to.equal("RPC_ERROR");
    expect(a.lockState("not-an-id")).to.equal(undefined);
  });
});
