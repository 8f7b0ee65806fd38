/**
 * The whole demo as one function (the entry point and the e2e suite both call it): start the lab, start the
 * probe, play the KubeVirt timeline with a driver, stop the probe, analyse. Everything started is stopped again
 * through `cleanup`, whatever happens.
 */
import { Probe, type ProbeReport, type Sandbox } from "@ovnkit/sandbox";
import type { NbClient, PortBindingState } from "@ovnkit/ovn-nb";
import { analyze, type Analysis } from "./analysis.js";
import { BindingWatch } from "./binding-watch.js";
import type { Cleanup } from "./cleanup.js";
import { Timeline } from "./clock.js";
import { DirectDriver } from "./direct-driver.js";
import type { MigrationDriver } from "./driver.js";
import { MigratorDriver } from "./migrator-driver.js";
import { PEER_CHASSIS, SOURCE, TARGET, VM, startLab } from "./lab.js";
import { playTimeline, type TimelineOptions } from "./kubevirt-timeline.js";

export type DriverName = "direct" | "migrator";

export interface ScenarioOptions extends TimelineOptions {
  driver: DriverName;
  /** Probe interval (ms). */
  intervalMs: number;
  /** Run the sandbox in this directory (kept after the run) instead of a fresh temp dir (removed). */
  dir?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  driver: "direct",
  intervalMs: 5,
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
  probe: ProbeReport;
  finalBinding: PortBindingState | undefined;
  analysis: Analysis;
}

async function makeDriver(name: DriverName, ctx: { nb: NbClient; sandbox: Sandbox; timeline: Timeline }): Promise<MigrationDriver> {
  if (name === "direct") return new DirectDriver({ nb: ctx.nb, timeline: ctx.timeline, ports: [VM.lsp], source: SOURCE, target: TARGET });
  return MigratorDriver.start({
    nb: ctx.nb, nbRemote: ctx.sandbox.nbRemote, sbRemote: ctx.sandbox.sbRemote, timeline: ctx.timeline,
    vm: { namespace: VM.namespace, name: VM.name, node: SOURCE }, port: VM.lsp, target: TARGET,
  });
}

export async function runScenario(cleanup: Cleanup, options: Partial<ScenarioOptions> = {}): Promise<ScenarioResult> {
  const o: ScenarioOptions = { ...DEFAULT_OPTIONS, ...options };
  const log = o.log ?? (() => undefined);
  log(`starting an OVN sandbox: NB, SB, northd, chassis ${SOURCE} (source), ${TARGET} (target), ${PEER_CHASSIS} (the VM's peer)...`);
  const lab = await startLab(cleanup, o.dir === undefined ? {} : { dir: o.dir });
  log(`sandbox up in ${Math.round(lab.startMs)} ms (${lab.sandbox.dir}); VM port ${VM.lsp} bound on ${SOURCE}, peer on ${PEER_CHASSIS}`);
  const timeline = new Timeline();
  const watch = new BindingWatch(lab.sb, VM.lsp, TARGET, timeline);
  cleanup.add("stop watching SB", async () => watch.close());
  if (o.driver === "migrator") log("starting the fake Kubernetes API server, the VM's objects and ovnkit-migrator...");
  const driver = await makeDriver(o.driver, { nb: lab.nb, sandbox: lab.sandbox, timeline });
  cleanup.add(`close the ${driver.name} driver`, () => driver.close());

  const probe = new Probe({ peer: lab.peer, vm: VM, locations: [lab.vmAtSource], active: lab.vmAtSource, intervalMs: o.intervalMs });
  probe.start();
  cleanup.add("stop the probe", () => probe.stop({ drainMs: 0 }));
  timeline.mark("probe", "probe-start", `probe: numbered UDP every ${o.intervalMs} ms, peer (${PEER_CHASSIS}) <-> VM (${SOURCE})`, probe.report().startedAt);
  log(`migrating ${VM.name} from ${SOURCE} to ${TARGET} (driver: ${driver.name})...`);
  const facts = await playTimeline(lab, driver, probe, timeline, watch, o);
  // delivery takes well under a millisecond here: 50 ms without a new capture means the rest was lost
  const report = await probe.stop({ drainMs: 50 });
  timeline.mark("probe", "probe-stop", `probe stopped: ${report.toVm.sent} packets each way`);
  const finalBinding = lab.sb.binding(VM.lsp);
  const summary = await driver.summary();
  const analysis = analyze({
    probe: report, timeline, source: SOURCE, target: TARGET, finalBinding,
    droppedAtTargetBeforeRarp: facts.droppedAtTargetBeforeRarp, driverLatencies: driver.latencies(),
  });
  return {
    options: o,
    driver: { name: driver.name, description: driver.description, summary },
    sandboxDir: lab.sandbox.dir,
    nbRemote: lab.sandbox.nbRemote,
    sbRemote: lab.sandbox.sbRemote,
    sandboxStartMs: lab.startMs,
    chassis: { source: SOURCE, target: TARGET, peer: PEER_CHASSIS },
    timeline, probe: report, finalBinding, analysis,
  };
}
