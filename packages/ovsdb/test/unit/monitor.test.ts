// Monitor logic against an in-memory MonitorClient double: only for what a real ovsdb-server cannot produce
// (notifications that race a monitor reply deterministically, inconsistent updates, monitor_canceled).
// The same paths run against a real server in test/integration/{monitor,cache}.test.ts.
import { expect } from "chai";
import { Subject } from "rxjs";
import type { RowEvent } from "../../src/cache/row-event.js";
import { OvsdbError } from "../../src/protocol/errors.js";
import type { TableUpdates2 } from "../../src/protocol/updates.js";
import type { MonitorId, OvsdbNotification } from "../../src/rpc/methods.js";
import { eventQueue } from "../../src/monitor/event-queue.js";
import { Monitor, type MonitorClient, type MonitorStatus } from "../../src/monitor/monitor.js";
import { monitorRows } from "../../src/monitor/observe.js";
import { loadTestSchema } from "../helpers/schemas.js";

const schema = loadTestSchema();
const U1 = "ef56cda3-501e-4411-999f-486fbeabe526";
const U2 = "b222f872-afdb-482b-80e1-1ffc3165645c";
const U3 = "0352f2d0-a72c-46ef-81d8-17dbcb64ff73";
const TXN = "11111111-2222-3333-4444-555555555555";

interface Call {
  method: string;
  id: MonitorId;
  args: unknown[];
  reply: (v: unknown) => void;
  fail: (e: unknown) => void;
}

/** A scripted MonitorClient: each call waits until the test answers it. */
class ScriptedClient implements MonitorClient {
  readonly notifications = new Subject<OvsdbNotification>();
  readonly notifications$ = this.notifications.asObservable();
  readonly calls: Call[] = [];
  private waiters: (() => void)[] = [];

  private call<T>(method: string, id: MonitorId, ...args: unknown[]): Promise<T> {
    return new Promise<T>((reply, fail) => {
      this.calls.push({ method, id, args, reply: reply as (v: unknown) => void, fail });
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async next(method: string): Promise<Call> {
    for (;;) {
      const i = this.calls.findIndex((c) => c.method === method);
      if (i >= 0) return this.calls.splice(i, 1)[0]!;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  monitor = (_db: string, id: MonitorId, req: unknown) => this.call<never>("monitor", id, req);
  monitorCond = (_db: string, id: MonitorId, req: unknown) => this.call<never>("monitor_cond", id, req);
  monitorCondSince = (_db: string, id: MonitorId, req: unknown, txn?: string) => this.call<never>("monitor_cond_since", id, req, txn);
  monitorCondChange = (id: MonitorId, newId: MonitorId, req: unknown) => this.call<void>("monitor_cond_change", id, newId, req);
  monitorCancel = (id: MonitorId) => this.call<void>("monitor_cancel", id);
  update3(id: MonitorId, updates: TableUpdates2, lastTxnId = TXN): void {
    this.notifications.next({ method: "update3", monitorId: id, lastTxnId, updates });
  }
}

function setup(method: "monitor_cond" | "monitor_cond_since" = "monitor_cond_since") {
  const client = new ScriptedClient();
  const monitor = new Monitor(client, schema, { tables: { Item: { columns: ["name", "count"] } }, method });
  const events: RowEvent[] = [];
  const statuses: MonitorStatus["state"][] = [];
  monitor.changes$.subscribe((e) => events.push(e as RowEvent));
  monitor.status$.subscribe((s) => statuses.push(s.state));
  return { client, monitor, events, statuses };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe("monitor/Monitor (scripted client)", () => {
  it("buffers updates that arrive before the initial dump is applied, then applies them in order", async () => {
    const { client, monitor, events } = setup();
    const started = monitor.start();
    const call = await client.next("monitor_cond_since");
    expect(call.args[1]).to.equal("00000000-0000-0000-0000-000000000000");
    // the server sent the reply, then two updates; the updates reach us before the reply is processed
    call.reply({ found: false, lastTxnId: TXN, updates: { Item: { [U1]: { initial: { name: "a" } } } } });
    client.update3(call.id, { Item: { [U1]: { modify: { count: 1 } } } });
    client.update3(call.id, { Item: { [U2]: { insert: { name: "b" } } } }, "99999999-2222-3333-4444-555555555555");
    await started;
    expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([
      ["initial", U1],
      ["modify", U1],
      ["insert", U2],
    ]);
    expect(monitor.table("Item").get(U1)!.count).to.equal(1);
    expect(monitor.lastTxnId).to.equal("99999999-2222-3333-4444-555555555555");
    expect(monitor.resyncCount).to.equal(0);
  });

  it("ignores notifications of other monitors", async () => {
    const { client, monitor, events } = setup();
    const started = monitor.start();
    const call = await client.next("monitor_cond_since");
    call.reply({ found: false, lastTxnId: TXN, updates: {} });
    await started;
    client.update3("someone-else", { Item: { [U1]: { insert: { name: "x" } } } });
    client.notifications.next({ method: "update2", monitorId: call.id, updates: { Item: { [U1]: { insert: { name: "mine" } } } } });
    expect(events.map((e) => e.new?.name)).to.deep.equal(["mine"]);
  });

  it("resyncs on an inconsistent update: new monitor id, cancel of the old one, full dump, exact deltas", async () => {
    const { client, monitor, events, statuses } = setup();
    const started = monitor.start();
    const first = await client.next("monitor_cond_since");
    first.reply({ found: false, lastTxnId: TXN, updates: { Item: { [U1]: { initial: { name: "a" } }, [U2]: { initial: { name: "b" } } } } });
    await started;
    events.length = 0;
    client.update3(first.id, { Item: { [U3]: { modify: { name: "unknown row" } } } });
    expect(statuses.at(-1)).to.equal("resyncing");
    // updates of the old monitor after the inconsistency are not applied
    client.update3(first.id, { Item: { [U1]: { delete: null } } });
    (await client.next("monitor_cancel")).reply(undefined);
    const second = await client.next("monitor_cond_since");
    expect(second.id).to.not.equal(first.id);
    expect(second.args[1]).to.equal("00000000-0000-0000-0000-000000000000", "a full dump is requested");
    second.reply({
      found: false,
      lastTxnId: TXN,
      updates: { Item: { [U1]: { initial: { name: "a" } }, [U3]: { initial: { name: "unknown row" } } } },
    });
    await flush();
    expect(statuses.at(-1)).to.equal("live");
    expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([
      ["delete", U2],
      ["insert", U3],
    ]);
    expect(monitor.resyncCount).to.equal(1);
    client.update3(second.id, { Item: { [U1]: { modify: { count: 7 } } } });
    expect(monitor.table("Item").get(U1)!.count).to.equal(7);
  });

  it("gives up (failed, UPDATE_INCONSISTENT) after maxConsecutiveResyncs", async () => {
    const client = new ScriptedClient();
    const monitor = new Monitor(client, schema, { tables: { Item: true }, maxConsecutiveResyncs: 1 });
    const started = monitor.start();
    let call = await client.next("monitor_cond_since");
    call.reply({ found: false, lastTxnId: TXN, updates: {} });
    await started;
    client.update3(call.id, { Item: { [U1]: { delete: null } } });
    (await client.next("monitor_cancel")).reply(undefined);
    call = await client.next("monitor_cond_since");
    call.reply({ found: false, lastTxnId: TXN, updates: {} });
    await flush();
    client.update3(call.id, { Item: { [U1]: { delete: null } } });
    const s = monitor.status;
    expect(s.state).to.equal("failed");
    expect(s.state === "failed" && s.error.code).to.equal("UPDATE_INCONSISTENT");
  });

  it("resyncs when the server cancels the monitor (monitor_canceled)", async () => {
    const { client, monitor } = setup("monitor_cond");
    const started = monitor.start();
    const call = await client.next("monitor_cond");
    call.reply({ Item: { [U1]: { initial: { name: "a" } } } });
    await started;
    client.notifications.next({ method: "monitor_canceled", monitorId: call.id });
    const again = await client.next("monitor_cond");
    again.reply({ Item: { [U1]: { initial: { name: "a" } } } });
    await flush();
    expect(monitor.status.state).to.equal("live");
    expect(monitor.table("Item").size).to.equal(1);
  });

  it("fails when the monitor request is refused, and when the client's notifications end", async () => {
    const { client, monitor } = setup();
    const started = monitor.start();
    (await client.next("monitor_cond_since")).fail(new OvsdbError("RPC_ERROR", "unknown database"));
    try {
      await started;
      expect.fail("start resolved");
    } catch (e) {
      expect((e as OvsdbError).code).to.equal("RPC_ERROR");
    }
    expect(monitor.status.state).to.equal("failed");

    const other = setup();
    const ok = other.monitor.start();
    (await other.client.next("monitor_cond_since")).reply({ found: false, lastTxnId: TXN, updates: {} });
    await ok;
    other.client.notifications.complete();
    const s = other.monitor.status;
    expect(s.state === "failed" && s.error.code).to.equal("CONNECTION_CLOSED");
  });

  it("monitor_cond_change on the live monitor id; conditions set before start go into the monitor request", async () => {
    const { client, monitor } = setup("monitor_cond");
    await monitor.setConditions({ Item: [["count", ">", 1]] });
    expect(client.calls).to.deep.equal([]);
    const started = monitor.start();
    const call = await client.next("monitor_cond");
    expect(call.args[0]).to.deep.equal({ Item: { columns: ["name", "count"], where: [["count", ">", 1]] } });
    call.reply({});
    await started;
    const changed = monitor.setConditions({ Item: [true] });
    const change = await client.next("monitor_cond_change");
    expect([change.id, ...change.args]).to.deep.equal([call.id, call.id, { Item: [{ where: [true] }] }]);
    change.reply(undefined);
    await changed;
    expect(monitor.requests().get("Item")!.where).to.deep.equal([true]);
    try {
      await monitor.start();
      expect.fail("started twice");
    } catch (e) {
      expect((e as OvsdbError).code).to.equal("VALIDATION_ERROR");
    }
  });

  it("rejects conditions with the monitor method and monitor_cond_change on it", async () => {
    const client = new ScriptedClient();
    expect(() => new Monitor(client, schema, { tables: { Item: { where: [true] } }, method: "monitor" })).to.throw(OvsdbError);
    const m = new Monitor(client, schema, { tables: { Item: true }, method: "monitor" });
    const started = m.start();
    (await client.next("monitor")).reply({});
    await started;
    try {
      await m.setConditions({ Item: [true] });
      expect.fail("no error");
    } catch (e) {
      expect((e as OvsdbError).code).to.equal("VALIDATION_ERROR");
    }
  });
});

describe("monitor/Monitor initial load (insert-only path)", () => {
  const DUMP = {
    Item: { [U1]: { initial: { name: "a", count: 1 } }, [U2]: { initial: { name: "b" } }, [U3]: { initial: { name: "c", count: 3 } } },
  };

  async function load(subscribe: (m: Monitor) => void, method: "monitor_cond_since" | "monitor" = "monitor_cond_since"): Promise<Monitor> {
    const client = new ScriptedClient();
    const monitor = new Monitor(client, schema, { tables: { Item: { columns: ["name", "count"] } }, method });
    subscribe(monitor);
    const started = monitor.start();
    if (method === "monitor") {
      const updates: Record<string, unknown> = {};
      for (const [u, r] of Object.entries(DUMP.Item)) updates[u] = { new: r.initial };
      (await client.next("monitor")).reply({ Item: updates });
    } else {
      const call = await client.next("monitor_cond_since");
      call.reply({ found: false, lastTxnId: TXN, updates: DUMP });
      client.update3(call.id, { Item: { [U2]: { modify: { count: 2 } } } }, "99999999-2222-3333-4444-555555555555");
    }
    return started;
  }

  for (const method of ["monitor_cond_since", "monitor"] as const) {
    it(`${method}: subscribers before start get every initial event and batch; the same rows without subscribers`, async () => {
      const events: RowEvent[] = [];
      const ofItem: RowEvent[] = [];
      const batches: [string, number, string | undefined][] = [];
      const watched = await load((m) => {
        m.changes$.subscribe((e) => events.push(e as RowEvent));
        m.changesOf("Item").subscribe((e) => ofItem.push(e as RowEvent));
        m.batches$.subscribe((b) => batches.push([b.kind, b.events.length, b.lastTxnId]));
      }, method);
      const bare = await load(() => undefined, method);
      const buffered = method === "monitor" ? [] : [["modify", U2]];
      expect(events.map((e) => [e.kind, e.uuid])).to.deep.equal([["initial", U1], ["initial", U2], ["initial", U3], ...buffered]);
      expect(ofItem).to.deep.equal(events);
      expect(events[0]!.new).to.deep.equal({ _uuid: U1, name: "a", count: 1 });
      expect(batches).to.deep.equal(
        method === "monitor"
          ? [["initial", 3, undefined]]
          : [
              ["initial", 3, TXN],
              ["update", 1, "99999999-2222-3333-4444-555555555555"],
            ],
      );
      for (const m of [watched, bare]) {
        expect(m.status.state).to.equal("live");
        expect([...m.table("Item").values()]).to.deep.equal([...watched.table("Item").values()]);
        expect(m.table("Item").index("name").one("c")!.count).to.equal(3);
        expect(m.table("Item").get(U2)!.count).to.equal(method === "monitor" ? 0 : 2);
        expect(m.lastTxnId).to.equal(watched.lastTxnId);
      }
    });
  }

  it("monitorRows emits the initial rows as initial events", async () => {
    const client = new ScriptedClient();
    const seen: [string, string][] = [];
    const sub = monitorRows(client, schema, { tables: { Item: { columns: ["name"] } } }).subscribe((e) => seen.push([e.kind, e.uuid]));
    (await client.next("monitor_cond_since")).reply({ found: false, lastTxnId: TXN, updates: DUMP });
    await flush();
    expect(seen).to.deep.equal([
      ["initial", U1],
      ["initial", U2],
      ["initial", U3],
    ]);
    sub.unsubscribe();
  });
});

describe("monitor/eventQueue", () => {
  it("buffers without bound, warns at the high-water mark, never drops, ends with the source", async () => {
    const source = new Subject<number>();
    const warnings: number[] = [];
    const q = eventQueue(source, { highWaterMark: 100, onHighWaterMark: (n) => warnings.push(n) });
    for (let i = 0; i < 250; i++) source.next(i);
    expect(q.size).to.equal(250);
    expect(warnings).to.deep.equal([100]);
    const got: number[] = [];
    for (let i = 0; i < 201; i++) got.push((await q.next()).value as number);
    for (let i = 250; i < 400; i++) source.next(i); // 49 + 150 = 199 buffered
    expect(warnings).to.deep.equal([100, 100], "warned again after draining below half");
    source.complete();
    for await (const v of q) got.push(v);
    expect(got).to.deep.equal([...Array(400).keys()]);
    expect(q.maxSize).to.equal(250);
  });

  it("delivers a waiting consumer, then the source's error", async () => {
    const source = new Subject<string>();
    const q = eventQueue(source);
    const pending = q.next();
    source.next("a");
    expect((await pending).value).to.equal("a");
    source.error(new OvsdbError("CONNECTION_CLOSED", "gone"));
    try {
      await q.next();
      expect.fail("no error");
    } catch (e) {
      expect((e as OvsdbError).code).to.equal("CONNECTION_CLOSED");
    }
  });
});
