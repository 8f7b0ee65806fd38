/**
 * What a failed migration shows (pure; --outcome failed): the migration was armed, the VM paused for the
 * switch-over, then resumed on the source because the migration failed, and the network was completed as
 * failed (requested-chassis back to the source). The VM never ran on the target, so:
 *
 *   - nothing is delivered at the target at all (OVN duplicated the traffic there, the blocking flow dropped it);
 *   - the port ends on the source alone, without activation-strategy or activation mark;
 *   - after the completion, with the target NIC still plugged, traffic reaches the source only, nothing lost;
 *   - no interruption beyond the VM's own pause: the network never lost a packet in either direction (the only
 *     peer -> VM packets the VM missed reached the source while it was paused);
 *   - the interruption (last delivery before the pause -> first after the resume, both at the source) stays
 *     under the limit.
 *
 * The Direction edges keep their names: lastAtSource is before the pause, firstAtTarget is the first delivery
 * after the VM resumed on `resumedOn` (the source here).
 */
import { INTERRUPTION_LIMIT_MS, first, fmt, gap, last, span, tailDeliveries, type Analysis, type AnalysisInput, type Check, type Direction, type Edge, type Latency } from "./analysis.js";

export function analyzeFailed(i: AnalysisInput): Analysis {
  const limit = i.limitMs ?? INTERRUPTION_LIMIT_MS;
  const tl = i.timeline;
  const pausedAt = tl.require("source-paused");
  const resumedAt = tl.require("source-resumed");
  const syncedAt = tl.require("hv-synced");
  const tailEnd = tl.require("tail-end");
  const { source, target } = i;

  const toPackets = i.probe.toVm.packets;
  const before: Edge[] = [];
  const after: Edge[] = [];
  let toLost = 0;
  for (const p of toPackets) {
    const s = p.deliveredAt[source];
    if (s !== undefined && s <= pausedAt) before.push({ seq: p.seq, at: s });
    else if (s !== undefined && s >= resumedAt) after.push({ seq: p.seq, at: s });
    else toLost++;
  }
  const toVm: Direction = { label: "peer -> VM", lastAtSource: last(before), firstAtTarget: first(after), gapMs: gap(last(before), first(after)), lost: toLost, sent: toPackets.length };

  const fromPackets = i.probe.fromVm.packets;
  const deliveredFrom = (pred: (sentAt: number) => boolean): Edge[] => fromPackets.flatMap((p) => {
    const at = Object.values(p.deliveredAt)[0];
    return p.from === source && at !== undefined && pred(p.sentAt) ? [{ seq: p.seq, at }] : [];
  });
  const fromBefore = last(deliveredFrom((t) => t <= pausedAt));
  const fromAfter = first(deliveredFrom((t) => t >= resumedAt));
  const fromLost = fromPackets.filter((p) => Object.keys(p.deliveredAt).length === 0).length;
  const fromVm: Direction = { label: "VM -> peer", lastAtSource: fromBefore, firstAtTarget: fromAfter, gapMs: gap(fromBefore, fromAfter), lost: fromLost, sent: fromPackets.length };
  const interruptionMs = Math.max(toVm.gapMs, fromVm.gapMs);

  const atTarget = toPackets.filter((p) => p.deliveredAt[target] !== undefined).length;
  const fromTarget = fromPackets.filter((p) => p.from === target).length;
  const nowhere = toPackets.filter((p) => Object.keys(p.deliveredAt).length === 0).length;
  const duringPause = toPackets.filter((p) => p.deliveredAt[source] !== undefined && p.deliveredAt[source]! > pausedAt && p.deliveredAt[source]! < resumedAt).length;
  const tail = tailDeliveries(toPackets, source, target, syncedAt, tailEnd);
  const latencies: Latency[] = [
    ...i.driverLatencies,
    ...span(tl, `ARM -> SB additional_chassis=${target} (includes plugging the target NIC)`, "arm", "sb-additional-chassis"),
    ...span(tl, `target NIC plugged -> ${target} blocking flows installed`, "target-plugged", "blocking-flows-in"),
    ...span(tl, `COMPLETE (failed) -> SB chassis=${source} alone`, "complete", "sb-source-alone"),
  ];

  const fb = i.finalBinding;
  const checks: Check[] = [
    {
      name: `the target ${target} never received anything (traffic duplicated there, but blocked)`,
      ok: atTarget === 0 && fromTarget === 0 && i.droppedAtTargetBeforeRarp > 0,
      detail: `${atTarget} packets delivered at ${target}, ${fromTarget} sent from it; ${i.droppedAtTargetBeforeRarp} duplicated to ${target} and dropped by its blocking flow`,
    },
    {
      name: `the port goes back to ${source} alone`,
      ok: fb !== undefined && fb.chassis === source && fb.additionalChassis.length === 0 && fb.requestedChassis === source && fb.activatedOn.length === 0 && fb.activationStrategy === undefined,
      detail: fb === undefined ? "no Port_Binding" : `chassis=${fb.chassis ?? "-"} additional_chassis=[${fb.additionalChassis.join(",")}] requested=${fb.requestedChassis ?? "-"} activated=[${fb.activatedOn.join(",")}] activation-strategy=${fb.activationStrategy ?? "-"}`,
    },
    {
      name: `after COMPLETE (failed), traffic reaches ${source} only (${target}'s NIC still plugged), nothing lost`,
      ok: tail.sent > 0 && tail.atSource === tail.sent && tail.atTarget === 0 && tail.lost === 0,
      detail: `${tail.sent} packets sent: ${tail.atSource} at ${source}, ${tail.atTarget} at ${target}, ${tail.lost} lost`,
    },
    {
      name: `no interruption beyond the VM's pause: the network lost nothing in either direction`,
      ok: nowhere === 0 && fromLost === 0 && toLost === duringPause,
      detail: `peer -> VM: ${toPackets.length} sent, ${nowhere} delivered nowhere, ${duringPause} reached ${source} while the VM was paused; VM -> peer: ${fromPackets.length} sent, ${fromLost} lost`,
    },
    {
      name: `interruption (the VM's pause included) < ${limit} ms in both directions`,
      ok: !Number.isNaN(interruptionMs) && interruptionMs < limit,
      detail: `peer -> VM ${fmt(toVm.gapMs)}, VM -> peer ${fmt(fromVm.gapMs)}, VM paused ${fmt(resumedAt - pausedAt)}`,
    },
  ];
  return {
    outcome: "failed", resumedOn: source, toVm, fromVm, interruptionMs, vmPausedMs: resumedAt - pausedAt,
    deliveredAtTargetBeforeRarp: atTarget, duplicated: toPackets.filter((p) => p.deliveredAt[source] !== undefined && p.deliveredAt[target] !== undefined).length,
    tail, latencies, checks, ok: checks.every((c) => c.ok),
  };
}
