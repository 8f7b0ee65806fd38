// Helpers for the session tests (reconnect, probe, leader, cluster): the reference dump of a real server
// (`ovsdb-client --format=json dump`), replica-vs-dump comparison, status recording, polling.
import { expect } from "chai";
import { pollUntil, run } from "@ovnkit/sandbox";
import type { Subscription } from "rxjs";
import type { OvsdbSession } from "../../src/client/session.js";
import type { SessionState, SessionStatus } from "../../src/client/session-status.js";
import type { Monitor } from "../../src/monitor/monitor.js";
import type { WireRow } from "../../src/protocol/notation.js";
import type { OperationResult } from "../../src/protocol/operations.js";
import type { DatabaseSchema } from "../../src/protocol/schema.js";
import { parseJson } from "../../src/rpc/json.js";
import { wireRowEquals } from "../../src/cache/row-equality.js";
import { loadNbSchema } from "../helpers/schemas.js";

export const NB = "OVN_Northbound";
export const nbSchema: DatabaseSchema = loadNbSchema();

/** table -> uuid -> row (without _uuid / _version), as `ovsdb-client --format=json dump` prints it. */
export type Dump = Map<string, Map<string, WireRow>>;

export async function referenceDump(remote: string, db: string, tables: readonly string[]): Promise<Dump> {
  const out: Dump = new Map();
  for (const table of tables) {
    const { stdout } = await run("ovsdb-client", ["--format=json", "dump", remote, db, table]);
    const t = parseJson(stdout.trim()) as unknown as { headings: string[]; data: unknown[][] };
    const rows = new Map<string, WireRow>();
    for (const cells of t.data) {
      const row: Record<string, unknown> = {};
      let uuid = "";
      t.headings.forEach((h, i) => {
        if (h === "_uuid") uuid = (cells[i] as [string, string])[1];
        else if (h !== "_version") row[h] = cells[i];
      });
      rows.set(uuid, row as WireRow);
    }
    out.set(table, rows);
  }
  return out;
}

/** The monitor's replica holds exactly the server's rows (monitored columns compared with OVSDB equality). */
export function expectReplicaEqualsDump(monitor: object, dump: Dump): void {
  const m = monitor as Monitor;
  for (const [table, rows] of dump) {
    const cache = m.table(table);
    const ts = m.schema.tables.get(table)!;
    expect([...cache.uuids()].sort(), `${table} uuids`).to.deep.equal([...rows.keys()].sort());
    for (const [uuid, row] of rows) {
      const { _version: _v, _uuid: _u, ...mine } = cache.getWire(uuid)! as Record<string, unknown>;
      const theirs: Record<string, unknown> = {};
      for (const c of cache.columns) theirs[c] = row[c];
      expect(wireRowEquals(ts, mine as WireRow, theirs as WireRow), `${table} ${uuid}: ${JSON.stringify(mine)} vs ${JSON.stringify(theirs)}`).to.equal(true);
    }
  }
}

/** Records every status of a session. */
export class StatusLog {
  readonly all: SessionStatus[] = [];
  private readonly sub: Subscription;
  constructor(session: OvsdbSession) {
    this.sub = session.status$.subscribe((s) => this.all.push(s));
  }
  /** The states with consecutive repeats collapsed (connecting, connecting -> connecting). */
  states(): SessionState[] {
    const out: SessionState[] = [];
    for (const s of this.all) if (out[out.length - 1] !== s.state) out.push(s.state);
    return out;
  }
  count(state: SessionState): number {
    return this.all.filter((s) => s.state === state).length;
  }
  last<S extends SessionState>(state: S): Extract<SessionStatus, { state: S }> | undefined {
    for (let i = this.all.length - 1; i >= 0; i--) if (this.all[i]!.state === state) return this.all[i] as Extract<SessionStatus, { state: S }>;
    return undefined;
  }
  stop(): void {
    this.sub.unsubscribe();
  }
}

/** Polls until the session has reached `state` at least `n` times in total. */
export function waitForState(log: StatusLog, state: SessionState, n = 1, timeoutMs = 15_000): Promise<true> {
  return pollUntil(`session state ${state} x${n} (saw ${log.states().join(" -> ")})`, () => (log.count(state) >= n ? true : undefined), timeoutMs, 2);
}

/** Polls a synchronous condition every 2 ms (for counters fed by running writers). */
export async function waitUntil(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The uuid of the row inserted by the first operation of a transaction. */
export function uuidOf(r: OperationResult[] | undefined): string {
  return (r?.[0] as { uuid: [string, string] }).uuid[1];
}

export function lsInsert(name: string, extra: Record<string, unknown> = {}) {
  return { op: "insert" as const, table: "Logical_Switch", row: { name, ...extra } };
}

/**
 * Lowers the Raft election timer of a cluster (default 1000 ms) so failover tests run faster; waits until every
 * member applies it. Only the leader may change it.
 */
export async function setElectionTimer(cluster: import("@ovnkit/sandbox").OvsdbCluster, ms: number): Promise<void> {
  const leader = await cluster.leader();
  await cluster.members[leader]!.appctl("cluster/change-election-timer", cluster.database, String(ms));
  await pollUntil(`election timer ${ms} on every member`, async () => {
    for (let i = 0; i < cluster.members.length; i++) if (!(await cluster.status(i)).includes(`Election timer: ${ms}\n`)) return undefined;
    return true;
  }, 10_000, 10);
}

/** Index of the member whose unix remote is `remote`. */
export function memberOf(cluster: import("@ovnkit/sandbox").OvsdbCluster, remote: string): number {
  return cluster.members.findIndex((m) => m.unixRemote === remote);
}
