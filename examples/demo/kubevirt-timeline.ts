/**
 * The live migration as KubeVirt plays it, step by step, on the lab. KubeVirt's steps go to the driver (which
 * moves the network: arm at "target-scheduled", complete at "succeeded"); what the hosts and the VM do (plug the
 * target pod's NIC, pause the source, resume on the target with a RARP, unplug the source) is done here; the
 * probe keeps streaming throughout.
 *
 *   target pod bound to hv2 -> ARM -> CNI plugs the target NIC on hv2 -> SB additional_chassis=hv2 + hv2 blocking
 *   flows -> target pod Running, VMIM Scheduled, PreparingTarget, TargetReady, Running -> memory sync -> source paused -> target resumes: RARP on hv2, the VM sends from hv2 -> SB activated=hv2
 *   -> COMPLETE -> SB chassis=hv2 alone -> every chassis synced (traffic at hv2 only, hv1's NIC still there)
 *   -> source NIC removed from hv1 -> activation mark cleared
 *
 * With completeAfterSourceRelease (the migrator's --complete-after-source-release) the end of a success is
 * reordered: VMIM Succeeded (the migrator holds the completion) -> source NIC removed from hv1 -> SB chassis=[]
 * with additional_chassis=hv2 still activated (hv1 released alone, traffic keeps going to hv2) -> source pod
 * deleted -> COMPLETE -> SB chassis=hv2 alone (a single writer: no lost update) -> every chassis synced.
 *
 * With outcome "failed" the migration is aborted at the switch-over, after arming: the source pauses, then
 * resumes on hv1 (the target never ran, no RARP) -> VMIM Failed -> COMPLETE (failed): requested-chassis=hv1
 * -> SB chassis=hv1 alone -> every chassis synced (traffic at hv1 only, hv2's NIC still plugged) -> target NIC
 * removed from hv2 -> target pod deleted.
 *
 * A VM with several NICs does every host step on each NIC (plug, RARP, unplug); the network steps cover them
 * all at once (the driver arms and completes every NIC in one transaction).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { buildRarp, pollUntil, type Probe, type VmPort } from "@ovnkit/sandbox";
import type { BindingWatch } from "./binding-watch.js";
import { wallNow, type Timeline } from "./clock.js";
import type { KubevirtStep, MigrationDriver } from "./driver.js";
import { readBlockingFlows } from "./flows.js";
import { SOURCE, TARGET, VM, type Lab } from "./lab.js";

export type MigrationOutcome = "succeeded" | "failed";

/** Delivery takes well under a millisecond on the sandbox; this is the margin before a capture is final. */
const DRAIN_MS = 30;

export interface TimelineOptions {
  /** Steady traffic before the migration starts (ms). */
  steadyMs: number;
  /** "Memory sync": from Running until the source pauses (ms). */
  memorySyncMs: number;
  /** The VM's own pause (stop-and-copy): source paused -> target resumed, or source resumed after a failure (ms). */
  downtimeMs: number;
  /** Traffic after the move, once every chassis caught up, with the other chassis' NIC still plugged (ms). */
  tailMs: number;
  /** How the migration ends (default "succeeded"). */
  outcome?: MigrationOutcome;
  /**
   * The driver completes a succeeded migration only once the source pod is gone (migrator
   * --complete-after-source-release): the source NIC is unplugged and its pod deleted right after Succeeded.
   */
  completeAfterSourceRelease?: boolean;
}

export interface TimelineFacts {
  /** The target NIC of each of the VM's NICs (aligned with lab.nics). */
  atTarget: VmPort[];
  /** Per NIC: packets OVN duplicated to the target that its blocking flow dropped, counted at the end of the memory sync. */
  droppedAtTargetBeforeRarp: number[];
}

const STEP_TEXT: Record<KubevirtStep, string> = {
  "migration-created": "VirtualMachineInstanceMigration created (phase Pending)",
  "target-pod-created": "VMIM Scheduling: target virt-launcher pod created, no node yet",
  "target-scheduled": `target pod bound to ${TARGET} (spec.nodeName), still Pending: its network is set up next`,
  "target-pod-running": "target pod Running (the CNI saw the port ready); VMIM Scheduled",
  "preparing-target": "VMIM PreparingTarget: VMI status.migrationState records the migration",
  "target-ready": "VMIM TargetReady: the target domain waits for memory",
  "running": "VMIM Running: memory sync",
  "target-domain-ready": `VMI migrationState.targetNodeDomainReadyTimestamp: the VM runs on ${TARGET}`,
  "succeeded": `VMIM Succeeded: VMI migrationState.completed, status.nodeName=${TARGET}`,
  "source-pod-deleted": `source virt-launcher pod deleted (its NIC leaves ${SOURCE})`,
  "failed": `VMIM Failed: VMI migrationState.failed, the VM stays on ${SOURCE}`,
  "target-pod-deleted": `target virt-launcher pod deleted (its NIC left ${TARGET})`,
};

async function kubevirt(timeline: Timeline, driver: MigrationDriver, step: KubevirtStep): Promise<void> {
  timeline.mark("kubevirt", step, STEP_TEXT[step]);
  await driver.step(step);
}

const nicsText = (lab: Lab): string => (lab.nics.length > 1 ? `${lab.nics.length} NICs (${lab.nics.map((n) => n.nic.lsp).join(", ")})` : `iface-id=${VM.lsp}`);

export async function playTimeline(lab: Lab, driver: MigrationDriver, probes: readonly Probe[], timeline: Timeline, watch: BindingWatch, o: TimelineOptions): Promise<TimelineFacts> {
  const { sandbox } = lab;
  const target = sandbox.hv(TARGET);
  await sleep(o.steadyMs);

  await kubevirt(timeline, driver, "migration-created");
  await kubevirt(timeline, driver, "target-pod-created");
  await kubevirt(timeline, driver, "target-scheduled"); // -> ARM

  // the CNI plugs the target pod's NICs into br-int with the same iface-ids and waits for the ports to be ready
  timeline.mark("vm", "target-plugged", `CNI: target NIC plugged on ${TARGET} (ovs-vsctl add-port, ${nicsText(lab)}, same MAC/IP)`);
  const atTarget = await Promise.all(lab.nics.map(({ nic }) => sandbox.addVmPort(TARGET, { ifaceId: nic.lsp, name: `${nic.lsp}-target`, mac: nic.mac, ip: nic.ip })));
  atTarget.forEach((p, i) => probes[i]!.addLocation(p));
  const ofports = await Promise.all(atTarget.map((p) => p.ofport()));
  const blocking = async (ok: (f: Awaited<ReturnType<typeof readBlockingFlows>>) => boolean): Promise<true | undefined> => {
    for (const ofport of ofports) if (!ok(await readBlockingFlows(target, ofport))) return undefined;
    return true;
  };
  await Promise.all([
    watch.when("sb-additional-chassis"),
    ...lab.nics.slice(1).map(({ nic }) => lab.sb.waitForBinding(nic.lsp, (b) => b.additionalChassis.includes(TARGET))),
    Promise.all(atTarget.map((p) => p.waitInstalled())).then(() => timeline.mark("ovn", "target-installed", `${TARGET}: ovn-installed=true on the target NIC${atTarget.length > 1 ? "s" : ""} (what the CNI waits for)`)),
    pollUntil(`${TARGET} blocking flows`, () => blocking((f) => f.present), 10_000, 5)
      .then(() => timeline.mark("ovn", "blocking-flows-in", `${TARGET}: activation-strategy=rarp blocking flows seen installed (RARP -> controller, drop in/out; ovs-ofctl poll)`)),
  ]);
  await kubevirt(timeline, driver, "target-pod-running");
  await kubevirt(timeline, driver, "preparing-target");
  await kubevirt(timeline, driver, "target-ready");

  await kubevirt(timeline, driver, "running");
  await sleep(o.memorySyncMs);
  // at the end of the memory sync, the drop flows' counters show OVN duplicating the VM's traffic to the target,
  // where it is dropped
  await target.appctl("revalidator/purge");
  const dropped: number[] = [];
  for (const ofport of ofports) dropped.push((await readBlockingFlows(target, ofport)).dropToVm?.nPackets ?? 0);
  timeline.mark("ovn", "drop-counters", `${TARGET}: ${dropped.join(" + ")} packets for ${lab.nics.map((n) => n.nic.lsp).join(" + ")} duplicated to ${TARGET} so far, all dropped by its blocking flow`);

  for (const p of probes) p.setActive(null);
  timeline.mark("vm", "source-paused", `source VM paused on ${SOURCE} (stops sending and answering)`);
  await sleep(o.downtimeMs);
  if (o.outcome === "failed") await failedEnding(lab, driver, probes, timeline, atTarget, o);
  else await succeededEnding(lab, driver, probes, timeline, watch, atTarget, ofports, o);
  return { atTarget, droppedAtTargetBeforeRarp: dropped };
}

async function succeededEnding(lab: Lab, driver: MigrationDriver, probes: readonly Probe[], timeline: Timeline, watch: BindingWatch, atTarget: VmPort[], ofports: number[], o: TimelineOptions): Promise<void> {
  const target = lab.sandbox.hv(TARGET);
  // the target resumes: QEMU announces every NIC with a RARP. The VM runs on the target from the moment the
  // first RARP leaves (stamped before the injections' round trips: a NIC activated by its RARP may take in
  // packets before the next injection returns)
  const resumedAt = wallNow();
  await Promise.all(atTarget.map((p, i) => p.send(buildRarp({ mac: lab.nics[i]!.nic.mac }))));
  atTarget.forEach((p, i) => probes[i]!.setActive(p));
  timeline.mark("vm", "rarp", `target VM resumed on ${TARGET}: RARP sent${atTarget.length > 1 ? " on every NIC" : ""}, the VM sends and answers from ${TARGET}`, resumedAt);
  const flowsOut = pollUntil(`${TARGET} blocking flows removed`, async () => {
    for (const ofport of ofports) if (!(await readBlockingFlows(target, ofport)).absent) return undefined;
    return true;
  }, 10_000, 5).then(() => timeline.mark("ovn", "blocking-flows-out", `${TARGET}: blocking flows seen removed (port active; ovs-ofctl poll)`));
  await kubevirt(timeline, driver, "target-domain-ready");
  await Promise.all([
    watch.when("sb-activated"), flowsOut,
    ...lab.nics.slice(1).map(({ nic }) => lab.sb.waitForBinding(nic.lsp, (b) => b.activatedOn.includes(TARGET))),
  ]);

  // KubeVirt's post-copy bookkeeping (domain handover, status updates) takes a while before the VMIM turns
  // Succeeded; the demo waits until the duplication window is observable instead of racing it: every NIC's
  // probe has a peer -> VM packet delivered at both the source and the target (bounded, polled)
  await pollUntil("a packet delivered at both hv1 and hv2 after the RARP", () =>
    probes.every((probe) => probe.report().toVm.packets.some((p) => p.deliveredAt[SOURCE] !== undefined && p.deliveredAt[TARGET] !== undefined))
      ? true : undefined, 5_000, 5);
  timeline.mark("probe", "duplication-seen", `data: a peer -> VM packet delivered at both ${SOURCE} and ${TARGET} (the duplication window)`);

  if (o.completeAfterSourceRelease) return releaseThenComplete(lab, driver, probes, timeline, watch, o);
  await kubevirt(timeline, driver, "succeeded"); // -> COMPLETE
  await Promise.all([
    watch.when("sb-target-alone"),
    ...lab.nics.slice(1).map(({ nic }) => lab.sb.waitForBinding(nic.lsp, (b) => b.chassis === TARGET && b.additionalChassis.length === 0)),
  ]);
  await lab.nb.global.sync("hv");
  timeline.mark("ovn", "hv-synced", `every chassis caught up with NB (nb_cfg): traffic now goes to ${TARGET} only, ${SOURCE}'s NIC still plugged`);
  await sleep(o.tailMs);
  timeline.mark("probe", "tail-end", `${o.tailMs} ms of traffic after the move, ${SOURCE}'s NIC still plugged`);
  await sleep(DRAIN_MS); // frames sent before tail-end have been captured wherever they went

  for (const [i, { atSource }] of lab.nics.entries()) {
    await probes[i]!.removeLocation(atSource);
    await atSource.detach();
  }
  timeline.mark("vm", "source-unplugged", `source NIC removed from ${SOURCE}`);
  await kubevirt(timeline, driver, "source-pod-deleted");
  await watch.when("sb-mark-cleared");
}

/** Succeeded, then the source pod goes (its NIC first), and only then the migrator completes. */
async function releaseThenComplete(lab: Lab, driver: MigrationDriver, probes: readonly Probe[], timeline: Timeline, watch: BindingWatch, o: TimelineOptions): Promise<void> {
  await kubevirt(timeline, driver, "succeeded"); // the migrator holds the completion while the source pod runs
  // KubeVirt tears the source virt-launcher pod down: its CNI DEL unplugs the source NIC
  for (const [i, { atSource }] of lab.nics.entries()) {
    await probes[i]!.removeLocation(atSource);
    await atSource.detach();
  }
  timeline.mark("vm", "source-unplugged", `source NIC removed from ${SOURCE} (the source pod's CNI DEL), before COMPLETE`);
  await Promise.all(lab.nics.map(({ nic }) => lab.sb.waitForBinding(nic.lsp, (b) => b.chassis === null && b.additionalChassis.includes(TARGET) && b.activatedOn.includes(TARGET))));
  timeline.mark("ovn", "sb-source-released", `SB: ${SOURCE} released alone: chassis=[], additional_chassis=[${TARGET}] still activated (traffic keeps going to ${TARGET})`);
  await kubevirt(timeline, driver, "source-pod-deleted"); // -> COMPLETE
  await Promise.all([
    watch.when("sb-target-alone"),
    ...lab.nics.slice(1).map(({ nic }) => lab.sb.waitForBinding(nic.lsp, (b) => b.chassis === TARGET && b.additionalChassis.length === 0)),
  ]);
  await lab.nb.global.sync("hv");
  timeline.mark("ovn", "hv-synced", `every chassis caught up with NB (nb_cfg): traffic goes to ${TARGET} only, ${SOURCE}'s NIC already gone`);
  await sleep(o.tailMs);
  timeline.mark("probe", "tail-end", `${o.tailMs} ms of traffic after the move`);
  await sleep(DRAIN_MS);
  await watch.when("sb-mark-cleared");
}

async function failedEnding(lab: Lab, driver: MigrationDriver, probes: readonly Probe[], timeline: Timeline, atTarget: VmPort[], o: TimelineOptions): Promise<void> {
  // the switch-over failed: the source VM resumes where it was (no RARP: it never left)
  lab.nics.forEach(({ atSource }, i) => probes[i]!.setActive(atSource));
  timeline.mark("vm", "source-resumed", `migration aborted at the switch-over: the source VM resumes on ${SOURCE}, the target never ran`);
  await kubevirt(timeline, driver, "failed"); // -> COMPLETE (failed)
  await Promise.all(lab.nics.map(({ nic }) => lab.sb.waitForBinding(nic.lsp, (b) => b.chassis === SOURCE && b.additionalChassis.length === 0 && b.activationStrategy === undefined)));
  timeline.mark("ovn", "sb-source-alone", `SB: ${lab.nics.map((n) => n.nic.lsp).join(", ")} chassis=${SOURCE} alone (additional_chassis=[], no activation-strategy)`);
  await lab.nb.global.sync("hv");
  timeline.mark("ovn", "hv-synced", `every chassis caught up with NB (nb_cfg): traffic goes to ${SOURCE} only, ${TARGET}'s NIC still plugged`);
  await sleep(o.tailMs);
  timeline.mark("probe", "tail-end", `${o.tailMs} ms of traffic after the abort, ${TARGET}'s NIC still plugged`);
  await sleep(DRAIN_MS);

  for (const [i, p] of atTarget.entries()) {
    await probes[i]!.removeLocation(p);
    await p.detach();
  }
  timeline.mark("vm", "target-unplugged", `target NIC removed from ${TARGET}`);
  await kubevirt(timeline, driver, "target-pod-deleted");
}
