/**
 * The direct driver: the demo calls the guarded migration operations of @ovnkit/ovn-nb itself, at the moments
 * the migrator would (arm when the target pod is scheduled, complete when the migration succeeded or failed).
 * Every call covers all the VM's NICs in one transaction.
 */
import { randomUUID } from "node:crypto";
import type { NbClient } from "@ovnkit/ovn-nb";
import { wallNow, type Timeline } from "./clock.js";
import type { KubevirtStep, MigrationDriver } from "./driver.js";

export interface DirectDriverOptions {
  nb: NbClient;
  timeline: Timeline;
  ports: readonly string[];
  source: string;
  target: string;
}

export class DirectDriver implements MigrationDriver {
  readonly name = "direct";
  readonly description = "the demo calls @ovnkit/ovn-nb's guarded migration ops itself (arm / complete)";
  readonly uid = randomUUID();
  private readonly measured: { label: string; ms: number }[] = [];

  constructor(private readonly o: DirectDriverOptions) {}

  async step(step: KubevirtStep): Promise<void> {
    const { nb, timeline, ports, source, target } = this.o;
    if (step === "target-scheduled") {
      // the step is marked when the transaction is sent: the moment the decision reaches OVN
      const t = wallNow();
      const r = await nb.migration.arm({ uid: this.uid, source, target, ports });
      this.measured.push({ label: "arm transaction (guarded) sent -> committed", ms: wallNow() - t });
      timeline.mark("ovnkit", "arm", `ARM: requested-chassis="${source},${target}", activation-strategy=rarp, owner ${this.uid.slice(0, 8)} (wrote ${r.written.join(",")}${ports.length > 1 ? ", one transaction" : ""})`, t);
    } else if (step === "succeeded") {
      const t = wallNow();
      const r = await nb.migration.complete({ uid: this.uid, outcome: "succeeded", ports });
      this.measured.push({ label: "complete transaction (guarded) sent -> committed", ms: wallNow() - t });
      timeline.mark("ovnkit", "complete", `COMPLETE: requested-chassis=${chassisOf(r.ports)}, activation-strategy and owner removed${portsText(ports)}`, t);
    } else if (step === "failed") {
      const t = wallNow();
      const r = await nb.migration.complete({ uid: this.uid, outcome: "failed", ports });
      this.measured.push({ label: "complete (failed) transaction (guarded) sent -> committed", ms: wallNow() - t });
      timeline.mark("ovnkit", "complete", `COMPLETE (failed): requested-chassis=${chassisOf(r.ports)} (back to the source), activation-strategy and owner removed${portsText(ports)}`, t);
    }
  }

  latencies(): { label: string; ms: number }[] {
    return [...this.measured];
  }

  async summary(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {}
}

const chassisOf = (ports: readonly { chassis: string }[]): string => [...new Set(ports.map((p) => p.chassis))].join(",");
const portsText = (ports: readonly string[]): string => (ports.length > 1 ? ` on ${ports.join(", ")} in one transaction` : "");
