// Leader-only sessions and the _Server checks against real Raft clusters of ovsdb-server (OVN NB on loopback):
// finding the leader behind followers, following a leadership transfer cheaply (no backoff, monitor_cond_since
// found=true for every monitor), leaving a member that leaves the cluster, and refusing a server whose Raft
// index is older than one already seen (STALE_SERVER).
import { expect } from "chai";
import { startOvsdbCluster, type OvsdbCluster } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import type { RowEvent } from "../../src/cache/row-event.js";
import { NB, StatusLog, expectReplicaEqualsDump, lsInsert, memberOf, nbSchema, referenceDump, setElectionTimer, waitForState } from "./session-helpers.js";

const opts = { database: NB, backoff: { initialMs: 10, maxMs: 200, shuffle: false } } as const;

describe("session: leader-only and _Server checks (3-member clustered NB)", function () {
  this.timeout(60_000);
  let cluster: OvsdbCluster;
  const sessions: OvsdbSession[] = [];

  before(async () => {
    cluster = await startOvsdbCluster({ schema: "nb" });
    await setElectionTimer(cluster, 300);
  });
  after(async () => {
    await cluster?.stop({ removeDir: true });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });

  /** Remotes with the followers first. */
  async function followersFirst(): Promise<{ remotes: string[]; leader: number }> {
    const leader = await cluster.leader();
    const order = [0, 1, 2].filter((i) => i !== leader).concat(leader);
    return { remotes: order.map((i) => cluster.members[i]!.unixRemote), leader };
  }

  it("leader-only: followers are refused with LEADER_UNAVAILABLE and the session settles on the leader", async () => {
    const { remotes, leader } = await followersFirst();
    const session = new OvsdbSession(remotes, opts);
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const connected = log.last("connected")!;
    expect(connected.remote).to.equal(cluster.members[leader]!.unixRemote);
    expect(connected.server).to.include({ model: "clustered", leader: true, connected: true, name: NB });
    const refusals = log.all.filter((s) => s.state === "connecting" && s.error !== undefined).map((s) => (s as { error: { code: string } }).error.code);
    expect(refusals).to.deep.equal(["LEADER_UNAVAILABLE", "LEADER_UNAVAILABLE"]);
    expect(log.states()).to.deep.equal(["connecting", "connected"]);
  });

  it("not leader-only: the first member (a follower) is used, and transactions are forwarded to the leader", async () => {
    const { remotes } = await followersFirst();
    const session = new OvsdbSession(remotes, { ...opts, leaderOnly: false });
    sessions.push(session);
    await session.connected();
    const monitor = await session.createMonitor(nbSchema, { tables: { Logical_Switch: true } });
    expect((session.status as { server: { leader: boolean } }).server.leader).to.equal(false);
    await session.transact(NB, [lsInsert("via-follower")]);
    expect([...monitor.table("Logical_Switch")].map((r) => (r as { name: string }).name)).to.include("via-follower");
  });

  it("leadership transfer: handed over at once (no backoff), both monitors resync with found=true, nothing purged", async () => {
    const { remotes, leader } = await followersFirst();
    const session = new OvsdbSession(remotes, opts);
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const switches = await session.createMonitor(nbSchema, { tables: { Logical_Switch: true } });
    const sets = await session.createMonitor(nbSchema, { tables: { Address_Set: true } });
    for (let i = 0; i < 5; i++) await session.transact(NB, [lsInsert(`t-${i}`), { op: "insert", table: "Address_Set", row: { name: `t-${i}` } }]);
    const resyncEvents: RowEvent[] = [];
    switches.batches$.subscribe((b) => b.kind === "resync" && resyncEvents.push(...(b.events as RowEvent[])));
    sets.batches$.subscribe((b) => b.kind === "resync" && resyncEvents.push(...(b.events as RowEvent[])));
    const before = { switches: switches.replica.rowCount, sets: sets.replica.rowCount };

    const t0 = performance.now();
    await cluster.members[leader]!.appctl("cluster/failure-test", "transfer-leadership");
    await waitForState(log, "connected", 2);
    const followMs = performance.now() - t0;

    // the hand-over: the first attempt goes at once to the next member (it may still be taking over, and be
    // refused once or twice with a backoff)
    const reconnecting = log.all.find((s) => s.state === "reconnecting") as Extract<(typeof log.all)[number], { state: "reconnecting" }>;
    expect(reconnecting.error.code).to.equal("LEADER_UNAVAILABLE");
    expect(reconnecting.error.details.leader).to.equal(false);
    expect(reconnecting.delayMs).to.equal(0);
    expect(memberOf(cluster, reconnecting.remote)).to.not.equal(leader);
    const connected = log.last("connected")!;
    const newLeader = await cluster.leader();
    expect(newLeader).to.not.equal(leader);
    expect(memberOf(cluster, connected.remote)).to.equal(newLeader);
    expect(connected.resync).to.include({ monitors: 2, fast: 2, full: 0 });
    expect(resyncEvents).to.deep.equal([]); // nothing changed meanwhile: an empty delta, no purge, no re-insert
    expect({ switches: switches.replica.rowCount, sets: sets.replica.rowCount }).to.deep.equal(before);
    await session.transact(NB, [lsInsert("after-transfer")]);
    const dump = await referenceDump(connected.remote, NB, ["Logical_Switch", "Address_Set"]);
    expectReplicaEqualsDump(switches, new Map([["Logical_Switch", dump.get("Logical_Switch")!]]));
    expectReplicaEqualsDump(sets, new Map([["Address_Set", dump.get("Address_Set")!]]));
    console.log(`      leadership transfer followed in ${followMs.toFixed(0)} ms (dial+check+2 fast resyncs ${connected.resync.ms.toFixed(1)} ms)`);
  });

  it("a member that leaves the cluster is left for another one (not leader-only)", async () => {
    const { remotes } = await followersFirst();
    const session = new OvsdbSession(remotes, { ...opts, leaderOnly: false });
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const leaving = memberOf(cluster, log.last("connected")!.remote);
    await cluster.members[leaving]!.appctl("cluster/leave", NB);
    await waitForState(log, "connected", 2);
    // _Server says connected=false first (LEADER_UNAVAILABLE, a hand-over without backoff), unless the leaving
    // server closed its sessions before sending that update (ovsdb-server may do either under load)
    const first = log.all.find((s) => s.state === "reconnecting") as Extract<(typeof log.all)[number], { state: "reconnecting" }>;
    expect(first.error.code).to.be.oneOf(["LEADER_UNAVAILABLE", "CONNECTION_CLOSED"]);
    if (first.error.code === "LEADER_UNAVAILABLE") {
      expect(first.error.details.connected).to.equal(false);
      expect(first.delayMs).to.equal(0);
    }
    expect(memberOf(cluster, log.last("connected")!.remote)).to.not.equal(leaving);
  });
});

describe("session: STALE_SERVER (two clusters of the same database)", function () {
  this.timeout(60_000);
  let recent: OvsdbCluster;
  let old: OvsdbCluster;

  before(async () => {
    [recent, old] = await Promise.all([startOvsdbCluster({ schema: "nb", members: 1 }), startOvsdbCluster({ schema: "nb", members: 1 })]);
  });
  after(async () => {
    await Promise.all([recent?.stop({ removeDir: true }), old?.stop({ removeDir: true })]);
  });

  it("after seeing index N, a server at an index below N is refused with STALE_SERVER and never used", async () => {
    const session = new OvsdbSession([recent.unixRemote, old.unixRemote], { ...opts, leaderOnly: false, backoff: { initialMs: 5, maxMs: 20, shuffle: false } });
    const log = new StatusLog(session);
    try {
      await session.connected();
      for (let i = 0; i < 10; i++) await session.transact(NB, [lsInsert(`r-${i}`)]);
      const seen = (session.status as { server: { index: bigint } }).server.index;
      await recent.members[0]!.kill9();
      await waitForState(log, "reconnecting", 4);
      const stale = log.all.filter((s) => s.state === "reconnecting" && s.error.code === "STALE_SERVER");
      expect(stale.length).to.be.at.least(1);
      const details = (stale[0] as { error: { details: Record<string, unknown> } }).error.details;
      expect((details.minIndex as bigint) >= seen, `minIndex ${details.minIndex} >= ${seen}`).to.equal(true);
      expect((details.index as bigint) < (details.minIndex as bigint), `index ${details.index} < ${details.minIndex}`).to.equal(true);
      expect(log.count("connected")).to.equal(1);
      expect(session.client).to.equal(undefined);
    } finally {
      await session.close();
    }
  });
});
