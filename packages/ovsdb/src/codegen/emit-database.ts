/** database.ts (the embedded schema and its version) and index.ts (exports + the database model). */
import type { DatabaseSchema } from "../protocol/schema.js";
import { tsLiteral } from "./literal.js";
import { kebabCase, propertyKey } from "./names.js";
import type { TableNames } from "./emit-table.js";

export interface EmitDatabaseOptions {
  header: string;
  runtimeImport: string;
}

export function emitDatabase(schema: DatabaseSchema, options: EmitDatabaseOptions): string {
  const rt = JSON.stringify(options.runtimeImport);
  const out: string[] = [options.header, ""];
  out.push(`import type { DatabaseSchema } from ${rt};`);
  out.push(`import { parseSchema } from ${rt};`, "");
  out.push(`/** The database name in the schema. */`);
  out.push(`export const SCHEMA_NAME = ${JSON.stringify(schema.name)};`);
  out.push(`/** The schema version these models were generated from. */`);
  out.push(`export const SCHEMA_VERSION = ${JSON.stringify(schema.version)};`);
  if (schema.cksum !== undefined) {
    out.push(`/** The schema's cksum field. */`);
    out.push(`export const SCHEMA_CKSUM = ${JSON.stringify(schema.cksum)};`);
  }
  out.push("");
  out.push(`/** The schema, embedded verbatim. */`);
  out.push(`export const schemaJson = ${tsLiteral(schema.raw, 0, 24)};`, "");
  out.push(`/** The parsed schema. */`);
  out.push(`export const schema: DatabaseSchema = parseSchema(schemaJson);`);
  return `${out.join("\n")}\n`;
}

export function emitIndex(tables: readonly { name: string; names: TableNames }[], options: EmitDatabaseOptions): string {
  const rt = JSON.stringify(options.runtimeImport);
  const out: string[] = [options.header, ""];
  out.push(`import { defineDatabase } from ${rt};`);
  out.push(`import type { DatabaseModel } from ${rt};`);
  out.push(`import { schema } from "./database.js";`);
  for (const t of tables) out.push(`import { ${t.names.type} } from "./${kebabCase(t.name)}.js";`);
  out.push("");
  out.push(`export * from "./database.js";`);
  for (const t of tables) out.push(`export * from "./${kebabCase(t.name)}.js";`);
  out.push("");
  out.push(`const tables = {`);
  for (const t of tables) out.push(t.name === t.names.type ? `  ${t.name},` : `  ${propertyKey(t.name)}: ${t.names.type},`);
  out.push(`};`);
  out.push("");
  // The explicit annotation keeps declaration emit portable (TS2742 otherwise, through package exports).
  out.push(`/** Every table's model, by the table's protocol name; database.table(name) throws on an unknown name. */`);
  out.push(`export const database: DatabaseModel<typeof tables> = defineDatabase(schema, tables);`);
  return `${out.join("\n")}\n`;
}
