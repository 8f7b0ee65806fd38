/**
 * One generated file per table: enum literal types, the row interface, Insert<Table> and Update<Table>, and
 * the table's model (typed conditions, mutations, encoding and decoding; see ../model/).
 */
import type { ColumnSchema, TableSchema } from "../protocol/schema.js";
import { pascalCase, propertyKey } from "./names.js";
import type { EnumTypeNames } from "./type-mapping.js";
import { columnTsType, describeColumn, usesUuid, usesUuidRef } from "./type-mapping.js";

export interface TableNames {
  /** PascalCase name: the row interface and the model constant. */
  type: string;
  insert: string;
  update: string;
  /** Per column: the enum type names (with `${name}Values` arrays). */
  enums: Map<string, EnumTypeNames>;
}

export function tableNames(table: TableSchema): TableNames {
  const type = pascalCase(table.name);
  const enums = new Map<string, EnumTypeNames>();
  for (const column of table.columns.values()) {
    const base = `${type}${pascalCase(column.name)}`;
    const names: EnumTypeNames = {};
    if (column.type.value === undefined) {
      if (column.type.key.enum !== undefined) names.key = base;
    } else {
      if (column.type.key.enum !== undefined) names.key = `${base}Key`;
      if (column.type.value.enum !== undefined) names.value = `${base}Value`;
    }
    if (names.key !== undefined || names.value !== undefined) enums.set(column.name, names);
  }
  return { type, insert: `Insert${type}`, update: `Update${type}`, enums };
}

/** Every name a table file exports (to detect collisions across tables). */
export function exportedNames(names: TableNames): string[] {
  const out = [names.type, names.insert, names.update];
  for (const e of names.enums.values()) {
    for (const n of [e.key, e.value]) if (n !== undefined) out.push(n, `${n}Values`);
  }
  return out;
}

/** Text safe inside a JSDoc comment. */
export function docText(s: string): string {
  return s.replace(/\*\//g, "*\\/");
}

function enumBlock(table: TableSchema, column: ColumnSchema, part: "key" | "value", name: string): string {
  const values = (part === "key" ? column.type.key : column.type.value!).enum!;
  const where = `${table.name}.${column.name}${column.type.value === undefined ? "" : ` (${part})`}`;
  return [
    `/** Allowed values of ${docText(where)}. */`,
    `export const ${name}Values = [${values.map((v) => JSON.stringify(v)).join(", ")}] as const;`,
    `export type ${name} = (typeof ${name}Values)[number];`,
  ].join("\n");
}

function tableSummary(table: TableSchema): string {
  const facts: string[] = [table.isRoot ? "root table" : "non-root table (garbage-collected when unreferenced)"];
  if (table.maxRows !== undefined) facts.push(`at most ${table.maxRows} row${table.maxRows === 1 ? "" : "s"}`);
  if (table.indexes.length > 0) facts.push(`indexes: ${table.indexes.map((i) => `[${i.join(", ")}]`).join(", ")}`);
  return facts.join("; ");
}

export interface EmitTableOptions {
  header: string;
  runtimeImport: string;
}

export function emitTable(table: TableSchema, names: TableNames, options: EmitTableOptions): string {
  const columns = [...table.columns.values()];
  const needsRef = columns.some((c) => usesUuidRef(c.type));
  const needsNamed = columns.some((c) => usesUuid(c.type));
  const typeImports = [...(needsNamed ? ["NamedUuid"] : []), ...(needsRef ? ["UuidRef"] : [])];

  const out: string[] = [options.header, ""];
  if (typeImports.length > 0) out.push(`import type { ${typeImports.join(", ")} } from ${JSON.stringify(options.runtimeImport)};`);
  out.push(`import { defineTable } from ${JSON.stringify(options.runtimeImport)};`);
  out.push(`import { schema } from "./database.js";`, "");

  for (const column of columns) {
    const e = names.enums.get(column.name);
    if (e?.key !== undefined) out.push(enumBlock(table, column, "key", e.key), "");
    if (e?.value !== undefined) out.push(enumBlock(table, column, "value", e.value), "");
  }

  const summary = docText(tableSummary(table));
  out.push(`/** A row of table ${docText(table.name)}: ${summary}. */`);
  out.push(`export interface ${names.type} {`);
  out.push(`  /** The row's uuid. */`, `  _uuid: string;`);
  out.push(`  /** The row's version: changes whenever the row is modified. */`, `  _version?: string;`);
  for (const column of columns) {
    out.push(`  /** ${docText(describeColumn(column))} */`);
    out.push(`  ${propertyKey(column.name)}: ${columnTsType(column.type, "read", names.enums.get(column.name))};`);
  }
  out.push("}", "");

  out.push(`/** Columns an insert into ${docText(table.name)} may set; the server gives the others their defaults. */`);
  out.push(`export interface ${names.insert} {`);
  for (const column of columns) {
    out.push(`  /** ${docText(describeColumn(column))} */`);
    out.push(`  ${propertyKey(column.name)}?: ${columnTsType(column.type, "write", names.enums.get(column.name))};`);
  }
  out.push("}", "");

  const immutable = columns.filter((c) => !c.mutable).map((c) => JSON.stringify(c.name));
  out.push(`/** Columns an update of ${docText(table.name)} may set (the mutable ones). */`);
  out.push(
    immutable.length === 0
      ? `export type ${names.update} = ${names.insert};`
      : `export type ${names.update} = Omit<${names.insert}, ${immutable.join(" | ")}>;`,
  );
  out.push("");

  out.push(`/** Model of table ${docText(table.name)}: typed conditions (where), mutations (mutate), row encoding/decoding. */`);
  out.push(
    `export const ${names.type} = defineTable<${names.type}, ${names.insert}, ${names.update}>(schema, ${JSON.stringify(table.name)});`,
  );
  return `${out.join("\n")}\n`;
}
