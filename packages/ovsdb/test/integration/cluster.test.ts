// Failover of a real 3-member Raft cluster (OVN NB on loopback, ovsdb-tool create-cluster / join-cluster) under
// load: the leader is killed with SIGKILL while three writers transact through a leader-only session. The
// session finds the new leader, both monitors resync with monitor_cond_since found=true (real transaction
// ids exist on clustered databases), nothing acknowledged is lost, and the caches equal the new leader's dump.
import { expect } from "chai";
import { startOvsdbCluster, type OvsdbCluster } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import type { RowEvent } from "../../src/cache/row-event.js";
import { isOvsdbError, type OvsdbError } from "../../src/protocol/errors.js";
import { NB, StatusLog, expectReplicaEqualsDump, lsInsert, memberOf, nbSchema, referenceDump, setElectionTimer, uuidOf, waitForState, waitUntil } from "./session-helpers.js";

describe("session: leader killed during writes (3-member clustered NB)", function () {
  this.timeout(60_000);
  let cluster: OvsdbCluster;

  before(async () => {
    cluster = await startOvsdbCluster({ schema: "nb" });
    await setElectionTimer(cluster, 300);
  });
  after(async () => {
    await cluster?.stop({ removeDir: true });
  });

  it("reconnects to the new leader, resyncs both monitors with found=true, loses nothing acknowledged", async () => {
    const session = new OvsdbSession(cluster.unixRemote, { database: NB, backoff: { initialMs: 10, maxMs: 100 }, waitMs: 20_000 });
    const log = new StatusLog(session);
    try {
      await session.connected();
      const switches = await session.createMonitor(nbSchema, { tables: { Logical_Switch: { columns: ["name", "external_ids"] } } });
      const sets = await session.createMonitor(nbSchema, { tables: { Address_Set: true } });
      const resync: RowEvent[] = [];
      switches.batches$.subscribe((b) => b.kind === "resync" && resync.push(...(b.events as RowEvent[])));
      sets.batches$.subscribe((b) => b.kind === "resync" && resync.push(...(b.events as RowEvent[])));
      let minRows = Infinity;
      switches.changes$.subscribe(() => (minRows = Math.min(minRows, switches.replica.rowCount)));

      const acked = new Map<string, string>();
      const unknown = new Set<string>();
      const otherErrors: OvsdbError[] = [];
      let stop = false;
      const writer = async (w: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const name = `w${w}-${i}`;
          try {
            acked.set(name, uuidOf(await session.transact(NB, [lsInsert(name, { external_ids: ["map", [["writer", String(w)]]] }), { op: "insert", table: "Address_Set", row: { name } }])));
          } catch (e) {
            if (isOvsdbError(e, "OUTCOME_UNKNOWN")) unknown.add(name);
            else otherErrors.push(e as OvsdbError);
          }
        }
      };
      const writers = [0, 1, 2].map((w) => writer(w));
      await waitUntil(() => acked.size >= 30);
      const oldLeader = memberOf(cluster, log.last("connected")!.remote);
      const txnBefore = [switches.lastTxnId, sets.lastTxnId];
      expect(txnBefore[0]).to.not.equal("00000000-0000-0000-0000-000000000000"); // a clustered database has real txn ids

      const rowsAtKill = switches.replica.rowCount;
      minRows = rowsAtKill;
      const tKill = performance.now();
      await cluster.members[oldLeader]!.kill9();
      await waitForState(log, "connected", 2);
      const failoverMs = performance.now() - tKill;
      const atFailover = acked.size;
      await waitUntil(() => acked.size >= atFailover + 30);
      stop = true;
      await Promise.all(writers);

      const connected = log.last("connected")!;
      const newLeader = memberOf(cluster, connected.remote);
      expect(newLeader).to.not.equal(oldLeader);
      expect(connected.server).to.include({ leader: true, model: "clustered" });
      expect(connected.resync).to.include({ monitors: 2, fast: 2, full: 0 }); // monitor_cond_since found=true, both
      expect(log.states()).to.deep.equal(["connecting", "connected", "reconnecting", "connected"]);
      expect(otherErrors.map((e) => e.code)).to.deep.equal([]);

      // nothing acknowledged is lost: every acked insert is in the cache and on the new leader
      const dump = await referenceDump(cluster.members[newLeader]!.unixRemote, NB, ["Logical_Switch", "Address_Set"]);
      for (const [name, uuid] of acked) {
        expect(dump.get("Logical_Switch")!.get(uuid)?.name, `${name} on the new leader`).to.equal(name);
        expect(switches.table("Logical_Switch").has(uuid), `${name} in the cache`).to.equal(true);
      }
      expectReplicaEqualsDump(switches, new Map([["Logical_Switch", dump.get("Logical_Switch")!]]));
      expectReplicaEqualsDump(sets, new Map([["Address_Set", dump.get("Address_Set")!]]));
      // the fast resync delta holds only what the transactions in flight at the kill did: no purge, no re-insert
      for (const e of resync) {
        expect(e.kind, `resync event ${e.kind} ${e.uuid}`).to.equal("insert");
        expect(unknown.has(String((e.new as { name: string }).name)), `resync insert of ${String((e.new as { name: string }).name)}`).to.equal(true);
      }
      expect(minRows).to.equal(rowsAtKill); // no row ever left the cache (nobody deletes)
      const errors = log.all.filter((s) => s.state === "reconnecting").map((s) => (s as { error: OvsdbError }).error.code);
      expect(errors[0]).to.equal("CONNECTION_CLOSED");
      console.log(
        `      leader killed -> new leader connected and resynced in ${failoverMs.toFixed(0)} ms (election timer 300 ms; ` +
          `${errors.length} attempts: ${[...new Set(errors)].join(", ")}; last dial+check+2 fast resyncs ${connected.resync.ms.toFixed(1)} ms); ` +
          `${acked.size} acked, ${unknown.size} outcome unknown, ${resync.length} resync events`,
      );
    } finally {
      await session.close();
    }
  });
});
