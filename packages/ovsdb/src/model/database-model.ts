/** All table models of one database, looked up by the tables' protocol names. */
import { OvsdbError } from "../protocol/errors.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import type { TableModelBase } from "./table-model.js";

export interface DatabaseModel<T extends Record<string, TableModelBase>> {
  /** The database name (e.g. "OVN_Northbound"). */
  readonly name: string;
  /** The schema version the models were generated from. */
  readonly version: string;
  readonly schema: DatabaseSchema;
  /** The models by table name. */
  readonly tables: Readonly<T>;
  /** The model of table `name`; throws OvsdbError "VALIDATION_ERROR" for a table the schema does not have. */
  table<N extends keyof T & string>(name: N): T[N];
  table(name: string): TableModelBase;
}

/**
 * Groups the table models of `schema`. Throws OvsdbError "SCHEMA_ERROR" unless `tables` holds exactly one model
 * per table of the schema, each under its table's name.
 */
export function defineDatabase<T extends Record<string, TableModelBase>>(schema: DatabaseSchema, tables: T): DatabaseModel<T> {
  for (const [name, model] of Object.entries(tables)) {
    if (!schema.tables.has(name)) throw new OvsdbError("SCHEMA_ERROR", `schema ${schema.name} has no table ${name}`);
    if (model.table !== name) throw new OvsdbError("SCHEMA_ERROR", `model of ${model.table} registered as ${name}`);
  }
  for (const name of schema.tables.keys()) {
    if (!Object.prototype.hasOwnProperty.call(tables, name)) throw new OvsdbError("SCHEMA_ERROR", `no model for table ${name}`);
  }
  const frozen = Object.freeze({ ...tables });
  function table(name: string): TableModelBase {
    if (!Object.prototype.hasOwnProperty.call(frozen, name)) {
      throw new OvsdbError("VALIDATION_ERROR", `no table ${name} in database ${schema.name}`, {
        details: { table: name, reason: "unknown table" },
      });
    }
    return frozen[name]!;
  }
  return Object.freeze({ name: schema.name, version: schema.version, schema, tables: frozen, table }) as DatabaseModel<T>;
}
