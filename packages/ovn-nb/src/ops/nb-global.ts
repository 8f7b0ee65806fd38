/**
 * NB_Global, the single configuration row (ovn-nbctl set NB_Global . options:..., ovn-nbctl --wait=sb|hv;
 * ovsdbapp db_set on NB_Global). sync() is ovn-nbctl's --wait: it increments nb_cfg and waits until
 * ovn-northd copied it to sb_cfg ("sb": the SB has caught up) or hv_cfg ("hv": every chassis has).
 */
import { OvsdbError } from "@ovnkit/ovsdb";
import { NBGlobal } from "../generated/nb/index.js";
import type { NBGlobal as NbGlobalRow } from "../generated/nb/index.js";
import { notFound } from "../errors.js";
import type { WaitOptions } from "../wait.js";
import type { NbContext } from "./context.js";
import type { StringMap } from "./map-edit.js";
import { PlanBuilder, type Plan } from "./plan.js";
import { editRowPlan, guardExists } from "./row-edit.js";

const WHAT = "NB_Global";

/** Increments nb_cfg; resolves to its new value. */
export function bumpNbCfgPlan(global: NbGlobalRow): Plan<number> {
  const b = new PlanBuilder();
  guardExists(b, NBGlobal, WHAT, global);
  const where = [NBGlobal.where._uuid.eq(global._uuid)];
  b.add(NBGlobal.op.mutate(where, [NBGlobal.mutate.nb_cfg.add(1)]));
  const at = b.add(NBGlobal.op.select(where, ["nb_cfg"]));
  return b.build((r) => {
    const row = r[at]?.rows?.[0];
    const value = row === undefined ? undefined : NBGlobal.decodePartial(row).nb_cfg;
    if (value === undefined) throw new OvsdbError("UNEXPECTED_REPLY", "NB_Global select returned no nb_cfg");
    return Number(value);
  });
}

export type SyncLevel = "sb" | "hv";

export class NbGlobalApi {
  constructor(private readonly ctx: NbContext) {}

  /** The NB_Global row, or undefined before ovn-nbctl init / ovn-northd created it. */
  get(): NbGlobalRow | undefined {
    return this.ctx.table("NB_Global").values().next().value;
  }

  require(): NbGlobalRow {
    const row = this.get();
    if (row === undefined) throw notFound(WHAT, ".", { table: "NB_Global" });
    return row;
  }

  async setOptions(pairs: StringMap): Promise<boolean> {
    return this.ctx.run(editRowPlan(NBGlobal, WHAT, this.require(), { fields: { options: pairs } }));
  }

  async removeOptions(keys: readonly string[]): Promise<boolean> {
    return this.ctx.run(editRowPlan(NBGlobal, WHAT, this.require(), { removeKeys: { options: keys } }));
  }

  async setExternalIds(pairs: StringMap): Promise<boolean> {
    return this.ctx.run(editRowPlan(NBGlobal, WHAT, this.require(), { fields: { external_ids: pairs } }));
  }

  async removeExternalIds(keys: readonly string[]): Promise<boolean> {
    return this.ctx.run(editRowPlan(NBGlobal, WHAT, this.require(), { removeKeys: { external_ids: keys } }));
  }

  /**
   * ovn-nbctl --wait=sb|hv: bumps nb_cfg, then waits (replica events, no polling) until sb_cfg or hv_cfg
   * reaches it. Resolves with the nb_cfg value and how long the wait took. REQUEST_TIMEOUT after timeoutMs.
   */
  async sync(level: SyncLevel = "hv", options: WaitOptions = {}): Promise<{ nbCfg: number; ms: number }> {
    const t0 = performance.now();
    const nbCfg = await this.ctx.run(bumpNbCfgPlan(this.require()));
    const column = level === "sb" ? "sb_cfg" : "hv_cfg";
    await this.ctx.waitFor(`NB_Global.${column} >= ${nbCfg}`, () => {
      const row = this.get();
      return row !== undefined && Number(row[column]) >= nbCfg ? true : undefined;
    }, options);
    return { nbCfg, ms: performance.now() - t0 };
  }
}
