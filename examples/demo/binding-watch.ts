/**
 * Marks the SB Port_Binding milestones of the VM's port on the timeline the moment the SB replica applies them
 * (SbClient.bindings$, no polling):
 *
 *   sb-additional-chassis   additional_chassis = [target]           (ovn-controller on the target claimed it)
 *   sb-activated            options:additional-chassis-activated has the target (the RARP was seen there)
 *   sb-target-alone         chassis = target, additional_chassis = []
 *   sb-mark-cleared         ...and northd removed the activation mark
 */
import type { PortBindingState, SbClient } from "@ovnkit/ovn-nb";
import { wallNow, type Timeline } from "./clock.js";

export type BindingMilestone = "sb-additional-chassis" | "sb-activated" | "sb-target-alone" | "sb-mark-cleared";

export class BindingWatch {
  private readonly sub: { unsubscribe(): void };
  private readonly reached = new Map<BindingMilestone, number>();
  private readonly waiters = new Map<BindingMilestone, ((at: number) => void)[]>();
  /** Every state seen, with its time (for debugging and the e2e suite). */
  readonly history: { at: number; state: PortBindingState }[] = [];

  constructor(sb: SbClient, private readonly port: string, private readonly target: string, private readonly timeline: Timeline) {
    this.sub = sb.bindings$.subscribe((b) => {
      if (b.logicalPort === this.port) this.observe(b);
    });
  }

  private observe(b: PortBindingState): void {
    const at = wallNow();
    this.history.push({ at, state: b });
    const t = this.target;
    if (b.additionalChassis.includes(t)) this.reach("sb-additional-chassis", at, `SB: ${this.port} additional_chassis=[${t}] (chassis=${b.chassis ?? "-"})`);
    if (b.activatedOn.includes(t)) this.reach("sb-activated", at, `SB: ${this.port} options:additional-chassis-activated=${t}`);
    if (b.chassis === t && b.additionalChassis.length === 0) {
      this.reach("sb-target-alone", at, `SB: ${this.port} chassis=${t} alone (additional_chassis=[])`);
      if (b.activatedOn.length === 0 && this.reached.has("sb-activated")) this.reach("sb-mark-cleared", at, `SB: northd removed the activation mark`);
    }
  }

  private reach(m: BindingMilestone, at: number, text: string): void {
    if (this.reached.has(m)) return;
    this.reached.set(m, at);
    this.timeline.mark("ovn", m, text, at);
    for (const w of this.waiters.get(m) ?? []) w(at);
    this.waiters.delete(m);
  }

  /** Resolves with the milestone's time (at once if already reached); rejects after timeoutMs. */
  when(m: BindingMilestone, timeoutMs = 10_000): Promise<number> {
    const at = this.reached.get(m);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${m} on ${this.port}`)), timeoutMs);
      const list = this.waiters.get(m) ?? [];
      list.push((t) => {
        clearTimeout(timer);
        resolve(t);
      });
      this.waiters.set(m, list);
    });
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
