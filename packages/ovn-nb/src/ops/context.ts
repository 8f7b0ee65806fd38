/**
 * What the entity operations need from a client: the replicated NB tables (reads) and a way to run a plan
 * (writes). NbClient implements it; the operations never see the wire.
 */
import type { RowsOf, TableCache } from "@ovnkit/ovsdb";
import type { database } from "../generated/nb/index.js";
import type { WaitOptions } from "../wait.js";
import type { Plan } from "./plan.js";

/** The generated NB table models by table name. */
export type NbTables = typeof database.tables;
/** The TYPED row type of every NB table, by table name. */
export type NbRows = RowsOf<NbTables>;
export type NbTableName = keyof NbRows & string;

export interface NbContext {
  /** The replica of NB table `name` (VALIDATION_ERROR when it is not monitored). */
  table<K extends NbTableName>(name: K): TableCache<NbRows[K]>;
  /** Sends the plan's transaction (nothing for an empty plan) and returns its value; failures become typed errors. */
  run<T>(plan: Plan<T>): Promise<T>;
  /** Resolves with probe()'s first non-undefined value, evaluated now and after every replica update. */
  waitFor<T>(what: string, probe: () => T | undefined, options?: WaitOptions): Promise<T>;
}
