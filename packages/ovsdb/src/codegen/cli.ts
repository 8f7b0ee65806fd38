#!/usr/bin/env node
/**
 * ovsdb-codegen: generates typed TypeScript models from an .ovsschema.
 *
 *   ovsdb-codegen schema.ovsschema --out src/generated/nb [--runtime-import @ovnkit/ovsdb] [--check]
 *
 * --check writes nothing and exits 1 when the directory differs from what would be generated.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { isOvsdbError } from "../protocol/errors.js";
import { diffModels, generateFromFile, isClean, writeModels } from "./files.js";
import type { ModelsDiff } from "./files.js";

interface Output {
  log(line: string): void;
  error(line: string): void;
}

function summary(diff: ModelsDiff): string[] {
  return [
    ...diff.missing.map((f) => `  new      ${f}`),
    ...diff.changed.map((f) => `  changed  ${f}`),
    ...diff.stale.map((f) => `  stale    ${f}`),
  ];
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function runCodegenCli(argv: readonly string[], out: Output = console): Promise<number> {
  const parser = yargs([...argv])
    .scriptName("ovsdb-codegen")
    .usage("$0 <schema> --out <dir>\n\nGenerates typed TypeScript models (one file per table) from an OVSDB schema.")
    .command("$0 <schema>", "generate models", (y) =>
      y.positional("schema", { type: "string", demandOption: true, describe: "path to the .ovsschema file" }),
    )
    .option("out", { alias: "o", type: "string", demandOption: true, describe: "output directory" })
    .option("runtime-import", {
      type: "string",
      default: "@ovnkit/ovsdb",
      describe: "module the generated code imports the model runtime from",
    })
    .option("check", { type: "boolean", default: false, describe: "write nothing; exit 1 if the output is out of date" })
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .help();

  let args: Awaited<ReturnType<typeof parser.parseAsync>>;
  try {
    args = await parser.parseAsync();
  } catch (e) {
    out.error(`ovsdb-codegen: ${(e as Error).message}`);
    return 2;
  }
  if (args.help === true) return 0;
  const schema = String(args.schema);
  const dir = String(args.out);
  try {
    const files = await generateFromFile(schema, { runtimeImport: String(args["runtime-import"]) });
    if (args.check === true) {
      const diff = await diffModels(files, dir);
      if (isClean(diff)) {
        out.log(`${dir}: up to date (${files.size} files)`);
        return 0;
      }
      out.error(`${dir}: out of date; run ovsdb-codegen ${schema} --out ${dir}`);
      for (const line of summary(diff)) out.error(line);
      return 1;
    }
    const diff = await writeModels(files, dir);
    out.log(`${dir}: ${files.size} files generated from ${schema}`);
    for (const line of summary(diff)) out.log(line);
    return 0;
  } catch (e) {
    const code = isOvsdbError(e) ? ` [${e.code}]` : "";
    out.error(`ovsdb-codegen: ${(e as Error).message}${code}`);
    return 1;
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await runCodegenCli(process.argv.slice(2));
}
