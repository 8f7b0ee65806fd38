/**
 * A typed view of one database: fetches the server's schema, checks its version against the generated
 * one (schema-version.ts), and starts a monitor of the wanted tables over the columns both schemas have, so
 * replica rows have exactly the generated row types.
 *
 * It runs over a one-shot OvsdbClient or a reconnecting OvsdbSession (monitors then survive reconnects and
 * transactions wait, bounded, for the next connection), through the small Backend below.
 */
import {
  Monitor, OvsdbClient, OvsdbSession, type DatabaseSchema, type MonitorMethod, type MonitorOptions, type MonitorTableRequest,
  type Operation, type OperationResult, type TransactOptions,
} from "@ovnkit/ovsdb";
import { checkSchema, enforceSchemaPolicy, sharedColumns, type SchemaCheck, type SchemaVersionPolicy, type SchemaWarning } from "./schema-version.js";

export interface ViewOptions {
  /** What to accept when the server's schema version differs from the generated one. Default "compatible". */
  schemaVersionPolicy?: SchemaVersionPolicy;
  /** Receives the schema version warning (default: process.emitWarning with the warning's code). */
  onWarning?: (warning: SchemaWarning) => void;
  /** Monitor method; default "monitor_cond_since". */
  monitorMethod?: MonitorMethod;
}

/** A one-shot client or a reconnecting session. */
export type OvsdbConnection = OvsdbClient | OvsdbSession;

/** What the typed clients need from either kind of connection. */
export interface Backend {
  readonly connection: OvsdbConnection;
  getSchema(db: string): Promise<DatabaseSchema>;
  startMonitor<T>(schema: DatabaseSchema, options: MonitorOptions<T>): Promise<Monitor<T>>;
  transact(db: string, ops: readonly Operation[], options?: TransactOptions): Promise<OperationResult[]>;
  /** A round trip on the current connection (after pending monitor updates). */
  echo(): Promise<void>;
  close(): Promise<void>;
}

export function backendOf(connection: OvsdbConnection): Backend {
  if (connection instanceof OvsdbSession) {
    return {
      connection,
      getSchema: (db) => connection.getSchema(db),
      startMonitor: (schema, options) => connection.createMonitor(schema, options),
      transact: (db, ops, options) => connection.transact(db, ops, options),
      echo: async () => {
        await (await connection.connected()).echo(["ovnkit-barrier"]);
      },
      close: () => connection.close(),
    };
  }
  return {
    connection,
    getSchema: async (db) => (await connection.getSchema(db)).schema,
    startMonitor: async <T>(schema: DatabaseSchema, options: MonitorOptions<T>) => new Monitor<T>(connection, schema, options).start(),
    transact: (db, ops, options) => connection.transact(db, ops, options),
    echo: async () => {
      await connection.echo(["ovnkit-barrier"]);
    },
    close: () => connection.close(),
  };
}

export interface TypedView<Rows> {
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
 * ones, and only those the server has are monitored). Tables the server lacks are left out. Resolves once the
 * initial contents are in the replica.
 */
export async function openTypedView<Rows>(
  backend: Backend,
  generated: DatabaseSchema,
  tables: Readonly<Record<string, MonitorTableRequest>>,
  options: ViewOptions,
): Promise<TypedView<Rows>> {
  const serverSchema = await backend.getSchema(generated.name);
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
  const monitor = await backend.startMonitor<Rows>(serverSchema, { tables: requests as never, method: options.monitorMethod });
  return { serverSchema, schemaCheck, schemaWarning, monitor };
}
