/**
 * Every OVSDB method and every transact operation against a real ovsdb-server, over unix:, tcp: and ssl:.
 */
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { filter, firstValueFrom, timeout } from "rxjs";
import { run, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbClient } from "../../src/client/client.js";
import type { Condition } from "../../src/protocol/operations.js";
import { RpcError } from "../../src/protocol/rpc-error.js";
import { TransactionError } from "../../src/protocol/transaction-error.js";
import type { OvsdbNotification } from "../../src/rpc/methods.js";
import type { Pki } from "../helpers/pki.js";
import { startSslTestServer, stopSslTestServer } from "../helpers/servers.js";
import { rejection } from "../helpers/errors.js";

const DB = "OvnkitTest";
type Kind = "unix" | "tcp" | "ssl";

function record(client: OvsdbClient): OvsdbNotification[] {
  const seen: OvsdbNotification[] = [];
  client.notifications$.subscribe((n) => seen.push(n));
  return seen;
}

function next(client: OvsdbClient, method: OvsdbNotification["method"]): Promise<OvsdbNotification> {
  const p = firstValueFrom(client.notifications$.pipe(filter((n) => n.method === method), timeout(5000)));
  p.catch(() => undefined); // awaited by the caller; no unhandled rejection if the test fails first
  return p;
}

describe("methods: every OVSDB method and operation on a real ovsdb-server", function () {
  let pki: Pki;
  let server: OvsdbServer;

  before(async () => {
    ({ pki, server } = await startSslTestServer());
  });
  after(async () => {
    await stopSslTestServer({ pki, server });
  });

  const remoteOf = (kind: Kind): string => (kind === "unix" ? server.unixRemote : kind === "tcp" ? server.tcpRemote! : server.sslRemote!);
  const connect = (kind: Kind): Promise<OvsdbClient> => OvsdbClient.connect(remoteOf(kind), { ssl: pki.client, requestTimeoutMs: 10_000 });

  for (const kind of ["unix", "tcp", "ssl"] as const) {
    describe(`over ${kind}:`, () => {
      let client: OvsdbClient;
      const name = (s: string): string => `${kind}-${s}`;
      const selectItem = async (n: string, columns?: string[]) => {
        const [r] = await client.transact(DB, [{ op: "select", table: "Item", where: [["name", "==", name(n)]], ...(columns ? { columns } : {}) }]);
        return r!.rows!;
      };

      beforeEach(async () => {
        client = await connect(kind);
        await client.getSchema(DB); // transact then validates against it
      });
      afterEach(async () => {
        await client?.close();
      });

      it("connects and reports connected on status$", async () => {
        expect(client.status).to.deep.equal({ state: "connected", remote: remoteOf(kind) });
        expect(client.remotes[0]!.type).to.equal(kind);
      });

      it("list_dbs", async () => {
        expect((await client.listDbs()).sort()).to.deep.equal([DB, "_Server"]);
      });

      it("get_schema: parsed schema + raw JSON; unknown database is RpcError", async () => {
        const { schema, raw } = await client.getSchema(DB);
        expect(schema.name).to.equal(DB);
        expect(raw.version).to.equal("1.2.3");
        expect(raw.tables).to.have.keys("Root", "Item", "Thing", "Part");
        expect(client.schemaOf(DB)).to.equal(schema);
        const e = (await rejection(client.getSchema("NoSuchDb"))) as RpcError;
        expect([e.code, e.method, e.errorString]).to.deep.equal(["RPC_ERROR", "get_schema", "unknown database"]);
      });

      it("transact insert with uuid-name (referenced in the same transaction) + select", async () => {
        const r = await client.transact(DB, [
          { op: "insert", table: "Thing", row: { label: name("t1"), options: ["map", [["k", "v"]]] }, "uuid-name": "t1" },
          { op: "insert", table: "Item", row: { name: name("a"), count: 1, thing: ["named-uuid", "t1"], tags: ["set", ["x", "y"]] }, "uuid-name": "a" },
        ]);
        expect(r).to.have.length(2);
        const thingUuid = (r[0]!.uuid as [string, string])[1];
        const [row] = await selectItem("a", ["_uuid", "name", "thing", "tags", "count"]);
        expect(row).to.deep.equal({ _uuid: r[1]!.uuid, name: name("a"), thing: ["uuid", thingUuid], tags: ["set", ["x", "y"]], count: 1 });
      });

      it('transact insert with an explicit "uuid"', async () => {
        const u = randomUUID();
        const [r] = await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("u") }, uuid: u }]);
        expect(r!.uuid).to.deep.equal(["uuid", u]);
        const [s] = await client.transact(DB, [{ op: "select", table: "Item", where: [["_uuid", "==", ["uuid", u]]], columns: ["name"] }]);
        expect(s!.rows).to.deep.equal([{ name: name("u") }]);
      });

      it("int64 extremes and reals survive exactly (-2^63, 2^63-1, 2^53+1, 1e308, 0.1)", async () => {
        await client.transact(DB, [
          { op: "insert", table: "Item", row: { name: name("min"), big: -(2n ** 63n), count: 2n ** 53n + 1n, ratio: 1e308 } },
          { op: "insert", table: "Item", row: { name: name("max"), big: 2n ** 63n - 1n, count: -(2n ** 53n) - 1n, ratio: 0.1 } },
        ]);
        expect(await selectItem("min", ["big", "count", "ratio"])).to.deep.equal([{ big: -(2n ** 63n), count: 2n ** 53n + 1n, ratio: 1e308 }]);
        expect(await selectItem("max", ["big", "count", "ratio"])).to.deep.equal([{ big: 2n ** 63n - 1n, count: -(2n ** 53n) - 1n, ratio: 0.1 }]);
      });

      it("transact update, mutate, delete (with counts)", async () => {
        await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("m"), count: 10, external_ids: ["map", [["a", "1"]]] } }]);
        const where: Condition[] = [["name", "==", name("m")]];
        const r = await client.transact(DB, [
          { op: "update", table: "Item", where, row: { color: "green", enabled: true } },
          { op: "mutate", table: "Item", where, mutations: [["count", "+=", 5], ["tags", "insert", ["set", ["p", "q"]]], ["external_ids", "insert", ["map", [["b", "2"]]]]] },
        ]);
        expect(r).to.deep.equal([{ count: 1 }, { count: 1 }]);
        expect(await selectItem("m", ["count", "color", "enabled", "tags", "external_ids"])).to.deep.equal([
          { count: 15, color: "green", enabled: true, tags: ["set", ["p", "q"]], external_ids: ["map", [["a", "1"], ["b", "2"]]] },
        ]);
        const [d] = await client.transact(DB, [{ op: "delete", table: "Item", where }]);
        expect(d).to.deep.equal({ count: 1 });
        expect(await selectItem("m")).to.deep.equal([]);
      });

      it("transact wait: satisfied, and timed out (TransactionError 'timed out')", async () => {
        await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("w"), count: 3 } }]);
        const where: Condition[] = [["name", "==", name("w")]];
        const ok = await client.transact(DB, [{ op: "wait", table: "Item", where, columns: ["count"], until: "==", rows: [{ count: 3 }], timeout: 0 }]);
        expect(ok).to.deep.equal([{}]);
        const e = await rejection(client.transact(DB, [{ op: "wait", table: "Item", where, columns: ["count"], until: "==", rows: [{ count: 4 }], timeout: 0 }]));
        expect(e).to.be.instanceOf(TransactionError);
        expect((e as TransactionError).kind).to.equal("timed out");
        expect((e as TransactionError).index).to.equal(0);
      });

      it("transact commit (durable false and true), comment", async () => {
        const r = await client.transact(DB, [
          { op: "comment", comment: `ovnkit ${kind} test` },
          { op: "insert", table: "Item", row: { name: name("c") } },
          { op: "commit", durable: false },
        ]);
        expect(r[0]).to.deep.equal({});
        expect(r[2]).to.deep.equal({});
        expect(await client.transact(DB, [{ op: "commit", durable: true }])).to.deep.equal([{}]);
        expect(await selectItem("c", ["name"])).to.deep.equal([{ name: name("c") }]);
      });

      it("transact abort: TransactionError 'aborted', nothing applied", async () => {
        const e = await rejection(client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("ab") } }, { op: "abort" }]));
        expect((e as TransactionError).kind).to.equal("aborted");
        expect((e as TransactionError).index).to.equal(1);
        expect(await selectItem("ab")).to.deep.equal([]);
      });

      it("transact assert with a lock: ok for the owner, 'not owner' for another session", async () => {
        const lock = `${kind}_assert_lock`;
        expect(await client.lock(lock)).to.equal(true);
        const r = await client.transact(DB, [{ op: "assert", lock }, { op: "insert", table: "Item", row: { name: name("as") } }]);
        expect(r[0]).to.deep.equal({});
        const other = await connect(kind);
        try {
          const e = await rejection(other.transact(DB, [{ op: "assert", lock }, { op: "insert", table: "Item", row: { name: name("as2") } }]));
          expect((e as TransactionError).kind).to.equal("not owner");
        } finally {
          await other.close();
        }
        await client.unlock(lock);
      });

      it("transact: a constraint violation at commit is a TransactionError with scope 'commit'", async () => {
        await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("dup") } }]);
        const e = (await rejection(client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("dup") } }]))) as TransactionError;
        expect([e.code, e.kind, e.scope]).to.deep.equal(["TRANSACTION_ERROR", "constraint violation", "commit"]);
      });

      it("transact: operations are validated against the schema before sending (VALIDATION_ERROR)", async () => {
        const e = await rejection(client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("v"), no_such_column: 1 } }]));
        expect(e.code).to.equal("VALIDATION_ERROR");
        // with validation off, the server itself refuses it
        const e2 = await rejection(client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("v"), no_such_column: 1 } }], { validate: false }));
        expect((e2 as TransactionError).kind).to.equal("unknown column");
        expect(await selectItem("v")).to.deep.equal([]);
      });

      it("transact on an unknown database is RpcError", async () => {
        const e = (await rejection(client.transact("NoSuchDb", [{ op: "comment", comment: "x" }]))) as RpcError;
        expect([e.code, e.method, e.errorString]).to.deep.equal(["RPC_ERROR", "transact", "unknown database"]);
      });

      it("cancel: aborting a blocked transact (wait without timeout) rejects it with CANCELLED; the session goes on", async () => {
        const ac = new AbortController();
        const p = client.transact(DB, [{ op: "wait", table: "Item", where: [["name", "==", name("never")]], columns: ["name"], until: "!=", rows: [] }], { signal: ac.signal });
        setImmediate(() => ac.abort());
        expect((await rejection(p)).code).to.equal("CANCELLED");
        expect(await client.echo(["still", "alive"])).to.deep.equal(["still", "alive"]);
        expect((await rejection(client.transact(DB, [{ op: "comment", comment: "x" }], { signal: AbortSignal.abort() }))).code).to.equal("CANCELLED");
      });

      it("monitor: initial rows, then 'update' notifications (before the transact that caused them resolves)", async () => {
        await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("mon1"), count: 1 } }]);
        const seen = record(client);
        const initial = await client.monitor(DB, ["mon", kind], { Item: { columns: ["name", "count"] } });
        const rows = Object.values(initial.Item ?? {}).map((u) => u.new?.name);
        expect(rows).to.include(name("mon1"));
        const [ins] = await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("mon2"), count: 2 } }]);
        // read-your-writes: the update was dispatched before transact resolved
        const update = seen.find((n) => n.method === "update");
        expect(update).to.deep.equal({ method: "update", monitorId: ["mon", kind], updates: { Item: { [(ins!.uuid as string[])[1]!]: { new: { name: name("mon2"), count: 2 } } } } });
      });

      it("monitor_cond with a condition, monitor_cond_change, monitor_cancel", async () => {
        await client.transact(DB, [
          { op: "insert", table: "Item", row: { name: name("cond-red"), color: "red" } },
          { op: "insert", table: "Item", row: { name: name("cond-blue"), color: "blue" } },
        ]);
        const seen = record(client);
        const initial = await client.monitorCond(DB, "mc", { Item: [{ columns: ["name", "color"], where: [["name", "includes", name("cond-red")]] }] });
        expect(Object.values(initial.Item ?? {})).to.deep.equal([{ initial: { name: name("cond-red"), color: "red" } }]);
        await client.transact(DB, [{ op: "update", table: "Item", where: [["name", "==", name("cond-blue")]], row: { color: "green" } }]);
        expect(seen.filter((n) => n.method === "update2")).to.deep.equal([]); // not in the condition
        await client.transact(DB, [{ op: "update", table: "Item", where: [["name", "==", name("cond-red")]], row: { color: "green" } }]);
        const u = seen.filter((n) => n.method === "update2");
        expect(u).to.have.length(1);
        expect(Object.values((u[0] as { updates: Record<string, object> }).updates.Item!)).to.deep.equal([{ modify: { color: "green" } }]);
        // new condition: the blue row enters, the red one leaves
        await client.monitorCondChange("mc", "mc2", { Item: [{ where: [["name", "==", name("cond-blue")]] }] });
        await client.echo([]); // the resulting update2 comes before this reply
        const changed = seen.filter((n) => n.method === "update2").slice(1);
        const rowsChanged = changed.flatMap((n) => Object.values((n as { updates: Record<string, Record<string, object>> }).updates.Item ?? {}));
        expect(changed.every((n) => (n as { monitorId: unknown }).monitorId === "mc2")).to.equal(true);
        expect(rowsChanged).to.deep.include({ insert: { name: name("cond-blue"), color: "green" } });
        expect(rowsChanged).to.deep.include({ delete: null });
        await client.monitorCancel("mc2");
        const before = seen.length;
        await client.transact(DB, [{ op: "update", table: "Item", where: [["name", "==", name("cond-blue")]], row: { color: "red" } }]);
        expect(seen.length).to.equal(before);
        const e = (await rejection(client.monitorCancel("mc2"))) as RpcError;
        expect(e.errorString).to.equal("unknown monitor");
      });

      it("monitor_cond_since: found=false and a zero txn id on a standalone server, then 'update3'", async () => {
        const seen = record(client);
        const r = await client.monitorCondSince(DB, "mcs", { Item: [{ columns: ["name"], where: [["name", "==", name("since")]] }] });
        expect(r).to.deep.equal({ found: false, lastTxnId: "00000000-0000-0000-0000-000000000000", updates: {} });
        const [ins] = await client.transact(DB, [{ op: "insert", table: "Item", row: { name: name("since") } }]);
        const u3 = seen.filter((n) => n.method === "update3");
        expect(u3).to.have.length(1);
        expect(u3[0]).to.deep.include({ method: "update3", monitorId: "mcs" });
        expect((u3[0] as { lastTxnId: unknown }).lastTxnId).to.be.a("string");
        expect((u3[0] as { updates: unknown }).updates).to.deep.equal({ Item: { [(ins!.uuid as string[])[1]!]: { insert: { name: name("since") } } } });
      });

      it("lock, steal, unlock with 'locked' and 'stolen' notifications", async () => {
        const lock = `${kind}_L`;
        const other = await connect(kind);
        try {
          expect(await client.lock(lock)).to.equal(true);
          const locked = next(other, "locked");
          expect(await other.lock(lock)).to.equal(false); // queued
          await client.unlock(lock);
          expect(await locked).to.deep.equal({ method: "locked", lockName: lock });
          const stolen = next(other, "stolen");
          expect(await client.steal(lock)).to.equal(true);
          expect(await stolen).to.deep.equal({ method: "stolen", lockName: lock });
          await client.unlock(lock);
        } finally {
          await other.close();
        }
      });

      it("echo (client to server) returns the params", async () => {
        expect(await client.echo([])).to.deep.equal([]);
        expect(await client.echo(["a", 1, { b: [true, null] }, 2n ** 60n])).to.deep.equal(["a", 1, { b: [true, null] }, 2n ** 60n]);
      });

      it("get_server_id: one uuid per server, the same on every connection", async () => {
        const id = await client.getServerId();
        expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const other = await connect(kind === "unix" ? "tcp" : "unix");
        try {
          expect(await other.getServerId()).to.equal(id);
        } finally {
          await other.close();
        }
      });

      it("an unknown method is RpcError 'unknown method' (client.call)", async () => {
        const e = (await rejection(client.call("no_such_method", []))) as RpcError;
        expect([e.code, e.method, e.errorString]).to.deep.equal(["RPC_ERROR", "no_such_method", "unknown method"]);
      });
    });
  }

  describe("set_db_change_aware + monitor_canceled (database converted under the monitor)", () => {
    for (const kind of ["unix", "tcp", "ssl"] as const) {
      it(`over ${kind}:`, async () => {
        const own = await startOvsdbServer({ schema: "test", ssl: pki.server });
        try {
          const remote = kind === "unix" ? own.unixRemote : kind === "tcp" ? own.tcpRemote! : own.sslRemote!;
          const client = await OvsdbClient.connect(remote, { ssl: pki.client });
          try {
            await client.setDbChangeAware(true);
            await client.monitorCond(DB, "watch", { Item: [{ columns: ["name"] }] });
            const canceled = next(client, "monitor_canceled");
            const schema = JSON.parse(await readFile(own.schemaPath, "utf8")) as { version: string };
            schema.version = "1.2.4";
            const newSchema = join(own.dir, "converted.ovsschema");
            await writeFile(newSchema, JSON.stringify(schema));
            await run("ovsdb-client", ["convert", own.unixRemote, newSchema]);
            expect(await canceled).to.deep.equal({ method: "monitor_canceled", monitorId: "watch" });
            // a db_change_aware session stays up
            expect(client.status.state).to.equal("connected");
            expect((await client.getSchema(DB)).raw.version).to.equal("1.2.4");
          } finally {
            await client.close();
          }
        } finally {
          await own.stop({ removeDir: true });
        }
      });
    }
  });
});
