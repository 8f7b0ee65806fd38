/**
 * Opens a typed view of one database on a connected OvsdbClient: fetches the server's schema, checks its
 * version against the generated one (schema-version.ts), and starts a monitor of the wanted tables over the
 * columns both schemas have, so replica rows have exactly the generated row types.
 */
import { Monitor, type DatabaseSchema, type MonitorMethod, type MonitorTableRequest, type OvsdbClient } from "@ovnkit/ovsdb";
import { checkSchema, enforceSchemaPolicy, sharedColumns, type SchemaCheck, type SchemaVersionPolicy, type SchemaWarning } from "./schema-version.js";

export interface SessionOptions {
  /** What to accept when the server's schema version differs from the generated one. Default "compatible". */
  schemaVersionPolicy?: SchemaVersionPolicy;
  /** Receives the schema version warning (default: process.emitWarning with the warning's code). */
  onWarning?: (warning: SchemaWarning) => void;
  /** Monitor method; default "monitor_cond_since". */
  monitorMethod?: MonitorMethod;
}

export interface Session<Rows> {
  readonly serverSchema: DatabaseSchema;
  readonly schemaCheck: SchemaCheck;
  /** The schema version warning, if any (also given to onWarning). */
  readonly schemaWarning: SchemaWarning | undefined;
  readonly monitor: Monitor<Rows>;
}

export function emitSchemaWarning(w: SchemaWarning): void {
  process.emitWarning(w.message, { code: w.code });
}

/**
 * Checks the schema and starts the monitor of `tables` (name -> request; columns default to all generated
 * ones, and only those the server has are monitored). Tables the server lacks are left out. Resolves once the initial contents are in the replica.
 */
export async function openSession<Rows>(
  client: OvsdbClient,
  generated: DatabaseSchema,
  tables: Readonly<Record<string, MonitorTableRequest>>,
  options: SessionOptions,
): Promise<Session<Rows>> {
  const { schema: serverSchema } = await client.getSchema(generated.name);
  const schemaCheck = checkSchema(serverSchema, generated);
  const schemaWarning = enforceSchemaPolicy(schemaCheck, options.schemaVersionPolicy);
  if (schemaWarning !== undefined) (options.onWarning ?? emitSchemaWarning)(schemaWarning);
  const requests: Record<string, MonitorTableRequest> = {};
  for (const [table, req] of Object.entries(tables)) {
    const shared = sharedColumns(serverSchema, generated, table);
    if (shared === undefined) continue;
    const columns = req.columns === undefined ? shared : req.columns.filter((c) => shared.includes(c));
    requests[table] = { ...req, columns };
  }
  const monitor = new Monitor<Rows>(client, serverSchema, { tables: requests as never, method: options.monitorMethod });
  await monitor.start();
  return { serverSchema, schemaCheck, schemaWarning, monitor };
}
