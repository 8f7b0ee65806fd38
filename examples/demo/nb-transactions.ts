/**
 * Which NB transactions changed the VM's NIC ports' options:requested-chassis, as the NB replica received them:
 * ovsdb-server sends one update notification per committed transaction, so each replica batch is one
 * transaction (numbered in arrival order; a standalone server's update3 transaction ids are all zeros). For a
 * multi-NIC VM this shows whether the NICs were armed (and completed) together, in one transaction, or one by one.
 */
import type { NbClient } from "@ovnkit/ovn-nb";
import { wallNow } from "./clock.js";

export interface PortTransaction {
  /** When the replica applied it (wall-clock ms). */
  at: number;
  /** "update #<n>": the n-th update the replica applied since this recorder started. */
  txn: string;
  /** requested-chassis of each NIC port this transaction changed it on. */
  requestedChassis: Record<string, string | undefined>;
}

export class NbPortTransactions {
  readonly transactions: PortTransaction[] = [];
  private readonly sub: { unsubscribe(): void };
  private count = 0;

  constructor(nb: NbClient, private readonly ports: readonly string[]) {
    this.sub = nb.monitor.batches$.subscribe((batch) => {
      const changed: Record<string, string | undefined> = {};
      for (const e of batch.events) {
        if (e.table !== "Logical_Switch_Port") continue;
        const row = (e.new ?? e.old) as { name: string; options: ReadonlyMap<string, string> };
        if (!this.ports.includes(row.name)) continue;
        const before = e.old ? (e.old as typeof row).options.get("requested-chassis") : undefined;
        const after = e.new ? (e.new as typeof row).options.get("requested-chassis") : undefined;
        if (before !== after) changed[row.name] = after;
      }
      this.count++;
      if (Object.keys(changed).length > 0) this.transactions.push({ at: wallNow(), txn: `update #${this.count}`, requestedChassis: changed });
    });
  }

  /** The transactions that set requested-chassis to `value` on any NIC. */
  setting(value: string): PortTransaction[] {
    return this.transactions.filter((t) => Object.values(t.requestedChassis).includes(value));
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
