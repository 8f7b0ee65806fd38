/**
 * Monitor streams against a real ovsdb-server (test schema): typed row events of monitor, monitor_cond and
 * monitor_cond_since, column selection, conditions, monitor_cond_change on a live monitor, the update /
 * update2 / update3 application checked against `select` after random transactions, buffering of updates
 * pipelined behind the monitor request, monitor_canceled after an online schema conversion, the cold
 * Observable (monitor_cancel on unsubscribe) and a slow consumer through eventQueue.
 */
import { expect } from "chai";
import fc from "fast-check";
import { firstValueFrom, take, toArray } from "rxjs";
import { run, startOvsdbServer, pollUntil, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbClient } from "../../src/client/client.js";
import type { RowEvent } from "../../src/cache/row-event.js";
import { decodeRow } from "../../src/protocol/datum.js";
import type { Operation } from "../../src/protocol/operations.js";
import type { DatabaseSchema } from "../../src/protocol/schema.js";
import { eventQueue } from "../../src/monitor/event-queue.js";
import { Monitor, type MonitorClient, type MonitorStatus } from "../../src/monitor/monitor.js";
import { monitorRows, type RowsOf } from "../../src/monitor/observe.js";
import type { MonitorMethod } from "../../src/monitor/requests.js";
import { Item, database } from "../fixtures/codegen/test-schema/index.js";
import { startServerWithClient, stopServerWithClient } from "../helpers/servers.js";

type Rows = RowsOf<typeof database.tables>;
const DB = "OvnkitTest";
const ZERO = "00000000-0000-0000-0000-000000000000";
const until = (what: string, cond: () => boolean | Promise<boolean>) => pollUntil(what, async () => ((await cond()) ? true : undefined), 5000);

describe("monitor streams against a real ovsdb-server", function () {
  let server: OvsdbServer;
  let client: OvsdbClient;
  let schema: DatabaseSchema;
  const monitors: Monitor<Rows>[] = [];

  const transact = (...ops: Operation[]) => client.transact(DB, ops);
  const open = async (method: MonitorMethod, tables: ConstructorParameters<typeof Monitor<Rows>>[2]["tables"]) => {
    const m = new Monitor<Rows>(client, schema, { method, tables });
    monitors.push(m);
    return m;
  };
  const monitorCount = async (): Promise<number> => Number(/monitors:(\d+)/.exec(await server.appctl("memory/show"))?.[1] ?? 0);

  before(async () => {
    ({ server, client, schema } = await startServerWithClient("test", DB));
  });
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.cancel();
    await transact(Item.op.delete([]));
  });
  after(async () => {
    await stopServerWithClient({ client, server });
  });

  it("monitor_cond_since: typed initial, insert, modify (old and new), delete events; zero txn id standalone", async () => {
    await transact(Item.op.insert({ name: "pre", count: 1 }));
    const m = await open("monitor_cond_since", { Item: true });
    const events: RowEvent<Rows["Item"]>[] = [];
    m.changesOf("Item").subscribe((e) => events.push(e));
    await m.start();
    expect(m.lastTxnId).to.equal(ZERO);
    const [ins] = await transact(Item.op.insert({ name: "new", tags: ["a", "b"], external_ids: new Map([["k", "v"]]) }));
    await transact(Item.op.mutate([Item.where.name.eq("new")], [Item.mutate.tags.delete("a"), Item.mutate.external_ids.insert(new Map([["k2", "v2"]]))]));
    await transact(Item.op.delete([Item.where.name.eq("pre")]));
    expect(events.map((e) => [e.kind, e.kind === "delete" ? e.old.name : e.new.name])).to.deep.equal([
      ["initial", "pre"],
      ["insert", "new"],
      ["modify", "new"],
      ["delete", "pre"],
    ]);
    const mod = events[2]!;
    if (mod.kind !== "modify") throw new Error("not a modify");
    expect(mod.uuid).to.equal((ins!.uuid as [string, string])[1]);
    expect(mod.old.tags).to.deep.equal(["a", "b"]);
    expect(mod.new.tags).to.deep.equal(["b"]);
    expect(mod.old.external_ids).to.deep.equal(new Map([["k", "v"]]));
    expect(mod.new.external_ids).to.deep.equal(new Map([["k", "v"], ["k2", "v2"]]));
    expect(mod.new._version).to.be.a("string").and.not.equal(mod.old._version);
    expect(m.lastTxnId).to.equal(ZERO);
  });

  it("selects columns per table and filters rows by conditions", async () => {
    const m = await open("monitor_cond", { Item: { columns: ["name", "count"], where: [Item.where.count.ge(10)] } });
    const events: RowEvent<Rows["Item"]>[] = [];
    m.changesOf("Item").subscribe((e) => events.push(e));
    await m.start();
    await transact(Item.op.insert({ name: "low", count: 1, tags: ["x"] }), Item.op.insert({ name: "high", count: 10, tags: ["x"] }));
    expect(m.table("Item").size).to.equal(1);
    const high = m.table("Item").index("name").one("high")!;
    expect(high).to.deep.equal({ _uuid: high._uuid, name: "high", count: 10 });
    await transact(Item.op.update([Item.where.name.eq("low")], { count: 50 }));
    await transact(Item.op.update([Item.where.name.eq("high")], { count: 2 }));
    expect(events.map((e) => [e.kind, (e.new ?? e.old)!.name])).to.deep.equal([
      ["insert", "high"],
      ["insert", "low"],
      ["delete", "high"],
    ]);
    expect([...m.table("Item").values()].map((r) => r.name)).to.deep.equal(["low"]);
  });

  it("monitor_cond_change changes conditions on a live monitor: entering rows are inserts, leaving rows deletes", async () => {
    await transact(Item.op.insert({ name: "a", count: 1 }), Item.op.insert({ name: "b", count: 2 }), Item.op.insert({ name: "c", count: 3 }));
    for (const method of ["monitor_cond", "monitor_cond_since"] as const) {
      const m = await open(method, { Item: { columns: ["name"], where: [Item.where.name.eq("a")] } });
      const events: string[] = [];
      m.changesOf("Item").subscribe((e) => events.push(`${e.kind}:${(e.new ?? e.old)!.name}`));
      await m.start();
      await m.setConditions({ Item: [Item.where.count.ge(2)] });
      expect(events[0]).to.equal("initial:a");
      expect(events.slice(1).sort()).to.deep.equal(["delete:a", "insert:b", "insert:c"]);
      expect([...m.table("Item").values()].map((r) => r.name).sort()).to.deep.equal(["b", "c"]);
      expect(m.requests().get("Item")!.where).to.deep.equal([Item.where.count.ge(2)]);
      await transact(Item.op.insert({ name: "d", count: 4 }), Item.op.insert({ name: "e", count: 0 }));
      expect([...m.table("Item").values()].map((r) => r.name).sort()).to.deep.equal(["b", "c", "d"]);
      await transact(Item.op.delete([Item.where.name.eq("d")]), Item.op.delete([Item.where.name.eq("e")]));
    }
  });

  it("update, update2 and update3 applied by three monitors equal the server's rows after random transactions", async function () {
    this.timeout(60000);
    const ms = await Promise.all((["monitor", "monitor_cond", "monitor_cond_since"] as const).map((method) => open(method, { Item: true })));
    for (const m of ms) await m.start();
    const name = fc.constantFrom("n0", "n1", "n2", "n3");
    const strs = fc.uniqueArray(fc.constantFrom("a", "b", "c", "d", "é"), { maxLength: 4 });
    const kv = fc.dictionary(fc.constantFrom("k1", "k2", "k3"), fc.constantFrom("x", "y", ""), { maxKeys: 3 }).map((d) => new Map(Object.entries(d)));
    const nums = fc.uniqueArray(fc.constantFrom(0, 1, -7, 2 ** 53 + 2, 9223372036854775807n, -9223372036854775808n), { maxLength: 3 }).map((xs) =>
      xs.map((x) => (typeof x === "number" && !Number.isSafeInteger(x) ? BigInt(x) : x)),
    );
    const op: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ name, tags: strs, external_ids: kv, numbers: nums, enabled: fc.constantFrom(true, false, null), color: fc.constantFrom("red", "blue", null) }).map((r) => Item.op.insert(r)),
      fc.tuple(name, strs, kv, fc.constantFrom(0, 5, 2n ** 62n)).map(([n, t, e, c]) => Item.op.update([Item.where.name.eq(n)], { tags: t, external_ids: e, count: c, big: null })),
      fc.tuple(name, strs).map(([n, t]) => Item.op.mutate([Item.where.name.eq(n)], [Item.mutate.tags.insert(t)])),
      fc.tuple(name, strs).map(([n, t]) => Item.op.mutate([Item.where.name.eq(n)], [Item.mutate.tags.delete(t)])),
      fc.tuple(name, kv).map(([n, e]) => Item.op.mutate([Item.where.name.eq(n)], [Item.mutate.external_ids.insert(e)])),
      fc.tuple(name, fc.subarray(["k1", "k2", "k3"])).map(([n, ks]) => Item.op.mutate([Item.where.name.eq(n)], [Item.mutate.external_ids.delete(ks)])),
      fc.tuple(name, fc.constantFrom(null, "green")).map(([n, c]) => Item.op.update([Item.where.name.eq(n)], { color: c, enabled: null })),
      name.map((n) => Item.op.delete([Item.where.name.eq(n)])),
    );
    const itemSchema = schema.tables.get("Item")!;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }), async (txns) => {
        await transact(Item.op.delete([]));
        for (const ops of txns) {
          await transact(...ops).catch(() => undefined); // e.g. a 4th number: the whole transaction fails
          const [sel] = await transact(Item.op.select([]));
          const want = new Map(sel!.rows!.map((r) => [(r._uuid as [string, string])[1], decodeRow(itemSchema, r)]));
          for (const m of ms) {
            const t = m.table("Item");
            expect(t.size, m.method).to.equal(want.size);
            for (const [uuid, row] of want) expect(t.get(uuid), `${m.method} ${uuid}`).to.deep.equal(row);
          }
        }
      }),
      { numRuns: 12 },
    );
    for (const m of ms) expect(m.resyncCount, m.method).to.equal(0);
  });

  it("buffers updates that arrive before the monitor reply is applied: applied after it, in order, no resync", async () => {
    for (const method of ["monitor", "monitor_cond", "monitor_cond_since"] as const) {
      await transact(Item.op.delete([]));
      await transact(...Array.from({ length: 10 }, (_, i) => Item.op.insert({ name: `p${i}`, count: 0 })));
      // The real client, with the monitor reply held back until the test releases it: the server's update
      // notifications for the writes below (sent after the monitor request) reach the Monitor first.
      let release!: () => void;
      let sent!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const requestSent = new Promise<void>((r) => (sent = r));
      const hold = <T>(p: Promise<T>): Promise<T> => (sent(), p.then(async (r) => (await gate, r)));
      const held: MonitorClient = {
        notifications$: client.notifications$,
        monitor: (...a) => hold(client.monitor(...a)),
        monitorCond: (...a) => hold(client.monitorCond(...a)),
        monitorCondSince: (...a) => hold(client.monitorCondSince(...a)),
        monitorCondChange: (...a) => client.monitorCondChange(...a),
        monitorCancel: (...a) => client.monitorCancel(...a),
      };
      const m = new Monitor<Rows>(held, schema, { method, tables: { Item: { columns: ["name", "count"] } } });
      monitors.push(m);
      const kinds: string[] = [];
      m.changesOf("Item").subscribe((e) => kinds.push(e.kind));
      const started = m.start();
      started.catch(() => undefined);
      await requestSent; // the writes below go out after the monitor request, on the same connection
      const failsafe = setTimeout(() => release(), 5000); // never leave the monitor hanging if an expect fails
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => transact(Item.op.update([Item.where.name.eq(`p${i}`)], { count: i + 1 }))),
        ...Array.from({ length: 5 }, (_, i) => transact(Item.op.insert({ name: `q${i}` }))),
      ]);
      expect(kinds, method).to.deep.equal([]);
      expect(m.status.state).to.equal("starting");
      release();
      clearTimeout(failsafe);
      await started;
      expect(kinds, method).to.deep.equal([...Array(10).fill("initial"), ...Array(10).fill("modify"), ...Array(5).fill("insert")]);
      expect(m.resyncCount, method).to.equal(0);
      expect(m.table("Item").size).to.equal(15);
      expect(m.table("Item").index("name").one("p9")!.count).to.equal(10);
    }
  });

  it("resyncs after the server cancels the monitor (monitor_canceled on online conversion): no events for unchanged rows", async () => {
    // a conversion disconnects clients that are not db-change-aware: use a server of its own
    const own = await startOvsdbServer({ schema: "test" });
    const aware = await OvsdbClient.connect(own.unixRemote);
    try {
      await aware.setDbChangeAware(true);
      await aware.transact(DB, [Item.op.insert({ name: "kept", tags: ["x"] })]);
      // explicit columns: a conversion rewrites every row, so _version (monitored with "all columns") changes
      const m = new Monitor<Rows>(aware, schema, { method: "monitor_cond", tables: { Item: { columns: ["name", "tags", "count"] } } });
      const statuses: MonitorStatus["state"][] = [];
      m.status$.subscribe((s) => statuses.push(s.state));
      await m.start();
      const events: unknown[] = [];
      m.changes$.subscribe((e) => events.push(e));
      await run("ovsdb-client", ["convert", own.unixRemote, own.schemaPath]);
      await until("resync after monitor_canceled", () => m.resyncCount === 1 && m.status.state === "live");
      expect(statuses, JSON.stringify(m.status)).to.deep.equal(["starting", "live", "resyncing", "live"]);
      expect(events.map((e) => (e as RowEvent).kind)).to.deep.equal([]);
      await aware.transact(DB, [Item.op.update([Item.where.name.eq("kept")], { count: 3 })]);
      expect(m.table("Item").index("name").one("kept")!.count).to.equal(3);
      await m.cancel();
    } finally {
      await aware.close();
      await own.stop({ removeDir: true });
    }
  });

  it("monitorRows: a cold Observable of typed events; unsubscribing cancels the monitor on the server", async () => {
    await transact(Item.op.insert({ name: "x" }));
    const before = await monitorCount();
    const rows$ = monitorRows<Rows>(client, schema, { method: "monitor_cond", tables: { Item: { columns: ["name"] } } });
    const got = firstValueFrom(rows$.pipe(take(2), toArray()));
    await until("monitor on the server", async () => (await monitorCount()) === before + 1);
    await transact(Item.op.insert({ name: "y" }));
    const events = await got;
    expect(events.map((e) => [e.kind, e.table, (e.new as Rows["Item"]).name])).to.deep.equal([
      ["initial", "Item", "x"],
      ["insert", "Item", "y"],
    ]);
    await until("monitor_cancel after unsubscribe", async () => (await monitorCount()) === before);
  });

  it("monitorRows errors when the monitor request is refused", async () => {
    const bad = monitorRows(client, schema, { db: "NoSuchDb", method: "monitor_cond", tables: { Item: true } });
    try {
      await firstValueFrom(bad);
      expect.fail("no error");
    } catch (e) {
      expect((e as { code?: string }).code).to.equal("RPC_ERROR");
    }
  });

  it("a slow consumer loses nothing: eventQueue buffers, warns at the high-water mark, delivers in order", async () => {
    const m = await open("monitor_cond_since", { Item: { columns: ["name"] } });
    const warnings: number[] = [];
    const queue = eventQueue(m.changesOf("Item"), { highWaterMark: 50, onHighWaterMark: (n) => warnings.push(n) });
    await m.start();
    const N = 200;
    await transact(...Array.from({ length: N }, (_, i) => Item.op.insert({ name: `q${String(i).padStart(3, "0")}` })));
    const names: string[] = [];
    for await (const e of queue) {
      await new Promise((r) => setTimeout(r, 0)); // slow
      names.push(e.new!.name);
      if (names.length === N) break;
    }
    expect(names.sort()).to.deep.equal(Array.from({ length: N }, (_, i) => `q${String(i).padStart(3, "0")}`));
    expect(warnings).to.deep.equal([50]);
    expect(queue.maxSize).to.equal(N);
  });
});
