/**
 * The headline number: the network interruption of a KubeVirt live migration on OVN, ovnkit side by side with
 * the approaches it replaces, in one run on one 3-chassis sandbox (real ovsdb-server, northd, ovn-controller,
 * ovs-vswitchd; hv1 source, hv2 target, hv3 the VM's peer), several migrations each, approaches alternating:
 *
 *   ovnkit        multichassis + activation-strategy=rarp armed when the target pod has its node, completed after
 *   classic       requested-chassis moved hv1 -> hv2 only when the migration completed (no pre-binding)
 *   multichassis  multichassis armed like ovnkit but without activation-strategy=rarp (target unblocked)
 *
 * Each set of rounds runs with every completion delay of --complete-delay-ms (default "0,100"): the time from the
 * target's resume until the network controller acts on the completion. 0 is the lower bound (a controller that
 * learns of the completion the instant the VM resumes); 100 ms stands for KubeVirt's status round trips
 * (target virt-handler -> API -> virt-controller -> VMIM Succeeded -> the controller's watch), an assumption.
 *
 * Same simulated VM pause in each; a data-plane probe (numbered UDP every --interval-ms both ways) measures
 * per migration the interruption in each direction, the packets lost, and the deliveries at the target before
 * the VM ran there. See bench/lib/migration-round.ts for one round and bench/README.md for the method.
 *
 * Run: bash scripts/bench.sh migration-downtime [--rounds N] [--downtime-ms N] [--memory-sync-ms N]
 *        [--complete-delay-ms N,N...] [--interval-ms N] [--approaches ovnkit,classic,multichassis]
 */
import { arg } from "./lib/cli.js";
import { APPROACHES, runRound, startMigrationBenchLab, type Approach, type RoundOptions, type RoundResult } from "./lib/migration-round.js";

const rounds = Number(arg("rounds", "10"));
const delays = arg("complete-delay-ms", "0,100").split(",").map(Number);
const o: Omit<RoundOptions, "completeDelayMs"> = {
  intervalMs: Number(arg("interval-ms", "5")),
  steadyMs: 40,
  memorySyncMs: Number(arg("memory-sync-ms", "100")),
  downtimeMs: Number(arg("downtime-ms", "30")),
  tailMs: 40,
};
const approaches = arg("approaches", APPROACHES.join(",")).split(",") as Approach[];
for (const a of approaches) if (!APPROACHES.includes(a)) throw new Error(`unknown approach ${a} (${APPROACHES.join(", ")})`);

/** Nearest-rank percentile (p in 0..1) of the finite values. */
function percentile(xs: readonly number[], p: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

const t0 = performance.now();
const lab = await startMigrationBenchLab();
console.log(`sandbox: 3 chassis in ${Math.round(performance.now() - t0)} ms; ${rounds} migrations per approach, alternating; ` +
  `probe every ${o.intervalMs} ms, memory sync ${o.memorySyncMs} ms, VM pause ${o.downtimeMs} ms, completion ${delays.join(" / ")} ms after the resume`);
const results: RoundResult[] = [];
let n = 0;
try {
  for (let r = 0; r < rounds; r++) {
    // rotate the order so that no approach always runs first (or right after the same one)
    const order = approaches.map((_, i) => approaches[(i + r) % approaches.length]!);
    for (const completeDelayMs of delays) for (const approach of order) {
      const res = await runRound(lab, approach, ++n, { ...o, completeDelayMs });
      results.push(res);
      console.log(`  #${String(n).padStart(2)} ${approach.padEnd(12)} +${completeDelayMs} ms peer->VM ${f1(res.toVmGapMs).padStart(6)} ms  VM->peer ${f1(res.fromVmGapMs).padStart(6)} ms  ` +
        `lost ${res.lostToVm}/${res.lostFromVm} (after the target's first: ${res.lostAfterFirstAtTarget})  at target before it ran ${res.atTargetBeforeRun}` + (res.droppedAtTarget === undefined ? "" : `  (blocked there: ${res.droppedAtTarget})`));
    }
  }
} finally {
  await lab.close();
}

interface Row { approach: Approach; delay: number; toVm: number[]; fromVm: number[]; rs: RoundResult[] }
const rows: Row[] = delays.flatMap((delay) => approaches.map((approach) => {
  const rs = results.filter((x) => x.approach === approach && x.completeDelayMs === delay);
  return { approach, delay, rs, toVm: rs.map((x) => x.toVmGapMs), fromVm: rs.map((x) => x.fromVmGapMs) };
}));
const stat = (xs: number[]): string => `${f1(percentile(xs, 0.5))} / ${f1(percentile(xs, 0.9))} / ${f1(Math.max(...xs.filter(Number.isFinite)))}`;
const ratio = (r: Row, dir: "toVm" | "fromVm"): string => {
  const base = rows.find((b) => b.approach === "ovnkit" && b.delay === r.delay);
  return base ? `${(percentile(r[dir], 0.5) / percentile(base[dir], 0.5)).toFixed(1)}x` : "-";
};

console.log(`\n${rounds} migrations per approach, VM pause ${o.downtimeMs} ms, ${((performance.now() - t0) / 1000).toFixed(1)} s total`);
console.log("| approach | completion after resume ms | peer -> VM interruption ms, median / p90 / max | VM -> peer ms, median / p90 / max | ratio vs ovnkit (medians, peer->VM / VM->peer) | lost peer->VM / VM->peer, total (per migration max) | delivered at target before it ran, total | delivered at both chassis, total | missed by the target after its first delivery, total | missing edge |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const lostTo = r.rs.map((x) => x.lostToVm);
  const lostFrom = r.rs.map((x) => x.lostFromVm);
  const missing = r.rs.filter((x) => !Number.isFinite(x.toVmGapMs) || !Number.isFinite(x.fromVmGapMs)).length;
  const blocked = r.approach === "ovnkit" ? ` (${sum(r.rs.map((x) => x.droppedAtTarget ?? 0))} copies dropped by the blocking flow)` : "";
  console.log(`| ${r.approach} | ${r.delay} | ${stat(r.toVm)} | ${stat(r.fromVm)} | ${ratio(r, "toVm")} / ${ratio(r, "fromVm")} | ` +
    `${sum(lostTo)} (${Math.max(...lostTo)}) / ${sum(lostFrom)} (${Math.max(...lostFrom)}) | ${sum(r.rs.map((x) => x.atTargetBeforeRun))}${blocked} | ` +
    `${sum(r.rs.map((x) => x.duplicated))} | ${sum(r.rs.map((x) => x.lostAfterFirstAtTarget))} | ${missing} |`);
}
