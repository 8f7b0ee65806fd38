/**
 * Compares the schema a server runs with the schema the models were generated from (pure).
 *
 * OVSDB schema versions are "x.y.z" (ovsdb-server(7)): a major bump means incompatible changes; minor and
 * patch bumps only add tables, columns or enum values. So, under the default policy "compatible":
 *   same version             ok
 *   same major, server newer warning SCHEMA_VERSION_NEWER (its extra tables/columns are not monitored)
 *   same major, server older warning SCHEMA_VERSION_OLDER (generated tables/columns it lacks are not monitored;
 *                            writes that set them are refused before they are sent)
 *   different major          OvnNbError SCHEMA_VERSION_MISMATCH
 * "exact" refuses any difference; "any" only warns, whatever the difference.
 */
import type { DatabaseSchema } from "@ovnkit/ovsdb";
import { OvnNbError } from "./errors.js";

export type SchemaRelation = "equal" | "older" | "newer";
export type SchemaVersionPolicy = "exact" | "compatible" | "any";
export type SchemaWarningCode = "SCHEMA_VERSION_OLDER" | "SCHEMA_VERSION_NEWER";

export interface SchemaCheck {
  database: string;
  /** The server's schema version. */
  server: string;
  /** The version the models were generated from. */
  generated: string;
  /** The server's version relative to the generated one. */
  relation: SchemaRelation;
  sameMajor: boolean;
  /** Generated tables the server does not have. */
  missingTables: string[];
  /** Generated columns (of tables the server has) the server does not have, as "Table.column". */
  missingColumns: string[];
}

export interface SchemaWarning {
  readonly code: SchemaWarningCode;
  readonly message: string;
  readonly check: SchemaCheck;
}

function parseVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (m === null) throw new OvnNbError("SCHEMA_VERSION_MISMATCH", `schema version ${JSON.stringify(v)} is not x.y.z`, { details: { version: v } });
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** -1, 0 or 1 as version `a` is lower than, equal to or higher than `b` ("x.y.z", numerically). */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}

export function checkSchema(server: DatabaseSchema, generated: DatabaseSchema): SchemaCheck {
  const c = compareVersions(server.version, generated.version);
  const missingTables: string[] = [];
  const missingColumns: string[] = [];
  for (const [name, table] of generated.tables) {
    const st = server.tables.get(name);
    if (st === undefined) {
      missingTables.push(name);
      continue;
    }
    for (const col of table.columns.keys()) if (!st.columns.has(col)) missingColumns.push(`${name}.${col}`);
  }
  return {
    database: generated.name,
    server: server.version,
    generated: generated.version,
    relation: c === 0 ? "equal" : c < 0 ? "older" : "newer",
    sameMajor: parseVersion(server.version)[0] === parseVersion(generated.version)[0],
    missingTables,
    missingColumns,
  };
}

function describe(check: SchemaCheck): string {
  const base = `${check.database} server schema ${check.server} is ${check.relation} than the generated models (${check.generated})`;
  const missing = [...check.missingTables.map((t) => `table ${t}`), ...check.missingColumns.map((c) => `column ${c}`)];
  return missing.length === 0 ? base : `${base}; the server lacks ${missing.join(", ")}`;
}

/**
 * Applies `policy` to a check: undefined when the versions are equal, a warning when the difference is
 * acceptable, OvnNbError SCHEMA_VERSION_MISMATCH (details: the check) when it is not.
 */
export function enforceSchemaPolicy(check: SchemaCheck, policy: SchemaVersionPolicy = "compatible"): SchemaWarning | undefined {
  if (check.relation === "equal") return undefined;
  const message = describe(check);
  const refuse = policy === "exact" || (policy === "compatible" && !check.sameMajor);
  if (refuse) {
    throw new OvnNbError("SCHEMA_VERSION_MISMATCH", `${message} (policy "${policy}")`, { details: { ...check, policy } });
  }
  return { code: check.relation === "older" ? "SCHEMA_VERSION_OLDER" : "SCHEMA_VERSION_NEWER", message, check };
}

/** The columns to monitor in `table`: the generated ones the server also has (undefined: the server lacks the table). */
export function sharedColumns(server: DatabaseSchema, generated: DatabaseSchema, table: string): string[] | undefined {
  const st = server.tables.get(table);
  const gt = generated.tables.get(table);
  if (st === undefined || gt === undefined) return undefined;
  return [...gt.columns.keys()].filter((c) => st.columns.has(c));
}
