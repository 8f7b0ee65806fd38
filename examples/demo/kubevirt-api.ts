/**
 * KubeVirt's side of a live migration as Kubernetes API writes, made with @kubernetes/client-node the way
 * virt-controller / virt-handler change the objects (DOMAIN.md "KubeVirt signals"): the VMI and its source
 * virt-launcher pod, then the VirtualMachineInstanceMigration through its phases, the target pod (created
 * Pending, then bound to a node, then Running and annotated when the domain runs), the VMI's
 * status.migrationState, and finally the VMI's move and the source pod's deletion. Each method resolves once
 * the API server accepted the write.
 */
import * as k8s from "@kubernetes/client-node";

const VMI = { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances" };
const VMIM = { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstancemigrations" };
const MERGE = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

export interface VmSpec {
  namespace: string;
  name: string;
  node: string;
}

export class KubevirtApi {
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly events: k8s.EventsV1Api;
  private vmiUid = "";
  private vmimUid = "";
  private source = "";
  private target = "";
  private readonly startedAt = new Date().toISOString();
  private endedAt: string | undefined;

  constructor(kubeConfig: k8s.KubeConfig, readonly vm: VmSpec, readonly migrationName = `${vm.name}-migration`) {
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.events = kubeConfig.makeApiClient(k8s.EventsV1Api);
  }

  get sourcePod(): string {
    return `virt-launcher-${this.vm.name}-src`;
  }

  get targetPod(): string {
    return `virt-launcher-${this.vm.name}-tgt`;
  }

  /** The VMIM's uid (the migration uid the migrator records as the ports' owner). */
  get migrationUid(): string {
    return this.vmimUid;
  }

  /** A running VM: the VMI (bridge binding on the pod network, migratable) and its virt-launcher pod. */
  async createRunningVm(): Promise<void> {
    const { namespace, name, node } = this.vm;
    this.source = node;
    const vmi = (await this.custom.createNamespacedCustomObject({
      ...VMI, namespace,
      body: {
        apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
        metadata: { name, annotations: { "kubevirt.io/allow-pod-bridge-network-live-migration": "" } },
        spec: { domain: { devices: { interfaces: [{ name: "default", bridge: {} }] } }, networks: [{ name: "default", pod: {} }] },
      },
    })) as { metadata: { uid: string } };
    this.vmiUid = vmi.metadata.uid;
    await this.patchVmiStatus({ phase: "Running", nodeName: node });
    await this.createLauncherPod(this.sourcePod, node);
    await this.patchPodStatus(this.sourcePod, { phase: "Running" });
  }

  /** VMIM created; virt-controller sets phase Pending. */
  async createMigration(): Promise<void> {
    const { namespace, name } = this.vm;
    const vmim = (await this.custom.createNamespacedCustomObject({
      ...VMIM, namespace,
      body: {
        apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration",
        metadata: { name: this.migrationName, labels: { "kubevirt.io/vmi-name": name } },
        spec: { vmiName: name },
      },
    })) as { metadata: { uid: string } };
    this.vmimUid = vmim.metadata.uid;
    await this.setPhase("Pending");
  }

  /** Scheduling: the target virt-launcher pod exists (Pending, no node yet). */
  async createTargetPod(): Promise<void> {
    await this.createLauncherPod(this.targetPod, undefined, { migrationUid: this.vmimUid, migrationName: this.migrationName });
    await this.patchPodStatus(this.targetPod, { phase: "Pending" });
    await this.setPhase("Scheduling");
  }

  /** The scheduler bound the target pod to `node` (spec.nodeName); the pod stays Pending while its sandbox and network are set up. */
  async scheduleTarget(node: string): Promise<void> {
    this.target = node;
    await this.core.patchNamespacedPod({ namespace: this.vm.namespace, name: this.targetPod, body: { spec: { nodeName: node } } }, MERGE);
  }

  async setPhase(phase: string): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus({ ...VMIM, namespace: this.vm.namespace, name: this.migrationName, body: { status: { phase } } }, MERGE);
  }

  /** PreparingTarget: virt-controller records the migration on the VMI. */
  async recordMigrationOnVmi(extra: Record<string, unknown> = {}): Promise<void> {
    await this.patchVmiStatus({ migrationState: { ...this.migrationState(), ...extra } });
  }

  /** The target pod runs (the VMIM then says Scheduled). */
  async targetPodRunning(): Promise<void> {
    await this.patchPodStatus(this.targetPod, { phase: "Running" });
  }

  /** The target domain runs: the target pod's annotation and the VMI's targetNodeDomainReadyTimestamp. */
  async targetDomainReady(): Promise<void> {
    const now = new Date();
    await this.core.patchNamespacedPod({
      namespace: this.vm.namespace, name: this.targetPod,
      body: { metadata: { annotations: { "kubevirt.io/migration-target-ready-timestamp": goTime(now) } } },
    }, MERGE);
    await this.recordMigrationOnVmi({ targetNodeDomainReadyTimestamp: now.toISOString() });
  }

  /** The migration completed: the VMI moves to the target (status.nodeName) and its migrationState is completed. */
  async completeOnVmi(): Promise<void> {
    this.endedAt = new Date().toISOString();
    await this.patchVmiStatus({ nodeName: this.target, migrationState: { ...this.migrationState(), completed: true, endTimestamp: this.endedAt } });
  }

  /** Then the VMIM's final phase, Succeeded, with its migrationState. */
  async vmimSucceeded(): Promise<void> {
    const end = this.endedAt ?? new Date().toISOString();
    await this.custom.patchNamespacedCustomObjectStatus({
      ...VMIM, namespace: this.vm.namespace, name: this.migrationName,
      body: { status: { phase: "Succeeded", migrationState: { ...this.migrationState(), completed: true, endTimestamp: end } } },
    }, MERGE);
  }

  /** The migration failed (e.g. aborted at the switch-over): the VMI's migrationState says failed, the VM stays on the source. */
  async failOnVmi(): Promise<void> {
    this.endedAt = new Date().toISOString();
    await this.patchVmiStatus({ nodeName: this.source, migrationState: { ...this.migrationState(), completed: false, failed: true, endTimestamp: this.endedAt } });
  }

  /** Then the VMIM's final phase, Failed, with its migrationState. */
  async vmimFailed(): Promise<void> {
    const end = this.endedAt ?? new Date().toISOString();
    await this.custom.patchNamespacedCustomObjectStatus({
      ...VMIM, namespace: this.vm.namespace, name: this.migrationName,
      body: { status: { phase: "Failed", migrationState: { ...this.migrationState(), completed: false, failed: true, endTimestamp: end } } },
    }, MERGE);
  }

  /** After a failure the target virt-launcher pod fails and is deleted. */
  async deleteTargetPod(): Promise<void> {
    await this.patchPodStatus(this.targetPod, { phase: "Failed" });
    await this.core.deleteNamespacedPod({ namespace: this.vm.namespace, name: this.targetPod });
  }

  /** The source virt-launcher pod completes and is deleted. */
  async deleteSourcePod(): Promise<void> {
    await this.patchPodStatus(this.sourcePod, { phase: "Succeeded" });
    await this.core.deleteNamespacedPod({ namespace: this.vm.namespace, name: this.sourcePod });
  }

  /** events.k8s.io Events about the VMI (what the migrator reported), oldest first. */
  async vmiEvents(): Promise<{ reason: string; note: string; type: string; reportingController: string }[]> {
    const list = await this.events.listNamespacedEvent({ namespace: this.vm.namespace, fieldSelector: `regarding.name=${this.vm.name}` });
    return list.items
      .filter((e) => e.regarding?.kind === "VirtualMachineInstance")
      .map((e) => ({ reason: e.reason ?? "", note: e.note ?? "", type: e.type ?? "", reportingController: e.reportingController ?? "", at: e.eventTime ? new Date(e.eventTime as unknown as string).getTime() : 0 }))
      .sort((a, b) => a.at - b.at)
      .map(({ at: _at, ...rest }) => rest);
  }

  private migrationState(): Record<string, unknown> {
    return {
      migrationUid: this.vmimUid, sourceNode: this.source, targetNode: this.target,
      sourcePod: this.sourcePod, targetPod: this.targetPod, startTimestamp: this.startedAt,
    };
  }

  private async createLauncherPod(podName: string, node: string | undefined, migration?: { migrationUid: string; migrationName: string }): Promise<void> {
    const { namespace, name } = this.vm;
    await this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name: podName,
          labels: {
            "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": this.vmiUid,
            ...(migration ? { "kubevirt.io/migrationJobUID": migration.migrationUid } : {}),
          },
          annotations: {
            "kubevirt.io/domain": name, "kubevirt.io/allow-pod-bridge-network-live-migration": "",
            ...(migration ? { "kubevirt.io/migrationJobName": migration.migrationName } : {}),
          },
          ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", name, uid: this.vmiUid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { containers: [{ name: "compute", image: "quay.io/kubevirt/virt-launcher" }], ...(node ? { nodeName: node } : {}) },
      },
    });
  }

  private async patchPodStatus(podName: string, status: Record<string, unknown>): Promise<void> {
    await this.core.patchNamespacedPodStatus({ namespace: this.vm.namespace, name: podName, body: { status } }, MERGE);
  }

  private async patchVmiStatus(status: Record<string, unknown>): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus({ ...VMI, namespace: this.vm.namespace, name: this.vm.name, body: { status } }, MERGE);
  }
}

/** Go's time.Time String() layout, as KubeVirt writes the target-ready annotation ("2006-01-02 15:04:05.999999999 +0000 UTC"). */
function goTime(d: Date): string {
  return `${d.toISOString().replace("T", " ").replace("Z", "")}000000 +0000 UTC`;
}
