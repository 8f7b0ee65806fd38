/** One empty database file per schema, copied for each server that needs it (a copy is cheaper than ovsdb-tool). */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./process.js";

/** Creates <dir>/<schema basename>.template.db with ovsdb-tool. */
export async function createTemplate(dir: string, schemaPath: string): Promise<string> {
  const path = join(dir, `${schemaPath.split("/").pop()!.replace(/\.ovsschema$/, "")}.template.db`);
  await run("ovsdb-tool", ["create", path, schemaPath]);
  return path;
}

/** Copies a template into <dir>/conf.db and returns that path. */
export async function copyTemplate(template: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, "conf.db");
  await copyFile(template, path);
  return path;
}
