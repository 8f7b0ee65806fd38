/**
 * One live migration of a fresh VM port from hv1 to hv2 on a shared 3-chassis sandbox (the peer on hv3), with
 * the data-plane probe running, moved by one of three network approaches at KubeVirt's moments:
 *
 *   ovnkit        multichassis + activation-strategy=rarp armed when the target pod has its node
 *                 (@ovnkit/ovn-nb migration.arm), completed after the VM resumed (migration.complete)
 *   classic       no pre-binding (OVN < 22.06, or a CNI that only moves the binding at the end):
 *                 requested-chassis switched from hv1 to hv2 when the migration completed
 *   multichassis  requested-chassis="hv1,hv2" at the same moment as ovnkit, but WITHOUT activation-strategy:
 *                 the target is unblocked, OVN delivers the VM's traffic there while the VM is not running yet
 *
 * Everything else is identical: the target NIC is plugged when the target pod is scheduled, memory sync, the
 * VM's own pause (source stops, target resumes with a RARP), the completion signal `completeDelayMs` after the
 * resume. The numbers come from the demo's pure analysis (examples/demo/analysis.ts) of the per-packet records.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { NbClient, SbClient } from "@ovnkit/ovn-nb";
import { Probe, buildRarp, startSandbox, type Sandbox, type VmPort } from "@ovnkit/sandbox";
import { analyze } from "../../examples/demo/analysis.js";
import { Timeline, wallNow } from "../../examples/demo/clock.js";
import { readBlockingFlows } from "../../examples/demo/flows.js";

export type Approach = "ovnkit" | "classic" | "multichassis";
export const APPROACHES: readonly Approach[] = ["ovnkit", "classic", "multichassis"];

export const SOURCE = "hv1";
export const TARGET = "hv2";
export const PEER_CHASSIS = "hv3";
const SWITCH = "ls0";
const PEER = { lsp: "peer", mac: "0a:00:00:00:00:02", ip: "10.0.0.20" };
/** Delivery takes well under a millisecond on the sandbox: the margin before a capture is final. */
const DRAIN_MS = 30;

export interface RoundOptions {
  intervalMs: number;
  steadyMs: number;
  memorySyncMs: number;
  downtimeMs: number;
  /** From the target's resume until the network controller acts on the completion. */
  completeDelayMs: number;
  tailMs: number;
}

export interface RoundResult {
  approach: Approach;
  round: number;
  completeDelayMs: number;
  /** Interruption peer -> VM and VM -> peer (ms; NaN when an edge is missing). */
  toVmGapMs: number;
  fromVmGapMs: number;
  lostToVm: number;
  lostFromVm: number;
  /** Peer -> VM packets delivered at the target before the VM ran there. */
  atTargetBeforeRun: number;
  /** Peer -> VM packets delivered at both chassis. */
  duplicated: number;
  /** Peer -> VM packets after the target's first delivery that the target missed (a hiccup after the switch-over). */
  lostAfterFirstAtTarget: number;
  /** ovnkit only: copies OVN sent to the target before the resume that its blocking flow dropped. */
  droppedAtTarget: number | undefined;
  sent: number;
}

export interface MigrationBenchLab {
  sandbox: Sandbox;
  nb: NbClient;
  sb: SbClient;
  peer: VmPort;
  close(): Promise<void>;
}

export async function startMigrationBenchLab(): Promise<MigrationBenchLab> {
  const sandbox = await startSandbox({ chassis: 3 });
  const closers: (() => Promise<unknown>)[] = [() => sandbox.stop({ removeDir: true })];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const nb = await NbClient.connect(sandbox.nbRemote);
    closers.push(() => nb.close());
    const sb = await SbClient.connect(sandbox.sbRemote);
    closers.push(() => sb.close());
    await nb.switches.ensure({ name: SWITCH });
    await nb.switchPorts.ensure(SWITCH, { name: PEER.lsp, addresses: [`${PEER.mac} ${PEER.ip}`], options: { "requested-chassis": PEER_CHASSIS } });
    const peer = await sandbox.addVmPort(PEER_CHASSIS, { ifaceId: PEER.lsp, mac: PEER.mac, ip: PEER.ip, waitInstalled: true });
    return { sandbox, nb, sb, peer, close };
  } catch (e) {
    await close();
    throw e;
  }
}

function vmOf(round: number): { lsp: string; mac: string; ip: string } {
  const h = (n: number): string => n.toString(16).padStart(2, "0");
  return { lsp: `vm${round}`, mac: `0a:00:00:01:${h((round >> 8) & 0xff)}:${h(round & 0xff)}`, ip: `10.0.${1 + (round >> 8)}.${round & 0xff}` };
}

/** Runs one migration with `approach`; the VM's port and NICs are removed afterwards. */
export async function runRound(lab: MigrationBenchLab, approach: Approach, round: number, o: RoundOptions): Promise<RoundResult> {
  const { sandbox, nb, sb } = lab;
  const vm = vmOf(round);
  const uid = randomUUID();
  await nb.switchPorts.ensure(SWITCH, { name: vm.lsp, addresses: [`${vm.mac} ${vm.ip}`], options: { "requested-chassis": SOURCE }, external_ids: { pod: `default/${vm.lsp}` } });
  const atSource = await sandbox.addVmPort(SOURCE, { ifaceId: vm.lsp, mac: vm.mac, ip: vm.ip, waitInstalled: true });
  let atTarget: VmPort | undefined;
  let probe: Probe | undefined;
  try {
    await sb.waitForBinding(vm.lsp, (b) => b.chassis === SOURCE && b.up === true);
    await nb.global.sync("hv");
    const timeline = new Timeline();
    probe = new Probe({ peer: lab.peer, vm, locations: [atSource], active: atSource, intervalMs: o.intervalMs });
    probe.start();
    await sleep(o.steadyMs);

    // the target pod got its node: the network is armed (or not), the CNI plugs the target NIC
    if (approach === "ovnkit") await nb.migration.arm({ uid, source: SOURCE, target: TARGET, ports: [vm.lsp] });
    else if (approach === "multichassis") await nb.switchPorts.setOptions(vm.lsp, { "requested-chassis": `${SOURCE},${TARGET}` });
    timeline.mark("ovnkit", "arm", "target scheduled");
    atTarget = await sandbox.addVmPort(TARGET, { ifaceId: vm.lsp, name: `${vm.lsp}-t`, mac: vm.mac, ip: vm.ip });
    probe.addLocation(atTarget);
    // with a pre-binding the CNI waits for the port to be ready on the target; without one it never becomes so
    if (approach !== "classic") await Promise.all([atTarget.waitInstalled(), sb.waitForBinding(vm.lsp, (b) => b.additionalChassis.includes(TARGET))]);
    await sleep(o.memorySyncMs);
    let droppedAtTarget: number | undefined;
    if (approach === "ovnkit") droppedAtTarget = (await readBlockingFlows(sandbox.hv(TARGET), await atTarget.ofport(), { exactCounters: true })).dropToVm?.nPackets ?? 0;

    probe.setActive(null);
    timeline.mark("vm", "source-paused", "source paused");
    await sleep(o.downtimeMs);
    // the VM runs on the target from the moment it sends its RARP (stamped before the injection's round trip)
    const resumedAt = wallNow();
    await atTarget.send(buildRarp({ mac: vm.mac }));
    probe.setActive(atTarget);
    timeline.mark("vm", "rarp", "target resumed, RARP sent", resumedAt);

    if (o.completeDelayMs > 0) await sleep(o.completeDelayMs);
    if (approach === "ovnkit") await nb.migration.complete({ uid, outcome: "succeeded", ports: [vm.lsp] });
    else await nb.switchPorts.setOptions(vm.lsp, { "requested-chassis": TARGET });
    timeline.mark("ovnkit", "complete", "migration completed: port moved to the target");
    await sb.waitForBinding(vm.lsp, (b) => b.chassis === TARGET && b.additionalChassis.length === 0 && b.up === true);
    await nb.global.sync("hv");
    timeline.mark("ovn", "hv-synced", "every chassis caught up");
    await sleep(o.tailMs);
    timeline.mark("probe", "tail-end", "tail end");
    await sleep(DRAIN_MS);
    const report = await probe.stop({ drainMs: 50 });
    probe = undefined;
    const a = analyze({
      probe: report, timeline, source: SOURCE, target: TARGET, finalBinding: sb.binding(vm.lsp),
      droppedAtTargetBeforeRarp: droppedAtTarget ?? 0, driverLatencies: [],
    });
    const firstSeq = a.toVm.firstAtTarget?.seq ?? Number.POSITIVE_INFINITY;
    const lostAfterFirstAtTarget = report.toVm.packets.filter((p) => p.seq > firstSeq && p.deliveredAt[TARGET] === undefined).length;
    return {
      lostAfterFirstAtTarget,
      approach, round, completeDelayMs: o.completeDelayMs,
      toVmGapMs: a.toVm.gapMs, fromVmGapMs: a.fromVm.gapMs, lostToVm: a.toVm.lost, lostFromVm: a.fromVm.lost,
      atTargetBeforeRun: a.deliveredAtTargetBeforeRarp, duplicated: a.duplicated, droppedAtTarget, sent: a.toVm.sent,
    };
  } finally {
    if (probe) await probe.stop({ drainMs: 0 }).catch(() => undefined);
    await atSource.detach().catch(() => undefined);
    await atTarget?.detach().catch(() => undefined);
    await nb.switchPorts.delete(vm.lsp, { ifExists: true }).catch(() => undefined);
  }
}
