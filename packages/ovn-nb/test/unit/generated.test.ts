/**
 * The committed NB/SB models must be exactly what ovsdb-codegen produces from the vendored schemas: regenerate
 * into a temp dir and diff. If this fails after a generator or schema change, run
 * `pnpm --filter @ovnkit/ovn-nb regen` and commit the result.
 */
import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OvsdbError, isOvsdbError } from "@ovnkit/ovsdb";
import { readSchemaFile, runCodegenCli } from "@ovnkit/ovsdb/internal";
import { nb, sb } from "@ovnkit/ovn-nb";

const here = dirname(fileURLToPath(import.meta.url));
const PKG = resolve(here, "../..");

const SETS = [
  { name: "nb", schema: join(PKG, "schema/ovn-nb.ovsschema"), committed: join(PKG, "src/generated/nb") },
  { name: "sb", schema: join(PKG, "schema/ovn-sb.ovsschema"), committed: join(PKG, "src/generated/sb") },
];

async function tsFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith(".ts")).sort();
}

describe("ovn-nb: generated models are up to date", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "ovnkit-regen-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  for (const set of SETS) {
    it(`src/generated/${set.name} equals a fresh generation from schema/${set.name === "nb" ? "ovn-nb" : "ovn-sb"}.ovsschema`, async () => {
      const out = join(tmp, set.name);
      const log: string[] = [];
      const rc = await runCodegenCli([set.schema, "--out", out], { log: (l) => log.push(l), error: (l) => log.push(l) });
      expect(rc, log.join("\n")).to.equal(0);
      const fresh = await tsFiles(out);
      expect(await tsFiles(set.committed)).to.deep.equal(fresh);
      const differing: string[] = [];
      for (const f of fresh) {
        const [a, b] = await Promise.all([readFile(join(out, f), "utf8"), readFile(join(set.committed, f), "utf8")]);
        if (a !== b) differing.push(f);
      }
      expect(differing, "regenerate with `pnpm --filter @ovnkit/ovn-nb regen`").to.deep.equal([]);
    });
  }

  it("embeds the vendored schema versions noted in schema/VERSIONS.md", async () => {
    const versions = await readFile(join(PKG, "schema/VERSIONS.md"), "utf8");
    for (const set of SETS) {
      const json = (await readSchemaFile(set.schema)) as { name: string; version: string; cksum: string };
      expect(versions).to.contain(`| ${json.name}`);
      expect(versions).to.contain(json.version);
      expect(versions).to.contain(json.cksum);
    }
    expect(nb.SCHEMA_NAME).to.equal("OVN_Northbound");
    expect(nb.SCHEMA_VERSION).to.equal("7.0.0");
    expect(nb.database.version).to.equal("7.0.0");
    expect(sb.SCHEMA_NAME).to.equal("OVN_Southbound");
    expect(sb.SCHEMA_VERSION).to.equal("20.27.0");
    expect(Object.keys(nb.database.tables)).to.have.length(nb.schema.tables.size);
    expect(Object.keys(sb.database.tables)).to.have.length(sb.schema.tables.size);
  });
});

describe("ovn-nb: generated models at work", () => {
  it("types and validates NB Logical_Switch_Port values (migration options, enum, ranges)", () => {
    const lsp = nb.LogicalSwitchPort;
    expect(lsp.table).to.equal("Logical_Switch_Port");
    expect(lsp.mutate.options.insert(new Map([["requested-chassis", "hv1,hv2"], ["activation-strategy", "rarp"]]))).to.deep.equal([
      "options",
      "insert",
      ["map", [["requested-chassis", "hv1,hv2"], ["activation-strategy", "rarp"]]],
    ]);
    expect(lsp.mutate.options.delete(["activation-strategy"])).to.deep.equal(["options", "delete", ["set", ["activation-strategy"]]]);
    expect(lsp.where.tag_request.le(4095)).to.deep.equal(["tag_request", "<=", 4095]);
    // tag_request is an integer in [0, 4095]
    let err: unknown;
    try {
      lsp.encodeInsert({ name: "p", tag_request: 4096 });
    } catch (e) {
      err = e;
    }
    expect(isOvsdbError(err, "VALIDATION_ERROR"), String(err)).to.equal(true);
    expect((err as OvsdbError).details).to.include({ column: "tag_request" });
    expect(() => nb.ACL.encodeInsert({ action: "permit" as "allow" })).to.throw(OvsdbError).with.property("code", "VALIDATION_ERROR");
    expect(nb.ACLActionValues).to.include("allow-related");
    expect(() => nb.database.table("Port_Binding")).to.throw(OvsdbError).with.property("code", "VALIDATION_ERROR");
  });

  it("decodes an SB Port_Binding with its multichassis columns", () => {
    const U = "3c9b8c0e-5e1c-4f0f-9a55-2d1f0b6f7a11";
    const C1 = "6e2f0a9e-1b7d-4c39-8e0a-5b8f1f3d2c44";
    const C2 = "a1d2c3b4-0000-4000-8000-000000000001";
    // every column at its default (empty sets and maps, zero values), as a select of a fresh row returns
    const wire = Object.fromEntries(
      sb.PortBinding.columns.map((c) => {
        const t = sb.PortBinding.column(c).type;
        return [c, t.value !== undefined ? ["map", []] : t.min === 1 ? defaultFor(t.key.type) : ["set", []]];
      }),
    );
    Object.assign(wire, {
      _uuid: ["uuid", U],
      logical_port: "vm1",
      tunnel_key: 1,
      datapath: ["uuid", C1],
      additional_chassis: ["set", [["uuid", C1], ["uuid", C2]]],
      options: ["map", [["additional-chassis-activated", "hv2"]]],
    });
    const row = sb.PortBinding.decode(wire);
    expect(row.logical_port).to.equal("vm1");
    expect(row.additional_chassis).to.deep.equal([C1, C2]);
    expect(row.options.get("additional-chassis-activated")).to.equal("hv2");
    expect(row.chassis).to.equal(null);
  });
});

function defaultFor(type: string): unknown {
  switch (type) {
    case "string":
      return "";
    case "integer":
    case "real":
      return 0;
    case "boolean":
      return false;
    default:
      return ["uuid", "00000000-0000-0000-0000-000000000000"];
  }
}
