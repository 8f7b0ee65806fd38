/**
 * KubeVirtDriver: plays KubeVirt's part on the fake API server, step by step, the way virt-controller and
 * virt-handler change objects during a live migration (DOMAIN.md "KubeVirt signals"):
 *   VMI + source virt-launcher pod; VMIM "" -> Pending -> Scheduling (target pod, Pending, no node) ->
 *   target scheduled (spec.nodeName) -> Scheduled -> PreparingTarget -> TargetReady -> Running ->
 *   target domain ready -> Succeeded (VMI moves) | Failed | abort (VMIM deleted through a finalizer).
 * It writes through the fake's store (in-process); the migrator only sees it through list/watch.
 */
import type { FakeKubeApiServer, KubeObject } from "../../fake-kube/index.js";
import { POD, VMI, VMIM } from "../../fake-kube/index.js";

export const NS = "vms";
const FINALIZER = "kubevirt.io/migrationJobFinalize";

export class KubeVirtDriver {
  constructor(readonly server: FakeKubeApiServer) {}

  private get store() {
    return this.server.store;
  }

  createVm(name: string, node: string): VmHandle {
    const vmi = this.store.create(VMI, NS, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
      metadata: { name, annotations: { "kubevirt.io/allow-pod-bridge-network-live-migration": "" } },
      spec: { domain: {} },
      status: { phase: "Running", nodeName: node },
    });
    const handle = new VmHandle(this, name, vmi.metadata!.uid!);
    handle.currentPod = `virt-launcher-${name}-${node}`;
    handle.createLauncherPod(handle.currentPod, { node, phase: "Running" });
    return handle;
  }

  patchStatus(def: typeof VMI, name: string, status: Record<string, unknown>): KubeObject {
    return this.store.patch(def, NS, name, "merge", { status }, { subresource: "status" });
  }
}

export class VmHandle {
  /** The launcher pod the VM runs in now. */
  currentPod: string;

  constructor(readonly driver: KubeVirtDriver, readonly name: string, readonly uid: string) {
    this.currentPod = "";
  }

  get ref() {
    return { namespace: NS, name: this.name };
  }

  private get store() {
    return this.driver.server.store;
  }

  vmi(): KubeObject {
    return this.store.get(VMI, NS, this.name);
  }

  createLauncherPod(podName: string, opts: { node?: string; phase: string; migrationUid?: string; migrationName?: string }): KubeObject {
    return this.store.create(POD, NS, {
      metadata: {
        name: podName,
        labels: {
          "kubevirt.io": "virt-launcher",
          "kubevirt.io/created-by": this.uid,
          ...(opts.migrationUid ? { "kubevirt.io/migrationJobUID": opts.migrationUid } : {}),
        },
        annotations: { "kubevirt.io/domain": this.name, ...(opts.migrationName ? { "kubevirt.io/migrationJobName": opts.migrationName } : {}) },
        ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", name: this.name, uid: this.uid, controller: true }],
      },
      spec: { containers: [{ name: "compute", image: "virt-launcher" }], ...(opts.node ? { nodeName: opts.node } : {}) },
      status: { phase: opts.phase },
    });
  }

  deletePod(podName: string): void {
    this.store.delete(POD, NS, podName);
  }

  setPodPhase(podName: string, phase: string): void {
    this.store.patch(POD, NS, podName, "merge", { status: { phase } }, { subresource: "status" });
  }

  setVmiStatus(status: Record<string, unknown>): void {
    this.driver.patchStatus(VMI, this.name, status);
  }

  /** Starts a migration: the VMIM, phase "". */
  migrate(migName: string): MigrationHandle {
    const vmim = this.store.create(VMIM, NS, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration",
      metadata: { name: migName, labels: { "kubevirt.io/vmi-name": this.name }, finalizers: [FINALIZER] },
      spec: { vmiName: this.name },
      status: { phase: "" },
    });
    const source = (this.vmi().status as { nodeName: string }).nodeName;
    return new MigrationHandle(this, migName, vmim.metadata!.uid!, source);
  }
}

export class MigrationHandle {
  target: string | undefined;
  readonly targetPod: string;

  constructor(readonly vm: VmHandle, readonly name: string, readonly uid: string, readonly source: string) {
    this.targetPod = `virt-launcher-${vm.name}-${name}`;
  }

  private get store() {
    return this.vm.driver.server.store;
  }

  phase(phase: string): this {
    this.vm.driver.patchStatus(VMIM, this.name, { phase });
    return this;
  }

  /** Scheduling: the target pod exists, Pending, not yet on a node. */
  scheduling(): this {
    this.vm.createLauncherPod(this.targetPod, { phase: "Pending", migrationUid: this.uid, migrationName: this.name });
    return this.phase("Scheduling");
  }

  /** The scheduler binds the target pod (it may stay Pending, e.g. hotplug volumes). */
  targetScheduled(node: string): this {
    this.target = node;
    this.store.patch(POD, "vms", this.targetPod, "merge", { spec: { nodeName: node } });
    return this;
  }

  targetRunning(): this {
    this.store.patch(POD, "vms", this.targetPod, "merge", { status: { phase: "Running" } }, { subresource: "status" });
    return this;
  }

  /** virt-controller records the migration on the VMI (PreparingTarget onwards). */
  vmiKnows(extra: Record<string, unknown> = {}): this {
    this.vm.setVmiStatus({
      migrationState: {
        migrationUid: this.uid, sourceNode: this.source, targetNode: this.target, sourcePod: `virt-launcher-${this.vm.name}-${this.source}`,
        targetPod: this.targetPod, startTimestamp: "2026-01-01T00:00:00Z", ...extra,
      },
    });
    return this;
  }

  /** The target domain runs: annotation on the target pod, timestamp on the VMI. */
  targetDomainReady(): this {
    this.store.patch(POD, "vms", this.targetPod, "merge", { metadata: { annotations: { "kubevirt.io/migration-target-ready-timestamp": "2026-01-01 00:00:05.000000001 +0000 UTC" } } });
    return this.vmiKnows({ targetNodeDomainReadyTimestamp: "2026-01-01T00:00:05Z" });
  }

  /** The VM runs in the target pod; the source pod completes; the VMI moves; the VMIM is Succeeded. */
  succeed(): this {
    this.vm.setPodPhase(this.targetPod, "Running");
    if (this.vm.currentPod !== "" && this.store.list(POD, NS).items.some((p) => p.metadata!.name === this.vm.currentPod)) {
      this.vm.setPodPhase(this.vm.currentPod, "Succeeded");
    }
    this.vm.currentPod = this.targetPod;
    this.vm.setVmiStatus({
      nodeName: this.target,
      migrationState: {
        migrationUid: this.uid, sourceNode: this.source, targetNode: this.target, completed: true, endTimestamp: "2026-01-01T00:00:06Z",
        targetNodeDomainReadyTimestamp: "2026-01-01T00:00:05Z",
      },
    });
    this.vm.driver.patchStatus(VMIM, this.name, {
      phase: "Succeeded",
      migrationState: { migrationUid: this.uid, sourceNode: this.source, targetNode: this.target, completed: true },
    });
    this.dropFinalizer();
    return this;
  }

  fail(opts: { vmiKnew?: boolean } = {}): this {
    if (this.store.list(POD, NS).items.some((p) => p.metadata!.name === this.targetPod)) this.vm.setPodPhase(this.targetPod, "Failed");
    if (opts.vmiKnew ?? true) {
      this.vm.setVmiStatus({ migrationState: { migrationUid: this.uid, sourceNode: this.source, targetNode: this.target, completed: true, failed: true, endTimestamp: "2026-01-01T00:00:06Z" } });
    }
    this.vm.driver.patchStatus(VMIM, this.name, { phase: "Failed" });
    this.dropFinalizer();
    return this;
  }

  /** Abort requested: the VMIM is deleted (kept by its finalizer, so it gets a deletionTimestamp). */
  requestAbort(): this {
    this.store.delete(VMIM, "vms", this.name);
    this.vm.setVmiStatus({ migrationState: { migrationUid: this.uid, sourceNode: this.source, targetNode: this.target, abortRequested: true } });
    return this;
  }

  /** The abort took effect: VMI abortStatus Succeeded, VMIM Failed, finalizer removed (the VMIM goes away). */
  aborted(): this {
    this.vm.setVmiStatus({ migrationState: { migrationUid: this.uid, sourceNode: this.source, targetNode: this.target, abortRequested: true, abortStatus: "Succeeded", completed: true, failed: true } });
    this.vm.driver.patchStatus(VMIM, this.name, { phase: "Failed" });
    this.dropFinalizer();
    return this;
  }

  deleteTargetPod(): this {
    this.store.delete(POD, "vms", this.targetPod);
    return this;
  }

  private dropFinalizer(): void {
    this.store.patch(VMIM, "vms", this.name, "merge", { metadata: { finalizers: null } });
  }
}
