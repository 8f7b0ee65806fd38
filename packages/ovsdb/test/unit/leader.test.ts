// Which server a session accepts, from its _Server.Database row (pure rules; the same against a real
// 3-member cluster in test/integration/{leader,cluster}.test.ts).
import { expect } from "chai";
import { checkServerDatabase, serverDatabaseFromRow, SERVER_SCHEMA, type ServerDatabase } from "../../src/client/leader.js";
import { decodeRow } from "../../src/protocol/datum.js";

const base: ServerDatabase = { name: "OVN_Northbound", model: "clustered", connected: true, leader: true, index: 10n, cid: "c1", sid: "s1" };
const opts = { database: "OVN_Northbound", leaderOnly: true, minIndex: 0n };

describe("leader: checkServerDatabase", () => {
  it("accepts a connected leader, and any standalone server", () => {
    expect(checkServerDatabase(base, opts)).to.equal(undefined);
    expect(checkServerDatabase({ ...base, model: "standalone", connected: true, leader: true, index: undefined }, opts)).to.equal(undefined);
  });

  it("DATABASE_UNAVAILABLE when the server does not serve the database", () => {
    expect(checkServerDatabase(undefined, opts)?.code).to.equal("DATABASE_UNAVAILABLE");
  });

  it("LEADER_UNAVAILABLE for a follower in leader-only mode, accepted otherwise", () => {
    const follower = { ...base, leader: false };
    expect(checkServerDatabase(follower, opts)?.code).to.equal("LEADER_UNAVAILABLE");
    expect(checkServerDatabase(follower, { ...opts, leaderOnly: false })).to.equal(undefined);
  });

  it("LEADER_UNAVAILABLE for a member disconnected from the cluster, even when not leader-only", () => {
    const e = checkServerDatabase({ ...base, connected: false, leader: false }, { ...opts, leaderOnly: false });
    expect(e?.code).to.equal("LEADER_UNAVAILABLE");
    expect(e?.details.connected).to.equal(false);
  });

  it("STALE_SERVER when the index is below one already seen; equal is fine", () => {
    const e = checkServerDatabase({ ...base, index: 9n }, { ...opts, minIndex: 10n });
    expect(e?.code).to.equal("STALE_SERVER");
    expect(e?.details.minIndex).to.equal(10n);
    expect(checkServerDatabase(base, { ...opts, minIndex: 10n })).to.equal(undefined);
  });

  it("relays: never leader; usable when connected and not leader-only", () => {
    const relay: ServerDatabase = { ...base, model: "relay", leader: false, index: undefined };
    expect(checkServerDatabase(relay, opts)?.code).to.equal("LEADER_UNAVAILABLE");
    expect(checkServerDatabase(relay, { ...opts, leaderOnly: false })).to.equal(undefined);
    expect(checkServerDatabase({ ...relay, connected: false }, { ...opts, leaderOnly: false })?.code).to.equal("LEADER_UNAVAILABLE");
  });

  it("clusterId: a member of another cluster is refused", () => {
    expect(checkServerDatabase(base, { ...opts, clusterId: "c2" })?.code).to.equal("DATABASE_UNAVAILABLE");
    expect(checkServerDatabase(base, { ...opts, clusterId: "c1" })).to.equal(undefined);
  });
});

describe("leader: serverDatabaseFromRow", () => {
  it("reads a wire row of _Server.Database (as ovsdb-server 3.1 sends it)", () => {
    const table = SERVER_SCHEMA.tables.get("Database")!;
    const row = decodeRow(table, {
      name: "OVN_Northbound",
      model: "clustered",
      connected: true,
      leader: false,
      index: 42,
      cid: ["uuid", "91c4b726-e75b-49bc-9dc7-d423301d67d3"],
      sid: ["uuid", "472996d9-181c-4a63-97a4-f9ac2f01602e"],
    });
    expect(serverDatabaseFromRow(row)).to.deep.equal({
      name: "OVN_Northbound",
      model: "clustered",
      connected: true,
      leader: false,
      index: 42n,
      cid: "91c4b726-e75b-49bc-9dc7-d423301d67d3",
      sid: "472996d9-181c-4a63-97a4-f9ac2f01602e",
    });
    const standalone = decodeRow(table, { name: "x", model: "standalone", connected: true, leader: true, index: ["set", []], cid: ["set", []], sid: ["set", []] });
    expect(serverDatabaseFromRow(standalone)).to.include({ model: "standalone", index: undefined, cid: undefined, sid: undefined });
  });
});
