/**
 * The resources the fake API server serves, and the parsing of request paths:
 *   /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
 *   /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
 */
import { badRequest, KubeStatusError } from "./errors.js";

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown> & {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  [k: string]: unknown;
};

export interface ResourceDef {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** With a status subresource, writes to the main resource keep the stored status and /status writes only status. */
  readonly statusSubresource: boolean;
  /** Field labels beyond metadata.name/metadata.namespace, and how to read them. */
  readonly fields?: Readonly<Record<string, (o: KubeObject) => string | undefined>>;
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group === "" ? def.version : `${def.group}/${def.version}`;
}

/** "pods" for core, "virtualmachineinstances.kubevirt.io" otherwise: how Status messages name a resource. */
export function qualifiedName(def: ResourceDef): string {
  return def.group === "" ? def.plural : `${def.plural}.${def.group}`;
}

export function resourceId(def: ResourceDef): string {
  return `${def.group}/${def.version}/${def.plural}`;
}

function path(o: KubeObject, ...keys: string[]): string | undefined {
  let cur: unknown = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === "string" ? cur : undefined;
}

export const POD: ResourceDef = {
  group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true, statusSubresource: true,
  fields: { "spec.nodeName": (o) => path(o, "spec", "nodeName"), "status.phase": (o) => path(o, "status", "phase") },
};
export const NODE: ResourceDef = { group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false, statusSubresource: true };
export const CORE_EVENT: ResourceDef = {
  group: "", version: "v1", plural: "events", kind: "Event", namespaced: true, statusSubresource: false,
  fields: { reason: (o) => path(o, "reason"), "involvedObject.name": (o) => path(o, "involvedObject", "name") },
};
export const EVENTS_V1_EVENT: ResourceDef = {
  group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true, statusSubresource: false,
  fields: { reason: (o) => path(o, "reason"), "regarding.name": (o) => path(o, "regarding", "name") },
};
export const LEASE: ResourceDef = { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true, statusSubresource: false };
export const VMI: ResourceDef = {
  group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances", kind: "VirtualMachineInstance", namespaced: true, statusSubresource: true,
};
export const VMIM: ResourceDef = {
  group: "kubevirt.io", version: "v1", plural: "virtualmachineinstancemigrations", kind: "VirtualMachineInstanceMigration", namespaced: true, statusSubresource: true,
};

export const DEFAULT_RESOURCES: readonly ResourceDef[] = [POD, NODE, CORE_EVENT, EVENTS_V1_EVENT, LEASE, VMI, VMIM];

export interface ParsedPath {
  readonly def: ResourceDef;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

export class ResourceRegistry {
  private readonly defs = new Map<string, ResourceDef>();

  constructor(defs: readonly ResourceDef[] = DEFAULT_RESOURCES) {
    for (const d of defs) this.add(d);
  }

  add(def: ResourceDef): void {
    this.defs.set(resourceId(def), def);
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.defs.get(`${group}/${version}/${plural}`);
  }

  /** The field labels a resource supports in field selectors. */
  fieldLabels(def: ResourceDef): string[] {
    const base = def.namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"];
    return [...base, ...Object.keys(def.fields ?? {})];
  }

  fieldsOf(def: ResourceDef, o: KubeObject): Record<string, string> {
    const out: Record<string, string> = { "metadata.name": o.metadata?.name ?? "" };
    if (def.namespaced) out["metadata.namespace"] = o.metadata?.namespace ?? "";
    for (const [k, f] of Object.entries(def.fields ?? {})) out[k] = f(o) ?? "";
    return out;
  }

  /** Throws 404 (as a Status) for an unknown path. */
  parse(pathname: string): ParsedPath {
    const parts = pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (parts[0] === "api" && parts.length >= 2) {
      group = "";
      rest = parts.slice(1);
    } else if (parts[0] === "apis" && parts.length >= 3) {
      group = parts[1]!;
      rest = parts.slice(2);
    } else {
      throw new KubeStatusError(404, "NotFound", `the server could not find the requested resource (${pathname})`);
    }
    const version = rest[0]!;
    let namespace: string | undefined;
    let tail = rest.slice(1);
    if (tail[0] === "namespaces" && tail.length >= 3) {
      namespace = tail[1];
      tail = tail.slice(2);
    }
    const [plural, name, subresource, ...extra] = tail;
    const def = plural === undefined ? undefined : this.find(group, version, plural);
    if (def === undefined || extra.length > 0) {
      throw new KubeStatusError(404, "NotFound", `the server could not find the requested resource (${pathname})`);
    }
    if (!def.namespaced && namespace !== undefined) throw badRequest(`${def.plural} is not a namespaced resource`);
    if (subresource !== undefined && subresource !== "status") {
      throw new KubeStatusError(404, "NotFound", `the server could not find the requested resource (${pathname})`);
    }
    return { def, namespace, name, subresource };
  }
}
