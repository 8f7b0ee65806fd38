/** Plain-array stand-ins for the reconciler suites (not a test file). */
import type { LauncherPod, VirtualMachineInstance, VirtualMachineInstanceMigration, VmRef } from "@ovnkit/migrator";
import { memoryLogger, type ClusterState } from "@ovnkit/migrator/internal";
import { VM } from "../../../packages/migrator/test/support/builders.js";
import { MemoryBackend } from "./memory-backend.js";

/** A ClusterState over plain arrays (what the informer caches would hold). */
export class Cluster implements ClusterState {
  constructor(public theVmi: VirtualMachineInstance | undefined, public vmims: VirtualMachineInstanceMigration[], public podList: LauncherPod[]) {}
  vmi(_vm: VmRef) {
    return this.theVmi;
  }
  migrations() {
    return this.vmims;
  }
  pods() {
    return this.podList;
  }
}

/** A fresh reconcile context (what the work queue passes). */
export const ctx = () => ({ id: "r1", log: memoryLogger().log, addedAt: Date.now(), retries: 0 });

/**
 * A recording backend holding VM with `nics` ports on node-a, armed node-a -> node-b by migration "m1", with the
 * call log cleared; `port` is the first port's name.
 */
export async function armedVm(nics: number): Promise<{ nb: MemoryBackend; port: string }> {
  const nb = new MemoryBackend();
  const [port] = nb.addVm(VM, nics, "node-a");
  await nb.arm({ vm: VM, migrationUid: "m1", source: "node-a", target: "node-b" });
  nb.calls.length = 0;
  return { nb, port: port! };
}
