/**
 * Who moves the network when KubeVirt moves the VM. The timeline tells a driver each KubeVirt step; the driver
 * writes it where it belongs (nowhere, or the Kubernetes API) and, for the steps that move the network, returns
 * only once the NB write happened, marking it on the timeline:
 *
 *   direct    the demo itself calls @ovnkit/ovn-nb's guarded migration ops (arm at "target-scheduled",
 *             complete at "succeeded", or complete as failed at "failed"): what the migrator does, without
 *             Kubernetes.
 *   migrator  the KubeVirt objects go through a fake Kubernetes API server and the real ovnkit-migrator
 *             (in-process, @kubernetes/client-node) arms and completes the port; the driver watches NB for it.
 */

export type KubevirtStep =
  | "migration-created" // VMIM created (phase Pending)
  | "target-pod-created" // Scheduling: the target virt-launcher pod exists, no node yet
  | "target-scheduled" // the scheduler bound the target pod (spec.nodeName; the pod is Pending while the CNI runs)
  | "target-pod-running" // the target pod runs: VMIM Scheduled
  | "preparing-target" // PreparingTarget: VMI status.migrationState records the migration
  | "target-ready" // TargetReady: the target domain waits for the memory
  | "running" // Running: memory is being copied
  | "target-domain-ready" // the target domain resumed (VMI migrationState.targetNodeDomainReadyTimestamp)
  | "succeeded" // Succeeded: VMI migrationState.completed, status.nodeName = target
  | "source-pod-deleted" // the source virt-launcher pod is gone
  | "failed" // Failed (--outcome failed): VMI migrationState.failed; the VM runs on at the source
  | "target-pod-deleted"; // after a failure: the target virt-launcher pod is gone

export interface MigrationDriver {
  /** "direct" | "migrator". */
  readonly name: string;
  /** One line for the report header. */
  readonly description: string;
  /** KubeVirt reached `step`; resolves when the driver's part of it is done (see above). */
  step(step: KubevirtStep): Promise<void>;
  /** Latencies the driver measured, for the report (label -> ms). */
  latencies(): { label: string; ms: number }[];
  /** Extra lines for the report (e.g. the Kubernetes Events the migrator wrote); read before close(). */
  summary(): Promise<string[]>;
  close(): Promise<void>;
}
