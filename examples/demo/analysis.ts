/**
 * What the run shows (pure): from the probe's per-packet records and the timeline, the network interruption in
 * each direction, losses, duplicates, the control-plane latencies, and the checks the demo (and the e2e suite)
 * stand on.
 *
 * A packet counts as received by the VM only where the VM was running: at the source until it paused, at the
 * target from its resume (the RARP) on. Deliveries to the paused source are harmless duplicates, not receptions.
 */
import type { PortBindingState } from "@ovnkit/ovn-nb";
import type { PacketRecord, ProbeReport } from "@ovnkit/sandbox";
import type { Timeline } from "./clock.js";

export const INTERRUPTION_LIMIT_MS = 500;

export interface Edge {
  seq: number;
  /** Delivery time (wall-clock ms). */
  at: number;
}

export interface Direction {
  label: string;
  /** Last packet delivered from/to the VM while it ran at the source. */
  lastAtSource: Edge | undefined;
  /** First packet delivered from/to the VM once it ran at the target. */
  firstAtTarget: Edge | undefined;
  /** firstAtTarget.at - lastAtSource.at: the interruption seen in this direction (NaN if an edge is missing). */
  gapMs: number;
  /** Packets sent that the running VM never got (peer -> VM) or the peer never got (VM -> peer). */
  lost: number;
  sent: number;
}

export interface Latency {
  label: string;
  ms: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Analysis {
  /** How the migration ended: "succeeded" (the VM resumed on the target) or "failed" (it resumed on the source). */
  outcome: "succeeded" | "failed";
  /** The chassis the VM ran on after its pause (firstAtTarget edges are there). */
  resumedOn: string;
  toVm: Direction;
  fromVm: Direction;
  /** The larger of the two gaps. */
  interruptionMs: number;
  /** How long the VM itself was paused (source paused -> RARP): part of the interruption, not the network's. */
  vmPausedMs: number;
  /** Peer -> VM packets delivered at the target before the RARP (must be 0). */
  deliveredAtTargetBeforeRarp: number;
  /** Peer -> VM packets delivered at both the source and the target (the duplication window). */
  duplicated: number;
  /**
   * Peer -> VM packets sent once every chassis caught up after COMPLETE, while the source NIC was still plugged:
   * delivered at target / source / nowhere.
   */
  tail: { sent: number; atTarget: number; atSource: number; lost: number };
  latencies: Latency[];
  checks: Check[];
  ok: boolean;
}

export interface AnalysisInput {
  probe: ProbeReport;
  timeline: Timeline;
  source: string;
  target: string;
  finalBinding: PortBindingState | undefined;
  droppedAtTargetBeforeRarp: number;
  driverLatencies: Latency[];
  limitMs?: number;
}

export function last(edges: Edge[]): Edge | undefined {
  return edges.reduce<Edge | undefined>((m, e) => (m === undefined || e.at > m.at ? e : m), undefined);
}

export function first(edges: Edge[]): Edge | undefined {
  return edges.reduce<Edge | undefined>((m, e) => (m === undefined || e.at < m.at ? e : m), undefined);
}

export function gap(a: Edge | undefined, b: Edge | undefined): number {
  return a === undefined || b === undefined ? Number.NaN : b.at - a.at;
}

function toVmDirection(packets: readonly PacketRecord[], source: string, target: string, pausedAt: number, resumedAt: number): Direction {
  const atSource: Edge[] = [];
  const atTarget: Edge[] = [];
  let lost = 0;
  for (const p of packets) {
    const s = p.deliveredAt[source];
    const t = p.deliveredAt[target];
    const bySource = s !== undefined && s <= pausedAt;
    const byTarget = t !== undefined && t >= resumedAt;
    if (bySource) atSource.push({ seq: p.seq, at: s });
    if (byTarget) atTarget.push({ seq: p.seq, at: t });
    if (!bySource && !byTarget) lost++;
  }
  const lastAtSource = last(atSource);
  const firstAtTarget = first(atTarget);
  return { label: "peer -> VM", lastAtSource, firstAtTarget, gapMs: gap(lastAtSource, firstAtTarget), lost, sent: packets.length };
}

function fromVmDirection(packets: readonly PacketRecord[], source: string, target: string): Direction {
  const delivered = (from: string): Edge[] => packets.flatMap((p) => {
    const at = Object.values(p.deliveredAt)[0];
    return p.from === from && at !== undefined ? [{ seq: p.seq, at }] : [];
  });
  const lastAtSource = last(delivered(source));
  const firstAtTarget = first(delivered(target));
  const lost = packets.filter((p) => Object.keys(p.deliveredAt).length === 0).length;
  return { label: "VM -> peer", lastAtSource, firstAtTarget, gapMs: gap(lastAtSource, firstAtTarget), lost, sent: packets.length };
}

/**
 * Peer -> VM packets sent between `syncedAt` (every chassis caught up after COMPLETE) and `tailEnd`: how many,
 * delivered at the target, at the source, nowhere.
 */
export function tailDeliveries(packets: readonly PacketRecord[], source: string, target: string, syncedAt: number, tailEnd: number): Analysis["tail"] {
  const tailPackets = packets.filter((p) => p.sentAt >= syncedAt && p.sentAt <= tailEnd);
  return {
    sent: tailPackets.length,
    atTarget: tailPackets.filter((p) => p.deliveredAt[target] !== undefined).length,
    atSource: tailPackets.filter((p) => p.deliveredAt[source] !== undefined).length,
    lost: tailPackets.filter((p) => Object.keys(p.deliveredAt).length === 0).length,
  };
}

/** The latency `label` from timeline step `from` to step `to`; none when either step is missing. */
export function span(tl: Timeline, label: string, from: string, to: string): Latency[] {
  const a = tl.at(from);
  const b = tl.at(to);
  return a === undefined || b === undefined ? [] : [{ label, ms: b - a }];
}

export const fmt = (ms: number): string => (Number.isNaN(ms) ? "n/a" : `${ms.toFixed(1)} ms`);

export function analyze(i: AnalysisInput): Analysis {
  const limit = i.limitMs ?? INTERRUPTION_LIMIT_MS;
  const tl = i.timeline;
  const pausedAt = tl.require("source-paused");
  const rarpAt = tl.require("rarp");
  const syncedAt = tl.require("hv-synced");
  const tailEnd = tl.require("tail-end");
  const released = tl.at("sb-source-released") !== undefined;
  const toVm = toVmDirection(i.probe.toVm.packets, i.source, i.target, pausedAt, rarpAt);
  const fromVm = fromVmDirection(i.probe.fromVm.packets, i.source, i.target);
  const interruptionMs = Math.max(toVm.gapMs, fromVm.gapMs);

  const early = i.probe.toVm.packets.filter((p) => p.deliveredAt[i.target] !== undefined && p.deliveredAt[i.target]! < rarpAt);
  const duplicated = i.probe.toVm.packets.filter((p) => p.deliveredAt[i.source] !== undefined && p.deliveredAt[i.target] !== undefined).length;
  const tail = tailDeliveries(i.probe.toVm.packets, i.source, i.target, syncedAt, tailEnd);

  const latencies: Latency[] = [
    ...i.driverLatencies,
    ...span(tl, `ARM -> SB additional_chassis=${i.target} (includes plugging the target NIC)`, "arm", "sb-additional-chassis"),
    ...span(tl, `target NIC plugged -> SB additional_chassis=${i.target}`, "target-plugged", "sb-additional-chassis"),
    ...span(tl, `target NIC plugged -> ${i.target} blocking flows installed`, "target-plugged", "blocking-flows-in"),
    ...span(tl, `RARP -> SB additional-chassis-activated=${i.target}`, "rarp", "sb-activated"),
    ...span(tl, `RARP -> ${i.target} blocking flows removed`, "rarp", "blocking-flows-out"),
    ...span(tl, `source NIC unplugged -> SB chassis=[] (${i.source} released alone)`, "source-unplugged", "sb-source-released"),
    ...span(tl, `COMPLETE -> SB chassis=${i.target} alone`, "complete", "sb-target-alone"),
    ...span(tl, "COMPLETE -> activation mark cleared by northd", "complete", "sb-mark-cleared"),
  ];

  const fb = i.finalBinding;
  const checks: Check[] = [
    {
      name: `nothing reaches ${i.target} before the RARP (traffic duplicated there, but blocked)`,
      ok: early.length === 0 && i.droppedAtTargetBeforeRarp > 0,
      detail: `${early.length} packets delivered at ${i.target} before the RARP; ${i.droppedAtTargetBeforeRarp} duplicated to ${i.target} and dropped by its blocking flow`,
    },
    {
      name: `after the RARP, traffic reaches both ${i.source} and ${i.target} until COMPLETE`,
      ok: duplicated > 0,
      detail: `packets delivered at both: ${duplicated}`,
    },
    {
      name: `the port ends bound on ${i.target} alone`,
      ok: fb !== undefined && fb.chassis === i.target && fb.additionalChassis.length === 0 && fb.activatedOn.length === 0 && fb.requestedChassis === i.target,
      detail: fb === undefined ? "no Port_Binding" : `chassis=${fb.chassis ?? "-"} additional_chassis=[${fb.additionalChassis.join(",")}] requested=${fb.requestedChassis ?? "-"} activated=[${fb.activatedOn.join(",")}]`,
    },
    {
      name: `after COMPLETE, traffic reaches ${i.target} only (${i.source}'s NIC ${released ? "already unplugged" : "still plugged"}), nothing lost`,
      ok: tail.sent > 0 && tail.atTarget === tail.sent && tail.atSource === 0 && tail.lost === 0,
      detail: `${tail.sent} packets sent: ${tail.atTarget} at ${i.target}, ${tail.atSource} at ${i.source}, ${tail.lost} lost`,
    },
    {
      name: `network interruption < ${limit} ms in both directions`,
      ok: !Number.isNaN(interruptionMs) && interruptionMs < limit,
      detail: `peer -> VM ${fmt(toVm.gapMs)}, VM -> peer ${fmt(fromVm.gapMs)}`,
    },
  ];
  return {
    outcome: "succeeded", resumedOn: i.target, toVm, fromVm, interruptionMs, vmPausedMs: rarpAt - pausedAt, deliveredAtTargetBeforeRarp: early.length, duplicated, tail,
    latencies, checks, ok: checks.every((c) => c.ok),
  };
}
