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
 */
import { setTimeout as sleep } from "node:timers/promises";
import { buildRarp, pollUntil, type Probe, type VmPort } from "@ovnkit/sandbox";
import type { BindingWatch } from "./binding-watch.js";
import type { Timeline } from "./clock.js";
import type { KubevirtStep, MigrationDriver } from "./driver.js";
import { readBlockingFlows } from "./flows.js";
import { SOURCE, TARGET, VM, type Lab } from "./lab.js";

/** Delivery takes well under a millisecond on the sandbox; this is the margin before a capture is final. */
const DRAIN_MS = 30;

export interface TimelineOptions {
  /** Steady traffic before the migration starts (ms). */
  steadyMs: number;
  /** "Memory sync": from Running until the source pauses (ms). */
  memorySyncMs: number;
  /** The VM's own pause (stop-and-copy): source paused -> target resumed (ms). */
  downtimeMs: number;
  /** Traffic after the move, once every chassis caught up, with the source NIC still plugged (ms). */
  tailMs: number;
}

export interface TimelineFacts {
  vmAtTarget: VmPort;
  /** Packets OVN duplicated to the target that its blocking flow dropped, counted at the end of the memory sync. */
  droppedAtTargetBeforeRarp: number;
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
};

async function kubevirt(timeline: Timeline, driver: MigrationDriver, step: KubevirtStep): Promise<void> {
  timeline.mark("kubevirt", step, STEP_TEXT[step]);
  await driver.step(step);
}

export async function playTimeline(lab: Lab, driver: MigrationDriver, probe: Probe, timeline: Timeline, watch: BindingWatch, o: TimelineOptions): Promise<TimelineFacts> {
  const { sandbox, vmAtSource } = lab;
  const target = sandbox.hv(TARGET);
  await sleep(o.steadyMs);

  await kubevirt(timeline, driver, "migration-created");
  await kubevirt(timeline, driver, "target-pod-created");
  await kubevirt(timeline, driver, "target-scheduled"); // -> ARM

  // the CNI plugs the target pod's NIC into br-int with the same iface-id and waits for the port to be ready
  timeline.mark("vm", "target-plugged", `CNI: target NIC plugged on ${TARGET} (ovs-vsctl add-port, iface-id=${VM.lsp}, same MAC/IP)`);
  const vmAtTarget = await sandbox.addVmPort(TARGET, { ifaceId: VM.lsp, name: `${VM.lsp}-target`, mac: VM.mac, ip: VM.ip });
  probe.addLocation(vmAtTarget);
  const ofport = await vmAtTarget.ofport();
  await Promise.all([
    watch.when("sb-additional-chassis"),
    vmAtTarget.waitInstalled().then(() => timeline.mark("ovn", "target-installed", `${TARGET}: ovn-installed=true on the target NIC (what the CNI waits for)`)),
    pollUntil(`${TARGET} blocking flows`, async () => ((await readBlockingFlows(target, ofport)).present ? true : undefined), 10_000, 5)
      .then(() => timeline.mark("ovn", "blocking-flows-in", `${TARGET}: activation-strategy=rarp blocking flows seen installed (RARP -> controller, drop in/out; ovs-ofctl poll)`)),
  ]);
  await kubevirt(timeline, driver, "target-pod-running");
  await kubevirt(timeline, driver, "preparing-target");
  await kubevirt(timeline, driver, "target-ready");

  await kubevirt(timeline, driver, "running");
  await sleep(o.memorySyncMs);
  // at the end of the memory sync, the drop flows' counters show OVN duplicating the VM's traffic to the target,
  // where it is dropped
  const flows = await readBlockingFlows(target, ofport, { exactCounters: true });
  timeline.mark("ovn", "drop-counters", `${TARGET}: ${flows.dropToVm?.nPackets ?? 0} packets for ${VM.lsp} duplicated to ${TARGET} so far, all dropped by its blocking flow`);

  probe.setActive(null);
  timeline.mark("vm", "source-paused", `source VM paused on ${SOURCE} (stops sending and answering)`);
  await sleep(o.downtimeMs);

  const rarp = buildRarp({ mac: VM.mac });
  await vmAtTarget.send(rarp);
  probe.setActive(vmAtTarget);
  timeline.mark("vm", "rarp", `target VM resumed on ${TARGET}: RARP sent, the VM sends and answers from ${TARGET}`);
  const flowsOut = pollUntil(`${TARGET} blocking flows removed`, async () => ((await readBlockingFlows(target, ofport)).absent ? true : undefined), 10_000, 5)
    .then(() => timeline.mark("ovn", "blocking-flows-out", `${TARGET}: blocking flows seen removed (port active; ovs-ofctl poll)`));
  await kubevirt(timeline, driver, "target-domain-ready");
  await Promise.all([watch.when("sb-activated"), flowsOut]);

  await kubevirt(timeline, driver, "succeeded"); // -> COMPLETE
  await watch.when("sb-target-alone");
  await lab.nb.global.sync("hv");
  timeline.mark("ovn", "hv-synced", `every chassis caught up with NB (nb_cfg): traffic now goes to ${TARGET} only, ${SOURCE}'s NIC still plugged`);
  await sleep(o.tailMs);
  timeline.mark("probe", "tail-end", `${o.tailMs} ms of traffic after the move, ${SOURCE}'s NIC still plugged`);
  await sleep(DRAIN_MS); // frames sent before tail-end have been captured wherever they went

  await probe.removeLocation(vmAtSource);
  await vmAtSource.detach();
  timeline.mark("vm", "source-unplugged", `source NIC removed from ${SOURCE}`);
  await kubevirt(timeline, driver, "source-pod-deleted");
  await watch.when("sb-mark-cleared");
  return {
    vmAtTarget,
    droppedAtTargetBeforeRarp: flows.dropToVm?.nPackets ?? 0,
  };
}
