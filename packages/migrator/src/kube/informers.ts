/**
 * The three informers of the migrator (virt-launcher pods, VMIs, VMIMs), optionally limited to one namespace,
 * and the ClusterState read model the reconciler uses over their caches.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.js";
import type { MigratorMetrics } from "../observability/metrics.js";
import type { VmRef } from "../migration/backend.js";
import { ResilientInformer, type InformerOptions } from "./informer.js";
import {
  KUBEVIRT_GROUP, KUBEVIRT_VERSION, LAUNCHER_SELECTOR, VMI_PLURAL, VMIM_PLURAL,
  type LauncherPod, type VirtualMachineInstance, type VirtualMachineInstanceMigration,
} from "./kubevirt-types.js";

/** What the reconciler reads of the cluster (informer caches; tests may give plain arrays). */
export interface ClusterState {
  vmi(vm: VmRef): VirtualMachineInstance | undefined;
  migrations(namespace: string): readonly VirtualMachineInstanceMigration[];
  pods(namespace: string): readonly LauncherPod[];
}

export type InformerTuning = Pick<InformerOptions<unknown>, "restartBackoff" | "watchIdleTimeoutMs" | "watchTimeoutSeconds" | "healthyAfterMs">;

export interface InformerSetOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** Watch only this namespace (default: all). */
  readonly namespace?: string;
  readonly log: Logger;
  readonly metrics?: MigratorMetrics;
  readonly tuning?: InformerTuning;
}

type ListResult<T> = { metadata?: { resourceVersion?: string }; items: T[] };

export class MigratorInformers implements ClusterState {
  readonly launcherPods: ResilientInformer<LauncherPod>;
  readonly vmis: ResilientInformer<VirtualMachineInstance>;
  readonly vmims: ResilientInformer<VirtualMachineInstanceMigration>;

  constructor(options: InformerSetOptions) {
    const { kubeConfig, namespace, log, metrics, tuning } = options;
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    const nsPath = namespace === undefined ? "" : `/namespaces/${encodeURIComponent(namespace)}`;
    const common = { kubeConfig, log, ...(metrics ? { metrics } : {}), ...tuning };
    this.launcherPods = new ResilientInformer<LauncherPod>({
      ...common,
      resource: "pods",
      path: `/api/v1${nsPath}/pods`,
      labelSelector: LAUNCHER_SELECTOR,
      list: async () =>
        (namespace === undefined
          ? await core.listPodForAllNamespaces({ labelSelector: LAUNCHER_SELECTOR })
          : await core.listNamespacedPod({ namespace, labelSelector: LAUNCHER_SELECTOR })) as unknown as ListResult<LauncherPod>,
    });
    const customList = <T>(plural: string) => async (): Promise<ListResult<T>> =>
      (namespace === undefined
        ? await custom.listClusterCustomObject({ group: KUBEVIRT_GROUP, version: KUBEVIRT_VERSION, plural })
        : await custom.listNamespacedCustomObject({ group: KUBEVIRT_GROUP, version: KUBEVIRT_VERSION, namespace, plural })) as ListResult<T>;
    const base = `/apis/${KUBEVIRT_GROUP}/${KUBEVIRT_VERSION}${nsPath}`;
    this.vmis = new ResilientInformer<VirtualMachineInstance>({ ...common, resource: VMI_PLURAL, path: `${base}/${VMI_PLURAL}`, list: customList(VMI_PLURAL) });
    this.vmims = new ResilientInformer<VirtualMachineInstanceMigration>({ ...common, resource: VMIM_PLURAL, path: `${base}/${VMIM_PLURAL}`, list: customList(VMIM_PLURAL) });
  }

  get all(): ResilientInformer<{ metadata?: object }>[] {
    return [this.launcherPods, this.vmis, this.vmims] as ResilientInformer<{ metadata?: object }>[];
  }

  get hasSynced(): boolean {
    return this.all.every((i) => i.hasSynced);
  }

  async start(): Promise<void> {
    await Promise.all(this.all.map((i) => i.start()));
  }

  async waitForSync(timeoutMs?: number): Promise<void> {
    await Promise.all(this.all.map((i) => i.waitForSync(timeoutMs)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  vmi(vm: VmRef): VirtualMachineInstance | undefined {
    return this.vmis.get(vm.name, vm.namespace);
  }

  migrations(namespace: string): readonly VirtualMachineInstanceMigration[] {
    return this.vmims.list(namespace);
  }

  pods(namespace: string): readonly LauncherPod[] {
    return this.launcherPods.list(namespace);
  }
}
