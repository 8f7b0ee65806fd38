/**
 * The generated models against a real ovsdb-server (test schema): every operation, condition and mutation the
 * model builds is accepted by the server, means what the helper says, and the rows the server returns decode
 * to the typed rows that were written (int64 extremes included). Transactions go through the reference client
 * `ovsdb-client transact`, so this checks the models independently of this package's own wire client.
 */
import { expect } from "chai";
import { startOvsdbServer, run } from "@ovnkit/sandbox";
import type { OvsdbServer } from "@ovnkit/sandbox";
import { namedUuid } from "../../src/protocol/notation.js";
import type { Condition, Operation } from "../../src/protocol/operations.js";
import { parseJson, stringifyJson } from "../../src/rpc/json.js";
import { Item, Root, Thing } from "../fixtures/codegen/test-schema/index.js";
import type { InsertItem } from "../fixtures/codegen/test-schema/index.js";

interface Result {
  uuid?: [string, string];
  rows?: Record<string, unknown>[];
  count?: number;
  error?: string;
  details?: string;
}

describe("codegen models against a real ovsdb-server", () => {
  let server: OvsdbServer;
  const transact = async (...ops: Operation[]): Promise<Result[]> => {
    const { stdout } = await run("ovsdb-client", ["transact", server.unixRemote, stringifyJson(["OvnkitTest", ...ops])]);
    const results = parseJson(stdout.trim()) as unknown as Result[];
    const failed = results.find((r) => r !== null && typeof r.error === "string");
    if (failed !== undefined) throw new Error(`transact failed: ${failed.error}: ${failed.details ?? ""}`);
    return results;
  };
  const names = async (where: Condition[]): Promise<string[]> => {
    const [r] = await transact(Item.op.select(where, ["name"]));
    return (r!.rows ?? []).map((row) => Item.decodePartial(row).name!).sort();
  };

  const full: InsertItem = {
    name: "full",
    count: 9223372036854775807n,
    big: -9223372036854775808n,
    ratio: 0.25,
    enabled: true,
    color: "green",
    tag: 4095,
    score: -1.5,
    code: "abcd",
    tags: ["a", "b"],
    numbers: [1, 2, 3],
    external_ids: new Map([["owner", "ovnkit"], ["k", "v"]]),
    int_map: new Map([[0, "zero"], [65535, "max"]]),
    frozen: "ice",
    scratch: "tmp",
  };

  before(async () => {
    server = await startOvsdbServer({ schema: "test", tcp: false });
    const thing = namedUuid("thing");
    const [, , itemResult] = await transact(
      Thing.op.insert({ label: "t", options: new Map([["x", "1"]]) }, { uuidName: thing }),
      Root.op.insert({ name: "root", things: [thing] }),
      Item.op.insert({ ...full, thing }),
      Item.op.insert({ name: "empty" }),
      Item.op.insert({ name: "small", count: 1, tag: 7, tags: ["b"], color: "red", ratio: -2 }),
    );
    expect(itemResult!.uuid![0]).to.equal("uuid");
  });
  after(async () => {
    await server?.stop({ removeDir: true });
  });

  it("round-trips every column kind: what was inserted decodes back, int64 extremes exact", async () => {
    const [r] = await transact(Item.op.select([Item.where.name.eq("full")]));
    expect(r!.rows).to.have.length(1);
    const row = Item.decode(r!.rows![0]);
    const [thing] = await transact(Thing.op.select([Thing.where.label.eq("t")], ["_uuid"]));
    const thingUuid = Thing.decodePartial(thing!.rows![0])._uuid;
    expect(row).to.deep.include({ ...full, thing: thingUuid, ref_uuid: null });
    expect(row._uuid).to.match(/^[0-9a-f-]{36}$/);
    expect(row._version).to.match(/^[0-9a-f-]{36}$/);
    const [root] = await transact(Root.op.select([]));
    expect(Root.decode(root!.rows![0]).things).to.deep.equal([thingUuid]);
  });

  it("conditions are accepted and select what their helper names", async () => {
    expect(await names([Item.where.tag.eq(null)])).to.deep.equal(["empty"]);
    expect(await names([Item.where.tag.ne(null)])).to.deep.equal(["full", "small"]);
    expect(await names([Item.where.tag.lt(100)])).to.deep.equal(["small"]);
    expect(await names([Item.where.tag.ge(7)])).to.deep.equal(["full", "small"]);
    expect(await names([Item.where.count.gt(1)])).to.deep.equal(["full"]);
    expect(await names([Item.where.count.le(9223372036854775807n)])).to.deep.equal(["empty", "full", "small"]);
    expect(await names([Item.where.ratio.lt(0)])).to.deep.equal(["small"]);
    expect(await names([Item.where.score.ge(-1.5)])).to.deep.equal(["full"]);
    expect(await names([Item.where.tags.includes("b")])).to.deep.equal(["full", "small"]);
    expect(await names([Item.where.tags.includes(["a", "b"])])).to.deep.equal(["full"]);
    expect(await names([Item.where.tags.excludes("a")])).to.deep.equal(["empty", "small"]);
    expect(await names([Item.where.tags.eq([])])).to.deep.equal(["empty"]);
    expect(await names([Item.where.external_ids.includes(new Map([["owner", "ovnkit"]]))])).to.deep.equal(["full"]);
    expect(await names([Item.where.external_ids.excludes(new Map([["owner", "other"]]))])).to.deep.equal(["empty", "full", "small"]);
    expect(await names([Item.where.color.eq("red")])).to.deep.equal(["small"]);
    expect(await names([Item.where.color.includes("green")])).to.deep.equal(["full"]);
    expect(await names([Item.where.thing.ne(null), Item.where.enabled.eq(true)])).to.deep.equal(["full"]);
    expect(await names([Item.where.int_map.includes(new Map([[65535, "max"]]))])).to.deep.equal(["full"]);
  });

  it("mutations are accepted and do what their helper names", async () => {
    const small = [Item.where.name.eq("small")];
    const empty = [Item.where.name.eq("empty")];
    const [m1, m2] = await transact(
      Item.op.mutate(small, [
        Item.mutate.count.add(41),
        Item.mutate.tag.subtract(2),
        Item.mutate.ratio.multiply(1.5),
        Item.mutate.tags.insert(["c", "d"]),
        Item.mutate.tags.delete("b"),
        Item.mutate.numbers.insert([10, 20]),
        Item.mutate.external_ids.insert(new Map([["a", "1"], ["b", "2"]])),
      ]),
      Item.op.mutate(empty, [Item.mutate.tag.insert(9), Item.mutate.int_map.insert(new Map([[1, "one"], [2, "two"]]))]),
    );
    expect([m1!.count, m2!.count]).to.deep.equal([1, 1]);
    await transact(
      Item.op.mutate(small, [Item.mutate.numbers.modulo(7), Item.mutate.external_ids.delete(["a"])]),
      Item.op.mutate(empty, [Item.mutate.int_map.delete(new Map([[1, "one"], [2, "not-two"]]))]),
    );
    const [s, e] = await transact(Item.op.select(small), Item.op.select(empty));
    const sRow = Item.decode(s!.rows![0]);
    expect(sRow).to.deep.include({ count: 42, tag: 5, ratio: -3, tags: ["c", "d"], numbers: [3, 6] });
    expect(sRow.external_ids).to.deep.equal(new Map([["b", "2"]]));
    const eRow = Item.decode(e!.rows![0]);
    expect(eRow.tag).to.equal(9);
    expect(eRow.int_map).to.deep.equal(new Map([[2, "two"]]));
  });

  it("update writes typed values; wait and delete work with typed conditions", async () => {
    await transact(
      Item.op.update([Item.where.name.eq("empty")], { color: "blue", external_ids: new Map([["z", "26"]]), tag: null }),
    );
    const [w] = await transact(Item.op.wait([Item.where.name.eq("empty")], ["color", "tag"], "==", [{ color: "blue", tag: null }], 0));
    expect(w).to.deep.equal({});
    const [d] = await transact(Item.op.delete([Item.where.color.eq("blue"), Item.where.external_ids.includes(new Map([["z", "26"]]))]));
    expect(d!.count).to.equal(1);
    expect(await names([])).to.deep.equal(["full", "small"]);
  });
});
