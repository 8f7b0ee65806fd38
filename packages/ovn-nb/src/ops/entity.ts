/**
 * What every entity API has: reads from the replica (get by name or uuid, list, by external_ids key) and
 * external_ids edits that keep unrelated keys. Entity files (switch.ts, router.ts...) extend it.
 */
import type { TableModelBase } from "@ovnkit/ovsdb";
import { notFound } from "../errors.js";
import type { NbContext, NbRows, NbTableName } from "./context.js";
import { findRow, requireUuid, rowsByExternalId } from "./lookup.js";
import type { StringMap } from "./map-edit.js";
import type { Plan } from "./plan.js";
import { editRowPlan, type RowChanges, type RowRef } from "./row-edit.js";

/** A row given by name, by uuid, or as a row object (re-read from the replica by its uuid). */
export type Ref = string | RowRef;

/** The name or uuid a Ref gives (for error messages). */
export function refKey(ref: Ref): string {
  return typeof ref === "string" ? ref : ref._uuid;
}

export class EntityApi<K extends NbTableName> {
  constructor(
    protected readonly ctx: NbContext,
    readonly table: K,
    protected readonly model: TableModelBase,
    /** Human name used in errors ("logical switch"). */
    readonly what: string,
    /** Rows are found by their "name" column (else by uuid only). */
    private readonly named = true,
  ) {}

  /** The row, or undefined (AMBIGUOUS_NAME if several rows share the name). */
  get(ref: Ref): NbRows[K] | undefined {
    if (typeof ref !== "string") return this.ctx.table(this.table).get(ref._uuid);
    if (!this.named) return this.ctx.table(this.table).get(ref.toLowerCase());
    return findRow(this.ctx, this.table, this.what, ref);
  }

  /** The row, or NOT_FOUND. */
  require(ref: Ref): NbRows[K] {
    if (typeof ref !== "string") return requireUuid(this.ctx, this.table, this.what, ref._uuid);
    const row = this.get(ref);
    if (row === undefined) throw notFound(this.what, ref, { table: this.table });
    return row;
  }

  /** Every row (or those `predicate` accepts). */
  list(predicate?: (row: NbRows[K]) => boolean): NbRows[K][] {
    const cache = this.ctx.table(this.table);
    return predicate === undefined ? [...cache.values()] : cache.filter(predicate);
  }

  /** Rows whose external_ids hold key = value (indexed). */
  byExternalId(key: string, value: string): NbRows[K][] {
    return rowsByExternalId(this.ctx, this.table, key, value);
  }

  /** Sets these external_ids pairs; other keys are kept. Resolves true when something was written. */
  async setExternalIds(ref: Ref, pairs: StringMap): Promise<boolean> {
    return this.editMap(ref, "external_ids", pairs, []);
  }

  async removeExternalIds(ref: Ref, keys: readonly string[]): Promise<boolean> {
    return this.editMap(ref, "external_ids", undefined, keys);
  }

  protected async editMap(ref: Ref, column: string, set: StringMap | undefined, remove: readonly string[]): Promise<boolean> {
    return this.edit(ref, { fields: set === undefined ? {} : { [column]: set }, removeKeys: { [column]: remove } });
  }

  /** Runs `plan` on the row; a missing row is NOT_FOUND, or false with ifExists. */
  protected async removeWith(ref: Ref, options: { ifExists?: boolean }, plan: (row: NbRows[K]) => Plan<boolean>): Promise<boolean> {
    const row = this.get(ref);
    if (row === undefined) {
      if (options.ifExists === true) return false;
      throw notFound(this.what, refKey(ref), { table: this.table });
    }
    return this.ctx.run(plan(row));
  }

  /** Applies `changes` to the row in one guarded transaction; resolves true when something was written. */
  async edit(ref: Ref, changes: RowChanges): Promise<boolean> {
    return this.ctx.run(editRowPlan(this.model, this.what, this.require(ref), changes));
  }
}
