/**
 * The whole demo as one function (the entry point and the e2e suite both call it): start the lab, start the
 * probe (one stream per NIC), play the KubeVirt timeline with a driver, stop the probes, analyse (analysis.ts
 * for a migration that succeeded, analysis-failed.ts for one that failed; nics.ts joins the NICs). Everything
 * started is stopped again through `cleanup`, whatever happens.
 */
import { Probe, type ProbeReport, type Sandbox } from "@ovnkit/sandbox";
import type { NbClient, PortBindingState } from "@ovnkit/ovn-nb";
import { analyze, type Analysis } from "./analysis.js";
import { analyzeFailed } from "./analysis-failed.js";
import { BindingWatch } from "./binding-watch.js";
import type { Cleanup } from "./cleanup.js";
import { Timeline } from "./clock.js";
import { DirectDriver } from "./direct-driver.js";
import type { MigrationDriver } from "./driver.js";
import { MigratorDriver } from "./migrator-driver.js";
import { PEER_CHASSIS, SOURCE, TARGET, VM, startLab } from "./lab.js";
import { playTimeline, type TimelineOptions } from "./kubevirt-timeline.js";
import { NbPortTransactions, type PortTransaction } from "./nb-transactions.js";
import { combineNics, type NicAnalysis } from "./nics.js";

export type DriverName = "direct" | "migrator";

export interface ScenarioOptions extends TimelineOptions {
  driver: DriverName;
  /** Probe interval (ms). */
  intervalMs: number;
  /** The VM's NICs (default 1): NIC 0 is "vm1", then "vm1-nic1"... */
  nics: number;
  /** Run the sandbox in this directory (kept after the run) instead of a fresh temp dir (removed). */
  dir?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  driver: "direct",
  intervalMs: 5,
  nics: 1,
  outcome: "succeeded",
  steadyMs: 100,
  memorySyncMs: 200,
  downtimeMs: 30,
  tailMs: 100,
};

export interface ScenarioResult {
  options: ScenarioOptions;
  driver: { name: string; description: string; summary: string[] };
  sandboxDir: string;
  /** The sandbox's NB and SB remotes (valid until the cleanup ran). */
  nbRemote: string;
  sbRemote: string;
  sandboxStartMs: number;
  chassis: { source: string; target: string; peer: string };
  timeline: Timeline;
  /** NIC 0's probe report and final binding. */
  probe: ProbeReport;
  finalBinding: PortBindingState | undefined;
  /** The run's analysis (with several NICs: every NIC's checks and the transaction checks, see nics.ts). */
  analysis: Analysis;
  /** Per NIC (NIC 0 first): its port, probe report, final binding and analysis. */
  nics: (NicAnalysis & { probe: ProbeReport; finalBinding: PortBindingState | undefined })[];
  /** The NB transactions that changed the NICs' requested-chassis while the migration ran. */
  transactions: PortTransaction[];
}

async function makeDriver(name: DriverName, ctx: { nb: NbClient; sandbox: Sandbox; timeline: Timeline; ports: string[]; completeAfterSourceRelease: boolean }): Promise<MigrationDriver> {
  if (name === "direct") return new DirectDriver({ nb: ctx.nb, timeline: ctx.timeline, ports: ctx.ports, source: SOURCE, target: TARGET });
  return MigratorDriver.start({
    nb: ctx.nb, nbRemote: ctx.sandbox.nbRemote, sbRemote: ctx.sandbox.sbRemote, timeline: ctx.timeline,
    vm: { namespace: VM.namespace, name: VM.name, node: SOURCE }, ports: ctx.ports, target: TARGET, completeAfterSourceRelease: ctx.completeAfterSourceRelease,
  });
}

export async function runScenario(cleanup: Cleanup, options: Partial<ScenarioOptions> = {}): Promise<ScenarioResult> {
  const o: ScenarioOptions = { ...DEFAULT_OPTIONS, ...options };
  if (o.completeAfterSourceRelease && o.driver !== "migrator") throw new Error("completeAfterSourceRelease is a migrator option: use the migrator driver");
  const log = o.log ?? (() => undefined);
  log(`starting an OVN sandbox: NB, SB, northd, chassis ${SOURCE} (source), ${TARGET} (target), ${PEER_CHASSIS} (the VM's peer)...`);
  const lab = await startLab(cleanup, { nics: o.nics, ...(o.dir === undefined ? {} : { dir: o.dir }) });
  const ports = lab.nics.map((n) => n.nic.lsp);
  log(`sandbox up in ${Math.round(lab.startMs)} ms (${lab.sandbox.dir}); VM port${ports.length > 1 ? "s" : ""} ${ports.join(", ")} bound on ${SOURCE}, peer on ${PEER_CHASSIS}`);
  const timeline = new Timeline();
  const watch = new BindingWatch(lab.sb, VM.lsp, TARGET, timeline);
  cleanup.add("stop watching SB", async () => watch.close());
  const txns = new NbPortTransactions(lab.nb, ports);
  cleanup.add("stop watching NB transactions", async () => txns.close());
  if (o.driver === "migrator") log("starting the fake Kubernetes API server, the VM's objects and ovnkit-migrator...");
  const driver = await makeDriver(o.driver, { nb: lab.nb, sandbox: lab.sandbox, timeline, ports, completeAfterSourceRelease: o.completeAfterSourceRelease ?? false });
  cleanup.add(`close the ${driver.name} driver`, () => driver.close());

  const probes = lab.nics.map(({ nic, atSource }) => new Probe({ peer: lab.peer, vm: nic, locations: [atSource], active: atSource, intervalMs: o.intervalMs }));
  for (const probe of probes) {
    probe.start();
    cleanup.add("stop the probe", () => probe.stop({ drainMs: 0 }));
  }
  const perNic = probes.length > 1 ? ` on each of the ${probes.length} NICs` : "";
  timeline.mark("probe", "probe-start", `probe: numbered UDP every ${o.intervalMs} ms, peer (${PEER_CHASSIS}) <-> VM (${SOURCE})${perNic}`, probes[0]!.report().startedAt);
  log(`migrating ${VM.name} from ${SOURCE} to ${TARGET} (driver: ${driver.name}, outcome: ${o.outcome ?? "succeeded"})...`);
  const facts = await playTimeline(lab, driver, probes, timeline, watch, o);
  // delivery takes well under a millisecond here: 50 ms without a new capture means the rest was lost
  const reports = await Promise.all(probes.map((p) => p.stop({ drainMs: 50 })));
  timeline.mark("probe", "probe-stop", `probe stopped: ${reports[0]!.toVm.sent} packets each way${perNic}`);
  const summary = await driver.summary();
  const nics = lab.nics.map(({ nic }, i) => {
    const finalBinding = lab.sb.binding(nic.lsp);
    const input = {
      probe: reports[i]!, timeline, source: SOURCE, target: TARGET, finalBinding,
      droppedAtTargetBeforeRarp: facts.droppedAtTargetBeforeRarp[i]!, driverLatencies: i === 0 ? driver.latencies() : [],
    };
    return { lsp: nic.lsp, probe: reports[i]!, finalBinding, analysis: o.outcome === "failed" ? analyzeFailed(input) : analyze(input) };
  });
  const analysis = combineNics(nics, txns.transactions, { source: SOURCE, target: TARGET });
  return {
    options: o,
    driver: { name: driver.name, description: driver.description, summary },
    sandboxDir: lab.sandbox.dir,
    nbRemote: lab.sandbox.nbRemote,
    sbRemote: lab.sandbox.sbRemote,
    sandboxStartMs: lab.startMs,
    chassis: { source: SOURCE, target: TARGET, peer: PEER_CHASSIS },
    timeline, probe: nics[0]!.probe, finalBinding: nics[0]!.finalBinding, analysis, nics, transactions: [...txns.transactions],
  };
}
