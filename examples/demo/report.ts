/**
 * Prints a run: the timeline table (ms since the probe started, who did what, with the data plane's edges
 * interleaved), the data-plane figures per direction, the control-plane latencies, the checks and the verdict.
 */
import type { Analysis, Direction } from "./analysis.js";
import { INTERRUPTION_LIMIT_MS } from "./analysis.js";
import type { TimelineEvent } from "./clock.js";
import { VM } from "./lab.js";
import type { ScenarioResult } from "./scenario.js";

/** Width of the label column of the data-plane table. */
const W = 50;
const ms = (v: number, digits = 1): string => (Number.isNaN(v) ? "n/a" : `${v.toFixed(digits)} ms`);

function dataRows(a: Analysis, source: string): TimelineEvent[] {
  const target = a.resumedOn;
  const resumed = target === source ? `${source} (resumed)` : target;
  const rows: TimelineEvent[] = [];
  const edge = (d: Direction, which: "lastAtSource" | "firstAtTarget", text: string): void => {
    const e = d[which];
    if (e) rows.push({ at: e.at, actor: "probe", step: `${d.label}:${which}`, text: `${text} (seq ${e.seq})` });
  };
  edge(a.toVm, "lastAtSource", `data: last peer -> VM packet the running VM took in at ${source}`);
  edge(a.fromVm, "lastAtSource", `data: last VM -> peer packet from ${source} delivered`);
  edge(a.toVm, "firstAtTarget", `data: first peer -> VM packet delivered at ${resumed}`);
  edge(a.fromVm, "firstAtTarget", `data: first VM -> peer packet from ${resumed} delivered`);
  return rows;
}

export function formatReport(r: ScenarioResult): string {
  const a = r.analysis;
  const { source, target, peer } = r.chassis;
  const out: string[] = [];
  const line = (s = ""): void => void out.push(s);
  const t0 = r.timeline.require("probe-start");

  const failed = a.outcome === "failed";
  const resumed = failed ? `${source} (resumed)` : target;
  const nicsText = r.nics.length > 1 ? `${r.nics.length} NICs: ${r.nics.map((n) => n.lsp).join(", ")}` : `${VM.mac}, ${VM.ip}`;
  line(`Live migration of VM ${VM.name} (${nicsText}) from ${source} to ${target}${failed ? " that FAILS at the switch-over (--outcome failed)" : ""}, on a local OVN sandbox`);
  line(`  driver:  ${r.driver.name}: ${r.driver.description}`);
  line(`  sandbox: NB, SB, ovn-northd, ${source} ${target} ${peer} (ovn-controller + ovs-vswitchd, dummy datapath, geneve) up in ${Math.round(r.sandboxStartMs)} ms`);
  line(`  probe:   numbered UDP every ${r.options.intervalMs} ms each way between the VM and its peer on ${peer}`);
  line();
  line("Timeline (ms since the probe started)");
  line(`  ${"t (ms)".padStart(8)}  ${"who".padEnd(8)}  what`);
  line(`  ${"-".repeat(8)}  ${"-".repeat(8)}  ${"-".repeat(90)}`);
  const rows = [...r.timeline.events, ...dataRows(a, source)].sort((x, y) => x.at - y.at);
  for (const e of rows) line(`  ${(e.at - t0).toFixed(1).padStart(8)}  ${e.actor.padEnd(8)}  ${e.text}`);
  line();

  line(`${"Data plane (probe)".padEnd(W + 2)}${"peer -> VM".padEnd(20)}VM -> peer`);
  const row = (label: string, f: (d: Direction) => string): void => line(`  ${label.padEnd(W)}${f(a.toVm).padEnd(20)}${f(a.fromVm)}`);
  const rel = (e: { seq: number; at: number } | undefined): string => (e ? `seq ${e.seq} @ ${(e.at - t0).toFixed(1)}` : "none");
  row("packets sent", (d) => String(d.sent));
  row(`last delivered with the VM on ${source}`, (d) => rel(d.lastAtSource));
  row(`first delivered with the VM on ${resumed}`, (d) => rel(d.firstAtTarget));
  row(failed ? "interruption (first after - last before pause)" : "interruption (first at target - last at source)", (d) => ms(d.gapMs));
  row("packets lost", (d) => String(d.lost));
  line(`  ${"of which the VM itself was paused".padEnd(W)}${ms(a.vmPausedMs)} (stop-and-copy, simulated; the rest is the network)`);
  line(`  ${`duplicates (delivered at ${source} and ${target})`.padEnd(W)}${a.duplicated}${failed ? "" : " (to the paused source, between the RARP and the end of the duplication)"}`);
  line(`  ${failed ? `delivered at ${target} (the target never ran)` : `delivered at ${target} before the RARP`}`.padEnd(W + 2) + String(a.deliveredAtTargetBeforeRarp));
  for (const n of r.nics.length > 1 ? r.nics : []) {
    const na = n.analysis;
    line(`  ${`NIC ${n.lsp}: interruption / lost`.padEnd(W)}${`${ms(na.toVm.gapMs)} / ${na.toVm.lost}`.padEnd(20)}${ms(na.fromVm.gapMs)} / ${na.fromVm.lost}`);
  }
  if (r.nics.length > 1) {
    line(`  NB transactions that changed the NICs' requested-chassis:`);
    for (const t of r.transactions) line(`    ${(t.at - t0).toFixed(1).padStart(8)}  ${t.txn}: ${Object.entries(t.requestedChassis).map(([l, v]) => `${l}=${v ?? "-"}`).join("  ")}`);
  }
  line();

  line("Control plane (each side seen through its own connection in this one process; a busy event loop blurs order by a few ms)");
  const width = Math.max(...a.latencies.map((l) => l.label.length)) + 2;
  for (const l of a.latencies) line(`  ${l.label.padEnd(width)}${ms(l.ms).padStart(10)}`);
  line();

  if (r.driver.summary.length > 0) {
    line(`ovnkit-migrator`);
    for (const l of r.driver.summary) line(`  ${l}`);
    line();
  }
  line("Checks");
  for (const c of a.checks) line(`  [${c.ok ? "ok" : "FAIL"}] ${c.name}: ${c.detail}`);
  line();
  const limit = INTERRUPTION_LIMIT_MS;
  const verdict = a.ok
    ? failed
      ? `PASS: migration failed cleanly: interruption ${ms(a.interruptionMs)} (the VM's ${ms(a.vmPausedMs)} pause; target < ${limit} ms), nothing lost by the network, port back on ${source} alone, nothing ever reached ${target}`
      : `PASS: network interruption ${ms(a.interruptionMs)} (target < ${limit} ms), ${a.toVm.lost + a.fromVm.lost} packets lost, port${r.nics.length > 1 ? `s (${r.nics.length} NICs)` : ""} bound on ${target} alone`
    : `FAIL: ${a.checks.filter((c) => !c.ok).map((c) => c.name).join("; ")}`;
  line(`Result: ${verdict}`);
  return out.join("\n");
}
