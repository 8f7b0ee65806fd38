/**
 * Generated code for an unusual schema (odd column names, int64 bounds beyond 2^53, enums in map keys and values,
 * integer and boolean enums, self references) must compile under the repo's strict settings and load at run time.
 * (The test schema's golden models and the OVN NB/SB models are compiled by the repo typecheck.)
 */
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { writeModels } from "../../src/codegen/files.js";
import { generateModels } from "../../src/codegen/generate.js";

const here = dirname(fileURLToPath(import.meta.url));
const RUNTIME = resolve(here, "../../src/index.js");
const TYPE_ROOTS = [resolve(here, "../../../../node_modules/@types")];

const ODD_SCHEMA = {
  name: "Odd_DB",
  version: "0.1.0",
  tables: {
    "odd-table": {
      isRoot: true,
      columns: {
        "with-dash": { type: "string" },
        class: { type: { key: { type: "integer", minInteger: -9223372036854775808n, maxInteger: 9223372036854775807n } } },
        flags: { type: { key: { type: "boolean", enum: true }, min: 0, max: 1 } },
        levels: { type: { key: { type: "integer", enum: ["set", [1, 2, 3]] }, min: 1, max: 2 } },
        by_kind: {
          type: {
            key: { type: "string", enum: ["set", ["a", "b"]] },
            value: { type: "uuid", refTable: "odd-table", refType: "weak" },
            min: 0,
            max: "unlimited",
          },
        },
        self: { type: { key: { type: "uuid", refTable: "odd-table" }, min: 0, max: "unlimited" } },
      },
    },
  },
};

describe("codegen: generated code compiles and loads", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ovnkit-codegen-compile-"));
    await writeModels(generateModels(ODD_SCHEMA, { runtimeImport: RUNTIME }), dir);
    await writeFile(join(dir, "package.json"), '{ "type": "module" }\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("passes tsc --strict (NodeNext) with no diagnostics", function () {
    this.timeout(60_000);
    const program = ts.createProgram([join(dir, "index.ts")], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      typeRoots: TYPE_ROOTS,
      types: ["node"],
    });
    // Only the generated files: the runtime itself is checked by the repo typecheck.
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir))
      .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(diagnostics).to.deep.equal([]);
  });

  it("loads, and its model validates values", async () => {
    const mod = (await import(pathToFileURL(join(dir, "index.ts")).href)) as Record<string, unknown>;
    expect(mod.SCHEMA_VERSION).to.equal("0.1.0");
    expect(mod.OddTableByKindKeyValues).to.deep.equal(["a", "b"]);
    const model = mod.OddTable as { table: string; encodeInsert(row: object): unknown };
    expect(model.table).to.equal("odd-table");
    expect(model.encodeInsert({ class: 9223372036854775807n, levels: [1, 3] })).to.deep.equal({
      class: 9223372036854775807n,
      levels: ["set", [1, 3]],
    });
    expect(() => model.encodeInsert({ levels: [4] })).to.throw().with.property("code", "VALIDATION_ERROR");
  });
});
