/** The schema version check (pure): version order, missing tables/columns, and the three policies. */
import { expect } from "chai";
import { parseSchema } from "@ovnkit/ovsdb";
import { checkSchema, compareVersions, enforceSchemaPolicy, isOvnNbError, nb, sharedColumns } from "@ovnkit/ovn-nb";

const generated = nb.schema;

function variant(version: string, edit: (json: { tables: Record<string, { columns: Record<string, unknown> }> }) => void = () => {}) {
  const json = structuredClone(nb.schemaJson) as unknown as { version: string; tables: Record<string, { columns: Record<string, unknown> }> };
  json.version = version;
  edit(json);
  return parseSchema(json);
}

describe("schema version check", () => {
  it("compares x.y.z numerically", () => {
    expect(compareVersions("7.0.0", "7.0.0")).to.equal(0);
    expect(compareVersions("7.10.0", "7.9.9")).to.equal(1);
    expect(compareVersions("6.99.99", "7.0.0")).to.equal(-1);
    expect(compareVersions("7.0.1", "7.0.10")).to.equal(-1);
  });

  it("a non x.y.z version is SCHEMA_VERSION_MISMATCH", () => {
    try {
      compareVersions("7.0", "7.0.0");
      expect.fail("no error");
    } catch (e) {
      expect(isOvnNbError(e, "SCHEMA_VERSION_MISMATCH")).to.equal(true);
    }
  });

  it("equal: no warning under any policy", () => {
    const check = checkSchema(generated, generated);
    expect(check).to.deep.include({ relation: "equal", sameMajor: true, missingTables: [], missingColumns: [] });
    for (const p of ["exact", "compatible", "any"] as const) expect(enforceSchemaPolicy(check, p)).to.equal(undefined);
  });

  it("newer minor: warning SCHEMA_VERSION_NEWER (compatible, any), refused by exact", () => {
    const check = checkSchema(variant("7.1.0", (j) => { j.tables.Logical_Switch!.columns.shiny = { type: "string" }; }), generated);
    expect(check).to.deep.include({ relation: "newer", sameMajor: true, server: "7.1.0", generated: "7.0.0" });
    expect(enforceSchemaPolicy(check)?.code).to.equal("SCHEMA_VERSION_NEWER");
    expect(enforceSchemaPolicy(check, "any")?.code).to.equal("SCHEMA_VERSION_NEWER");
    expect(() => enforceSchemaPolicy(check, "exact")).to.throw().with.property("code", "SCHEMA_VERSION_MISMATCH");
  });

  it("older minor lacking a table and a column: warning SCHEMA_VERSION_OLDER that names them", () => {
    const server = variant("6.3.0", (j) => {
      delete j.tables.Static_MAC_Binding;
      delete j.tables.Logical_Switch_Port!.columns.mirror_rules;
    });
    const check = checkSchema(server, generated);
    expect(check).to.deep.include({ relation: "older", sameMajor: false });
    const sameMajor = checkSchema(variant("6.9.0"), variant("6.10.0"));
    expect(sameMajor).to.deep.include({ relation: "older", sameMajor: true });
    expect(check.missingTables).to.deep.equal(["Static_MAC_Binding"]);
    expect(check.missingColumns).to.deep.equal(["Logical_Switch_Port.mirror_rules"]);
    const w = enforceSchemaPolicy({ ...check, sameMajor: true });
    expect(w?.code).to.equal("SCHEMA_VERSION_OLDER");
    expect(w?.message).to.contain("Logical_Switch_Port.mirror_rules").and.contain("Static_MAC_Binding");
    expect(sharedColumns(server, generated, "Logical_Switch_Port")).to.not.include("mirror_rules");
    expect(sharedColumns(server, generated, "Static_MAC_Binding")).to.equal(undefined);
  });

  it("another major: SCHEMA_VERSION_MISMATCH under compatible and exact, a warning under any", () => {
    for (const v of ["8.0.0", "6.3.0"]) {
      const check = checkSchema(variant(v), generated);
      expect(check.sameMajor).to.equal(false);
      try {
        enforceSchemaPolicy(check);
        expect.fail("no error");
      } catch (e) {
        expect(isOvnNbError(e, "SCHEMA_VERSION_MISMATCH")).to.equal(true);
        expect((e as { details: Record<string, unknown> }).details).to.deep.include({ server: v, generated: "7.0.0", policy: "compatible" });
      }
      expect(enforceSchemaPolicy(check, "any")?.code).to.equal(v === "8.0.0" ? "SCHEMA_VERSION_NEWER" : "SCHEMA_VERSION_OLDER");
    }
  });
});
