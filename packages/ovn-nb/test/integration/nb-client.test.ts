/**
 * NbClient against real NB ovsdb-servers: the schema version check at connect (the server runs the vendored
 * schema, a newer minor with an extra table and column, an older one lacking some, another major), what is
 * monitored then, warnings and their stable codes, the replica (read-your-writes, barrier), and a client
 * that replicates only the tables it needs.
 */
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOvsdbError } from "@ovnkit/ovsdb";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { NbClient, isOvnNbError, nb, type SchemaWarning } from "@ovnkit/ovn-nb";
import { rejection, startNb, type NbFixture } from "./support.js";

type SchemaJson = { version: string; tables: Record<string, { columns: Record<string, unknown> }> };

describe("ovn-nb NbClient: schema version check and replica (real NB ovsdb-server)", () => {
  let dir: string;
  const servers: OvsdbServer[] = [];

  /** An ovsdb-server running the vendored NB schema edited by `edit`. */
  async function serverWith(version: string, edit: (s: SchemaJson) => void = () => {}): Promise<OvsdbServer> {
    const json = structuredClone(nb.schemaJson) as unknown as SchemaJson;
    json.version = version;
    edit(json);
    const path = join(dir, `nb-${version}-${servers.length}.ovsschema`);
    await writeFile(path, JSON.stringify(json));
    const s = await startOvsdbServer({ schema: path, tcp: false });
    servers.push(s);
    return s;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ovnkit-nb-schemas-"));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop({ removeDir: true })));
    await rm(dir, { recursive: true, force: true });
  });

  it("same version: no warning, every generated column monitored", async () => {
    const fx = await startNb({ onWarning: () => expect.fail("no warning expected") });
    try {
      expect(fx.nb.schemaCheck).to.deep.include({ relation: "equal", server: "7.0.0", generated: "7.0.0" });
      expect(fx.nb.schemaWarning).to.equal(undefined);
      expect(fx.nb.table("Logical_Switch_Port").columns).to.deep.equal(nb.LogicalSwitchPort.columns);
    } finally {
      await fx.stop();
    }
  });

  it("newer minor: warning SCHEMA_VERSION_NEWER; its extra table/column are not monitored; writes work", async () => {
    const server = await serverWith("7.1.0", (s) => {
      s.tables.Logical_Switch_Port!.columns.ovnkit_extra = { type: { key: "string", min: 0, max: 1 } };
      s.tables.Ovnkit_New = { columns: { name: { type: "string" } }, isRoot: true } as never;
    });
    const warnings: SchemaWarning[] = [];
    const client = await NbClient.connect(server.unixRemote, { onWarning: (w) => warnings.push(w) });
    try {
      expect(warnings.map((w) => w.code)).to.deep.equal(["SCHEMA_VERSION_NEWER"]);
      expect(warnings[0]!.check).to.deep.include({ server: "7.1.0", generated: "7.0.0", relation: "newer" });
      await client.switches.create({ name: "ls0" });
      const p = await client.switchPorts.create("ls0", { name: "vm1", options: { a: "1" } });
      expect(Object.keys(p)).to.not.include("ovnkit_extra");
      expect(client.table("Logical_Switch_Port").columns).to.not.include("ovnkit_extra");
    } finally {
      await client.close();
    }
  });

  it("the default warning goes to process 'warning' with its code", async () => {
    const server = await serverWith("7.2.0");
    const seen: { name: string; code?: string }[] = [];
    const listener = (w: Error & { code?: string }) => seen.push({ name: w.name, code: w.code });
    process.on("warning", listener);
    try {
      const client = await NbClient.connect(server.unixRemote);
      await client.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", listener);
    }
    expect(seen).to.deep.include({ name: "Warning", code: "SCHEMA_VERSION_NEWER" });
  });

  it("policy exact refuses a newer minor with SCHEMA_VERSION_MISMATCH", async () => {
    const server = await serverWith("7.0.1");
    const e = await rejection(NbClient.connect(server.unixRemote, { schemaVersionPolicy: "exact" }));
    expect(isOvnNbError(e, "SCHEMA_VERSION_MISMATCH")).to.equal(true);
    expect(e.details).to.deep.include({ server: "7.0.1", generated: "7.0.0", relation: "newer", policy: "exact" });
  });

  it("another major is SCHEMA_VERSION_MISMATCH by default", async () => {
    const server = await serverWith("8.0.0");
    const e = await rejection(NbClient.connect(server.unixRemote));
    expect(isOvnNbError(e, "SCHEMA_VERSION_MISMATCH")).to.equal(true);
    expect(e.details).to.deep.include({ relation: "newer", sameMajor: false });
  });

  it("older server accepted with policy any: SCHEMA_VERSION_OLDER; missing table/column not monitored; writing it is refused locally", async () => {
    const server = await serverWith("6.3.0", (s) => {
      delete s.tables.Static_MAC_Binding;
      delete s.tables.Logical_Switch_Port!.columns.mirror_rules;
    });
    const warnings: SchemaWarning[] = [];
    const client = await NbClient.connect(server.unixRemote, { schemaVersionPolicy: "any", onWarning: (w) => warnings.push(w) });
    try {
      expect(warnings.map((w) => w.code)).to.deep.equal(["SCHEMA_VERSION_OLDER"]);
      expect(warnings[0]!.check.missingColumns).to.deep.equal(["Logical_Switch_Port.mirror_rules"]);
      expect(warnings[0]!.check.missingTables).to.deep.equal(["Static_MAC_Binding"]);
      expect(client.table("Logical_Switch_Port").columns).to.not.include("mirror_rules");
      await client.switches.create({ name: "ls0" });
      await client.switchPorts.create("ls0", { name: "vm1" });
      const e = await rejection(client.switchPorts.create("ls0", { name: "vm2", mirror_rules: [] }));
      expect(isOvsdbError(e, "VALIDATION_ERROR")).to.equal(true);
      expect(client.switchPorts.get("vm2")).to.equal(undefined);
    } finally {
      await client.close();
    }
  });

  it("over a reconnecting OvsdbSession: the replica and writes survive an ovsdb-server restart", async () => {
    const fx = await startNb();
    const client = await NbClient.connectSession(fx.server.unixRemote, { backoff: { initialMs: 10, maxMs: 50 } });
    try {
      await client.switches.create({ name: "before" });
      await fx.server.restart();
      await fx.nbctl("ls-add", "while-away");
      const after = await client.switches.create({ name: "after" });
      expect(after.name).to.equal("after");
      await client.barrier();
      expect(client.switches.list().map((x) => x.name).sort()).to.deep.equal(["after", "before", "while-away"]);
      expect(client.monitor.status.state).to.equal("live");
    } finally {
      await client.close();
      await fx.stop();
    }
  });

  describe("replica", () => {
    let fx: NbFixture;
    before(async () => {
      fx = await startNb();
    });
    after(async () => {
      await fx?.stop();
    });

    it("read-your-writes: a resolved write is in the replica; barrier() brings in other clients' writes", async () => {
      const ls = await fx.nb.switches.create({ name: "ls0" });
      expect(fx.nb.switches.get("ls0")?._uuid).to.equal(ls._uuid);
      await fx.nbctl("ls-add", "by-nbctl");
      await fx.nb.barrier();
      expect(fx.nb.switches.get("by-nbctl")?.name).to.equal("by-nbctl");
    });

    it("a client replicating only Logical_Switch_Port can run migrations; other tables are VALIDATION_ERROR", async () => {
      await fx.nb.switchPorts.create("ls0", { name: "vm1", options: { "requested-chassis": "hv1" } });
      const small = await NbClient.connect(fx.server.unixRemote, { tables: ["Logical_Switch_Port"] });
      try {
        expect(() => small.switches.list()).to.throw().with.property("code", "VALIDATION_ERROR");
        expect(await small.migration.arm({ uid: "u1", source: "hv1", target: "hv2", ports: ["vm1"] })).to.deep.equal({ changed: true, written: ["vm1"] });
        await fx.nb.barrier();
        expect(fx.nb.migration.inspect("vm1")).to.deep.include({ phase: "armed" });
      } finally {
        await small.close();
      }
    });
  });
});
