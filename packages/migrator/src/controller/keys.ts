/**
 * Which VM (namespace/VMI name) an object is about. Pure. Every event of a launcher pod, VMI or VMIM turns
 * into the key of its VM: the reconciler then re-reads everything (level-triggered).
 */
import { ANNOTATIONS, LABELS, type LauncherPod, type VirtualMachineInstance, type VirtualMachineInstanceMigration } from "../kube/kubevirt-types.js";

function key(namespace: string | undefined, name: string | undefined): string | undefined {
  return namespace && name ? `${namespace}/${name}` : undefined;
}

export function keyOfVmi(vmi: VirtualMachineInstance): string | undefined {
  return key(vmi.metadata?.namespace, vmi.metadata?.name);
}

export function keyOfVmim(m: VirtualMachineInstanceMigration): string | undefined {
  return key(m.metadata?.namespace, m.spec?.vmiName ?? m.metadata?.labels?.[LABELS.vmiName]);
}

/** The VMI owning a launcher pod (controller owner reference), else the kubevirt.io/domain annotation. */
export function keyOfLauncherPod(pod: LauncherPod): string | undefined {
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.kind === "VirtualMachineInstance");
  return key(pod.metadata?.namespace, owner?.name ?? pod.metadata?.annotations?.[ANNOTATIONS.domain]);
}
