/**
 * A multi-NIC VM (pure): each NIC is analysed on its own (its own probe stream), then the run's analysis is
 * every NIC's checks together, plus two checks of the NB transactions: all NICs armed in ONE transaction, and
 * all completed in ONE (a NIC armed or completed alone would leave the VM half-migrated for a while).
 */
import type { Analysis, Check } from "./analysis.js";
import type { PortTransaction } from "./nb-transactions.js";

export interface NicAnalysis {
  lsp: string;
  analysis: Analysis;
}

/** The transactions that set requested-chassis to `value`, and whether exactly one covered every NIC. */
function together(txns: readonly PortTransaction[], value: string, lsps: readonly string[], after: number): { ok: boolean; detail: string } {
  const setting = txns.filter((t) => t.at >= after && Object.values(t.requestedChassis).includes(value));
  const ok = setting.length === 1 && lsps.every((l) => setting[0]!.requestedChassis[l] === value);
  const detail = setting.length === 0
    ? "no such transaction seen"
    : setting.map((t) => `${t.txn}: ${Object.entries(t.requestedChassis).map(([l, v]) => `${l}=${v ?? "-"}`).join(" ")}`).join("; ");
  return { ok, detail };
}

export function combineNics(nics: readonly NicAnalysis[], txns: readonly PortTransaction[], chassis: { source: string; target: string }): Analysis {
  const first = nics[0]!.analysis;
  if (nics.length === 1) return first;
  const lsps = nics.map((n) => n.lsp);
  const checks: Check[] = nics.flatMap((n) => n.analysis.checks.map((c) => ({ ...c, name: `${n.lsp}: ${c.name}` })));
  const armed = together(txns, `${chassis.source},${chassis.target}`, lsps, 0);
  checks.unshift({ name: `all ${nics.length} NICs armed in one NB transaction`, ok: armed.ok, detail: armed.detail });
  const armedAt = txns.find((t) => Object.values(t.requestedChassis).includes(`${chassis.source},${chassis.target}`))?.at ?? Number.POSITIVE_INFINITY;
  const end = first.outcome === "failed" ? chassis.source : chassis.target;
  const completed = together(txns, end, lsps, armedAt);
  checks.splice(1, 0, { name: `all ${nics.length} NICs completed in one NB transaction (requested-chassis=${end})`, ok: completed.ok, detail: completed.detail });
  return {
    ...first,
    interruptionMs: Math.max(...nics.map((n) => n.analysis.interruptionMs)),
    checks,
    ok: checks.every((c) => c.ok),
  };
}
