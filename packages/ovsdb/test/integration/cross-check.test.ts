/**
 * Cross-check with the real C client (ovsdb-client from Open vSwitch): what this client writes, ovsdb-client
 * reads, and the other way round, including int64 extremes, reals, UTF-8 text, sets, maps and references.
 */
import { expect } from "chai";
import { filter, firstValueFrom, timeout } from "rxjs";
import { run, type OvsdbServer } from "@ovnkit/sandbox";
import type { OvsdbClient } from "../../src/client/client.js";
import { parseJsonExact, stringifyJson, type JsonValue } from "../../src/rpc/json.js";
import { startServerWithClient, stopServerWithClient } from "../helpers/servers.js";

const DB = "OvnkitTest";
const NAME = "cross é漢😀 \"quoted\" \\ {[";

interface Dump {
  headings: string[];
  data: JsonValue[][];
}

/** `ovsdb-client --format=json dump` of one table, as {column: value} rows (int64 kept exact). */
async function dumpWithC(server: OvsdbServer, table: string): Promise<Record<string, JsonValue>[]> {
  const { stdout } = await run("ovsdb-client", ["--format=json", "dump", server.unixRemote, DB, table]);
  const dump = parseJsonExact(stdout) as unknown as Dump;
  return dump.data.map((row) => Object.fromEntries(dump.headings.map((h, i) => [h, row[i]!])));
}

describe("cross-check with ovsdb-client (the C client)", () => {
  let server: OvsdbServer;
  let client: OvsdbClient;

  before(async () => {
    ({ server, client } = await startServerWithClient("test", DB));
  });
  after(async () => {
    await stopServerWithClient({ client, server });
  });

  it("what this client inserts, `ovsdb-client dump` shows", async () => {
    const r = await client.transact(DB, [
      { op: "insert", table: "Thing", row: { label: "t" }, "uuid-name": "t" },
      {
        op: "insert",
        table: "Item",
        row: {
          name: NAME,
          big: 2n ** 63n - 1n,
          count: -(2n ** 63n),
          ratio: 0.1,
          color: "blue",
          tags: ["set", ["b", "a"]],
          external_ids: ["map", [["k8s.ovn.org/owner", "vm-1"], ["é", "漢"]]],
          int_map: ["map", [[4095, "x"]]],
          thing: ["named-uuid", "t"],
        },
      },
    ]);
    const thing = (r[0]!.uuid as [string, string])[1];
    const item = (r[1]!.uuid as [string, string])[1];
    const rows = await dumpWithC(server, "Item");
    const row = rows.find((x) => x.name === NAME);
    expect(row, JSON.stringify(rows.map((x) => x.name))).to.not.equal(undefined);
    expect(row).to.deep.include({
      _uuid: ["uuid", item],
      big: 2n ** 63n - 1n,
      count: -(2n ** 63n),
      ratio: 0.1,
      color: "blue",
      tags: ["set", ["a", "b"]],
      external_ids: ["map", [["k8s.ovn.org/owner", "vm-1"], ["é", "漢"]]],
      int_map: ["map", [[4095, "x"]]],
      thing: ["uuid", thing],
    });
  });

  it("what `ovsdb-client transact` inserts, this client selects (same uuid, exact values) and sees in its monitor", async () => {
    const seen = firstValueFrom(
      client.notifications$.pipe(
        filter((n) => n.method === "update2" && stringifyJson(n.updates).includes("from-c")),
        timeout(5000),
      ),
    );
    seen.catch(() => undefined); // awaited below
    await client.monitorCond(DB, "cross", { Item: [{ columns: ["name", "big"] }] });
    const txn = stringifyJson([
      DB,
      {
        op: "insert",
        table: "Item",
        row: { name: "from-c ü", big: -(2n ** 63n), count: 2n ** 53n + 1n, ratio: 1e308, tags: ["set", ["x"]], external_ids: ["map", [["a", "b"]]] },
      },
    ]);
    const { stdout } = await run("ovsdb-client", ["transact", server.unixRemote, txn]);
    const [inserted] = parseJsonExact(stdout) as [{ uuid: [string, string] }];
    const uuid = inserted.uuid[1];
    const [sel] = await client.transact(DB, [
      { op: "select", table: "Item", where: [["_uuid", "==", ["uuid", uuid]]], columns: ["_uuid", "name", "big", "count", "ratio", "tags", "external_ids"] },
    ]);
    expect(sel!.rows).to.deep.equal([
      { _uuid: ["uuid", uuid], name: "from-c ü", big: -(2n ** 63n), count: 2n ** 53n + 1n, ratio: 1e308, tags: "x", external_ids: ["map", [["a", "b"]]] },
    ]);
    const n = await seen;
    expect(n).to.deep.equal({ method: "update2", monitorId: "cross", updates: { Item: { [uuid]: { insert: { name: "from-c ü", big: -(2n ** 63n) } } } } });
  });

  it("list_dbs and get_schema agree with ovsdb-client list-dbs / get-schema", async () => {
    const dbs = (await run("ovsdb-client", ["list-dbs", server.unixRemote])).stdout.trim().split("\n");
    expect((await client.listDbs()).sort()).to.deep.equal(dbs.sort());
    const cSchema = parseJsonExact((await run("ovsdb-client", ["get-schema", server.unixRemote, DB])).stdout);
    expect((await client.getSchema(DB)).raw).to.deep.equal(cSchema);
  });
});
