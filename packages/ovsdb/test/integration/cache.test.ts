/**
 * The replica cache against a real ovsdb-server with the OVN Northbound schema: read-your-writes (a resolved
 * transact is visible in the cache, schema and client indexes included), resync on inconsistency (a replica
 * tampered with heals, emitting the deltas), resubscribe after a server restart without purging (two
 * monitors on one client), and Replica.resync from a fresh full dump.
 */
import { expect } from "chai";
import { pollUntil, startOvsdbCluster, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbClient } from "../../src/client/client.js";
import { Replica } from "../../src/cache/replica.js";
import type { RowEvent } from "../../src/cache/row-event.js";
import type { WireRow } from "../../src/protocol/notation.js";
import type { Operation } from "../../src/protocol/operations.js";
import type { DatabaseSchema } from "../../src/protocol/schema.js";
import { Monitor, type MonitorClient } from "../../src/monitor/monitor.js";
import type { MonitorCondSinceResult } from "../../src/rpc/methods.js";
import type { MonitorMethod } from "../../src/monitor/requests.js";
import { startServerWithClient, stopServerWithClient } from "../helpers/servers.js";

const NB = "OVN_Northbound";
const until = (what: string, cond: () => boolean | Promise<boolean>) => pollUntil(what, async () => ((await cond()) ? true : undefined), 5000);

interface Lsp {
  _uuid: string;
  name: string;
  addresses: readonly string[];
  external_ids: ReadonlyMap<string, string>;
  options: ReadonlyMap<string, string>;
}
interface Ls {
  _uuid: string;
  name: string;
  ports: readonly string[];
}
type Rows = { Logical_Switch: Ls; Logical_Switch_Port: Lsp };

const lspTables = {
  // Logical_Switch has no schema index: a client index on name
  Logical_Switch: { columns: ["name", "ports"], indexes: [{ name: "name", columns: ["name"], unique: true }] },
  Logical_Switch_Port: {
    columns: ["name", "addresses", "external_ids", "options"],
    indexes: [{ name: "pod", columns: [{ column: "external_ids", key: "pod" }] }],
  },
} as const;

/** One switch with `n` ports named <sw>-p<i>, pods ns/<sw>-vm<i>. */
function addSwitch(sw: string, n: number): Operation[] {
  const ops: Operation[] = [];
  const id = (i: number) => `${sw.replace(/[^a-zA-Z0-9]/g, "_")}_p${i}`;
  for (let i = 0; i < n; i++) {
    ops.push({
      op: "insert",
      table: "Logical_Switch_Port",
      "uuid-name": id(i),
      row: { name: `${sw}-p${i}`, addresses: `00:00:00:00:00:${(i + 1).toString(16).padStart(2, "0")} 10.0.0.${i + 1}`, external_ids: ["map", [["pod", `ns/${sw}-vm${i}`]]] },
    });
  }
  ops.push({ op: "insert", table: "Logical_Switch", row: { name: sw, ports: ["set", ops.map((_, i) => ["named-uuid", id(i)])] } });
  return ops;
}

describe("replica cache against a real ovsdb-server (OVN Northbound)", function () {
  let server: OvsdbServer;
  let client: OvsdbClient;
  let schema: DatabaseSchema;
  const cleanup: (() => Promise<unknown>)[] = [];
  const transact = (c: OvsdbClient, ...ops: Operation[]) => c.transact(NB, ops);
  const monitor = async (c: OvsdbClient, method: MonitorMethod, tables: object = lspTables): Promise<Monitor<Rows>> => {
    const m = new Monitor<Rows>(c, schema, { method, tables: tables as never });
    cleanup.push(() => m.cancel());
    return m;
  };

  beforeEach(async () => {
    ({ server, client, schema } = await startServerWithClient("nb", NB));
  });
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
    await stopServerWithClient({ client, server });
  });

  it("read-your-writes: when transact resolves the cache shows it (rows, schema index, map-key index)", async () => {
    for (const method of ["monitor", "monitor_cond", "monitor_cond_since"] as const) {
      const m = await monitor(client, method);
      await m.start();
      const lsps = m.table("Logical_Switch_Port");
      for (let i = 0; i < 25; i++) {
        const sw = `${method}-ls${i}`;
        await transact(client, ...addSwitch(sw, 2));
        expect(m.table("Logical_Switch").index("name").one(sw)!.ports).to.have.length(2);
        expect(lsps.index("name").one(`${sw}-p1`)!.addresses).to.deep.equal(["00:00:00:00:00:02 10.0.0.2"]);
        await transact(client, { op: "mutate", table: "Logical_Switch_Port", where: [["name", "==", `${sw}-p0`]], mutations: [["external_ids", "insert", ["map", [["owner", "x"]]]]] });
        await transact(client, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", `${sw}-p1`]], row: { external_ids: ["map", [["pod", "ns/moved"]]] } });
        expect(lsps.index("pod").one(`ns/${sw}-vm0`)!.external_ids.get("owner")).to.equal("x");
        expect(lsps.index("pod").get(`ns/${sw}-vm1`)).to.deep.equal([]);
        expect(lsps.index("pod").get("ns/moved").map((r) => r.name)).to.include(`${sw}-p1`);
        await transact(client, { op: "delete", table: "Logical_Switch", where: [["name", "==", sw]] });
        expect(m.table("Logical_Switch").index("name").one(sw)).to.equal(undefined);
        expect(lsps.index("name").one(`${sw}-p0`)).to.equal(undefined, "ports garbage-collected with their switch");
      }
      expect(m.resyncCount).to.equal(0);
    }
  });

  it("an inconsistent update triggers a resync that heals the replica and emits the deltas", async () => {
    await transact(client, ...addSwitch("ls", 3));
    const m = await monitor(client, "monitor_cond_since");
    await m.start();
    const lsps = m.table("Logical_Switch_Port");
    const p1 = lsps.index("name").one("ls-p1")!;
    const p2 = lsps.index("name").one("ls-p2")!;
    // Tamper with the replica: lose p1, invent a row that the server does not have.
    lsps.deleteRow(p1._uuid, lsps.getWire(p1._uuid)!);
    const ghost = "11111111-2222-4333-8444-555555555555";
    lsps.insertRow(ghost, { name: "ghost" });
    const events: RowEvent[] = [];
    m.changes$.subscribe((e) => events.push(e as unknown as RowEvent));
    const states: string[] = [];
    m.status$.subscribe((s) => states.push(s.state));
    // The server's modify of p1 cannot apply to the replica: UPDATE_INCONSISTENT -> resync.
    await transact(client, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", "ls-p1"]], row: { options: ["map", [["requested-chassis", "hv1,hv2"]]] } });
    await until("resync", () => m.resyncCount === 1 && m.status.state === "live");
    expect(states.slice(1)).to.deep.equal(["resyncing", "live"]);
    expect(events.map((e) => [e.kind, e.uuid]).sort()).to.deep.equal([["delete", ghost], ["insert", p1._uuid]].sort());
    expect(lsps.get(p1._uuid)!.options.get("requested-chassis")).to.equal("hv1,hv2");
    expect(lsps.get(ghost)).to.equal(undefined);
    expect(lsps.get(p2._uuid)).to.deep.equal(p2, "untouched rows keep their typed row");
    await transact(client, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", "ls-p2"]], row: { addresses: "dynamic" } });
    expect(lsps.get(p2._uuid)!.addresses).to.deep.equal(["dynamic"]);
  });

  it("resubscribes after a server restart without purging: two monitors, only the deltas, for each method", async () => {
    for (const method of ["monitor", "monitor_cond", "monitor_cond_since"] as const) {
      await transact(client, ...addSwitch(`${method}-a`, 3), ...addSwitch(`${method}-b`, 1));
      const switches = await monitor(client, method, { Logical_Switch: lspTables.Logical_Switch });
      const ports = await monitor(client, method, { Logical_Switch_Port: lspTables.Logical_Switch_Port });
      await switches.start();
      await ports.start();
      const portsBefore = ports.table("Logical_Switch_Port").size;
      const unchanged = ports.table("Logical_Switch_Port").index("name").one(`${method}-a-p2`)!;
      const events: string[] = [];
      for (const m of [switches, ports]) m.changes$.subscribe((e) => events.push(`${e.kind}:${(e.new ?? e.old)!.name}`));

      await server.kill9();
      await until("client sees the disconnect", () => client.status.state === "disconnected");
      await server.restart();
      const writer = await OvsdbClient.connect(server.unixRemote);
      await transact(writer, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", `${method}-a-p0`]], row: { addresses: "changed" } });
      await transact(writer, { op: "mutate", table: "Logical_Switch", where: [["name", "==", `${method}-a`]], mutations: [["ports", "delete", ["set", [ports.table("Logical_Switch_Port").index("name").one(`${method}-a-p1`)!._uuid].map((u) => ["uuid", u])]]] });
      await transact(writer, { op: "delete", table: "Logical_Switch", where: [["name", "==", `${method}-b`]] });
      await transact(writer, ...addSwitch(`${method}-c`, 1));
      await writer.close();
      // While disconnected the replicas keep serving the last known rows.
      expect(ports.table("Logical_Switch_Port").size).to.equal(portsBefore);

      await client.close();
      client = await OvsdbClient.connect(server.unixRemote);
      await switches.resubscribe({ client });
      await ports.resubscribe({ client });
      expect(events.sort()).to.deep.equal(
        [
          `modify:${method}-a-p0`,
          `delete:${method}-a-p1`,
          `delete:${method}-b-p0`,
          `insert:${method}-c-p0`,
          `modify:${method}-a`,
          `delete:${method}-b`,
          `insert:${method}-c`,
        ].sort(),
      );
      expect(ports.table("Logical_Switch_Port").get(unchanged._uuid)).to.equal(unchanged, "no event and the same typed row");
      expect(ports.table("Logical_Switch_Port").index("pod").one(`ns/${method}-c-vm0`)!.name).to.equal(`${method}-c-p0`);
      // live again on the new client
      await transact(client, { op: "delete", table: "Logical_Switch", where: [["name", "==", `${method}-c`]] });
      expect(ports.table("Logical_Switch_Port").index("name").one(`${method}-c-p0`)).to.equal(undefined);
      expect(switches.table("Logical_Switch").index("name").one(`${method}-c`)).to.equal(undefined);
      for (const f of cleanup.splice(0).reverse()) await f();
      await transact(client, { op: "delete", table: "Logical_Switch", where: [] });
    }
  });

  it("Replica.resync(fullDump, {full: true}) emits exactly the deltas against a fresh monitor_cond dump", async () => {
    await transact(client, ...addSwitch("r", 4));
    const requests = { Logical_Switch_Port: { columns: ["name", "addresses", "external_ids", "options"] } };
    const replica = new Replica<Rows>(schema, { Logical_Switch_Port: { columns: requests.Logical_Switch_Port.columns } });
    replica.applyUpdates(await client.monitorCond(NB, "dump-1", requests), { initial: true });
    await client.monitorCancel("dump-1");
    await transact(client, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", "r-p0"]], row: { options: ["map", [["a", "b"]]] } });
    await transact(client, { op: "mutate", table: "Logical_Switch", where: [["name", "==", "r"]], mutations: [["ports", "delete", ["set", [["uuid", replica.table("Logical_Switch_Port").index("name").one("r-p3")!._uuid]]]]] });
    // a no-op write: same value again
    await transact(client, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", "r-p1"]], row: { external_ids: ["map", [["pod", "ns/r-vm1"]]] } });
    const dump = await client.monitorCond(NB, "dump-2", requests);
    await client.monitorCancel("dump-2");
    const events: string[] = [];
    replica.changes$.subscribe((e) => events.push(`${e.kind}:${(e.new ?? e.old)!.name}`));
    const changes = replica.resync(dump, { full: true });
    expect(events.sort()).to.deep.equal(["delete:r-p3", "modify:r-p0"]);
    expect(changes.map((c) => c.kind).sort()).to.deep.equal(["delete", "modify"]);
    expect((replica.table("Logical_Switch_Port").getWire(replica.table("Logical_Switch_Port").index("name").one("r-p0")!._uuid) as WireRow).options).to.deep.equal(["map", [["a", "b"]]]);
    expect(replica.resync(dump, { full: true })).to.deep.equal([], "a second resync with the same dump changes nothing");
  });

  it("clustered database: keeps the last txn id per update3 and resubscribes with monitor_cond_since found=true (deltas only)", async function () {
    this.timeout(20000);
    const cluster = await startOvsdbCluster({ schema: "nb", members: 1 });
    cleanup.push(() => cluster.stop({ removeDir: true }));
    let c = await OvsdbClient.connect(cluster.unixRemote);
    cleanup.push(() => c.close());
    await transact(c, ...addSwitch("k", 3));
    // ovsdb-server trims its transaction history to the size of the database: give it some bulk so that the
    // few transactions below stay in the history (found=true). With found=false the Monitor diffs a full dump.
    await transact(c, ...Array.from({ length: 20 }, (_, i) => addSwitch(`bulk${i}`, 5)).flat());
    const replies: MonitorCondSinceResult[] = [];
    const recording = (inner: OvsdbClient): MonitorClient => ({
      notifications$: inner.notifications$,
      monitor: (...a) => inner.monitor(...a),
      monitorCond: (...a) => inner.monitorCond(...a),
      monitorCondSince: async (...a) => {
        const r = await inner.monitorCondSince(...a);
        replies.push(r);
        return r;
      },
      monitorCondChange: (...a) => inner.monitorCondChange(...a),
      monitorCancel: (...a) => inner.monitorCancel(...a),
    });
    const rec = new Monitor<Rows>(recording(c), schema, { method: "monitor_cond_since", tables: lspTables as never });
    cleanup.push(() => rec.cancel());
    await rec.start();
    const zero = "00000000-0000-0000-0000-000000000000";
    expect(replies[0]!.found).to.equal(false);
    expect(rec.lastTxnId).to.be.a("string").and.not.equal(zero);
    const first = rec.lastTxnId;
    await transact(c, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", "k-p0"]], row: { addresses: "a" } });
    expect(rec.lastTxnId, "update3 carries the new txn id").to.not.equal(first);
    const txnBefore = rec.lastTxnId;

    await c.close();
    const writer = await OvsdbClient.connect(cluster.unixRemote);
    await transact(writer, { op: "update", table: "Logical_Switch_Port", where: [["name", "==", "k-p1"]], row: { addresses: "b" } });
    await transact(writer, ...addSwitch("k2", 1));
    await writer.close();

    const events: string[] = [];
    rec.changes$.subscribe((e) => events.push(`${e.kind}:${(e.new ?? e.old)!.name}`));
    c = await OvsdbClient.connect(cluster.unixRemote);
    await rec.resubscribe({ client: recording(c) });
    const last = replies.at(-1)!;
    expect(last.found, "the server still had our txn id").to.equal(true);
    expect(Object.values(last.updates).flatMap((t) => Object.values(t).map((ru) => Object.keys(ru)[0]))).to.not.include("initial");
    expect(events.sort()).to.deep.equal(["insert:k2", "insert:k2-p0", "modify:k-p1"]);
    expect(rec.lastTxnId).to.not.equal(txnBefore);
    expect(rec.table("Logical_Switch_Port").index("name").one("k-p1")!.addresses).to.deep.equal(["b"]);
    expect(rec.table("Logical_Switch_Port").size).to.equal(4 + 100);
  });
});
