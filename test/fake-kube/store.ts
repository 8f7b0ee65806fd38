/**
 * The object store of the fake API server: one global resourceVersion counter (like etcd's revision), the
 * objects of every resource, and a bounded event history for watch replay. Synchronous and in-process: the
 * HTTP layer and test drivers both call it; every write emits one WatchEntry to the subscribers.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { alreadyExists, badRequest, conflict, expired, invalid, KubeStatusError, notFound } from "./errors.js";
import { applyJsonPatch, applyMergePatch, deepEqual, parseJsonPatch, type Json } from "./patch.js";
import { apiVersionOf, qualifiedName, resourceId, type KubeObject, type ResourceDef } from "./resources.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatchEntry {
  readonly rv: number;
  readonly def: ResourceDef;
  readonly type: WatchEventType;
  readonly object: KubeObject;
  /** The object before the change (MODIFIED/DELETED), to compute selector transitions. */
  readonly prev: KubeObject | undefined;
}

export type PatchType = "json" | "merge";

export interface WriteOptions {
  /** "status": write only .status (resources with a status subresource). */
  readonly subresource?: string | undefined;
}

export interface DeletePreconditions {
  readonly resourceVersion?: string;
  readonly uid?: string;
}

export interface StoreOptions {
  /** Events kept for watch replay; older ones are compacted away. Default 5000. */
  readonly historyLimit?: number;
  /** First resourceVersion minus one. Default 100. */
  readonly initialResourceVersion?: number;
  readonly now?: () => Date;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

function keyOf(ns: string | undefined, name: string): string {
  return `${ns ?? ""}/${name}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Everything but metadata and status: a change there bumps metadata.generation. */
function specPart(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export class ObjectStore {
  private rv: number;
  private compactedRv: number;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: WatchEntry[] = [];
  private readonly subscribers = new Set<(e: WatchEntry) => void>();
  private readonly historyLimit: number;
  private readonly now: () => Date;

  constructor(options: StoreOptions = {}) {
    this.rv = options.initialResourceVersion ?? 100;
    this.compactedRv = this.rv;
    this.historyLimit = options.historyLimit ?? 5000;
    this.now = options.now ?? (() => new Date());
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch may still start from. */
  get compactedResourceVersion(): number {
    return this.compactedRv;
  }

  subscribe(fn: (e: WatchEntry) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Drops the whole history: a watch from any resourceVersion before now gets 410 Expired. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  /** The entries of `def` after `fromRv`; 410 when that part of the history is gone. */
  historySince(def: ResourceDef, fromRv: string): WatchEntry[] {
    const from = Number(fromRv);
    if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${JSON.stringify(fromRv)}`);
    if (from < this.compactedRv) throw expired(fromRv, this.compactedRv);
    const id = resourceId(def);
    return this.history.filter((e) => e.rv > from && resourceId(e.def) === id);
  }

  private bucket(def: ResourceDef): Map<string, KubeObject> {
    const id = resourceId(def);
    let b = this.objects.get(id);
    if (!b) this.objects.set(id, (b = new Map()));
    return b;
  }

  private emit(def: ResourceDef, type: WatchEventType, object: KubeObject, prev: KubeObject | undefined): void {
    const entry: WatchEntry = { rv: this.rv, def, type, object: clone(object), prev: prev && clone(prev) };
    this.history.push(entry);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const s of [...this.subscribers]) s(entry);
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined): void {
    if (def.namespaced && (ns === undefined || ns === "")) throw badRequest(`${def.plural} must be accessed in a namespace`);
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    this.checkNamespace(def, ns);
    const o = this.bucket(def).get(keyOf(def.namespaced ? ns : undefined, name));
    if (!o) throw notFound(qualifiedName(def), name);
    return clone(o);
  }

  /** Items in key order (namespace/name), like etcd ranges; `filter` applies selectors. */
  list(def: ResourceDef, ns: string | undefined, filter: (o: KubeObject) => boolean = () => true): { items: KubeObject[]; resourceVersion: string } {
    const items = [...this.bucket(def).entries()]
      .filter(([, o]) => (ns === undefined || o.metadata?.namespace === ns) && filter(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => clone(o));
    return { items, resourceVersion: this.resourceVersion };
  }

  create(def: ResourceDef, ns: string | undefined, body: KubeObject): KubeObject {
    this.checkNamespace(def, ns);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was not an object");
    const obj = clone(body);
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== ns) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = ns;
    } else delete meta.namespace;
    if (obj.kind !== undefined && obj.kind !== def.kind) throw badRequest(`kind ${String(obj.kind)} does not match ${def.kind}`);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
      throw new KubeStatusError(500, "InternalError", "resourceVersion should not be set on objects to be created");
    }
    if ((meta.name === undefined || meta.name === "") && meta.generateName) {
      meta.name = meta.generateName + randomBytes(4).toString("hex").slice(0, 5);
    }
    const name = meta.name;
    if (name === undefined || name === "") {
      throw invalid(def.kind, "", [{ field: "metadata.name", message: "Required value: name or generateName is required" }]);
    }
    if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      throw invalid(def.kind, name, [{ field: "metadata.name", message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` }]);
    }
    const bucket = this.bucket(def);
    const key = keyOf(meta.namespace, name);
    if (bucket.has(key)) throw alreadyExists(qualifiedName(def), name);
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.deletionTimestamp;
    if (Object.keys(specPart(obj)).length > 0) meta.generation = 1;
    this.rv++;
    meta.resourceVersion = String(this.rv);
    bucket.set(key, obj);
    this.emit(def, "ADDED", obj, undefined);
    return clone(obj);
  }

  /** PUT: metadata.resourceVersion (when set) is a precondition (409 on mismatch). */
  replace(def: ResourceDef, ns: string | undefined, name: string, body: KubeObject, options: WriteOptions = {}): KubeObject {
    this.checkNamespace(def, ns);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was not an object");
    const current = this.get(def, ns, name);
    const wanted = clone(body);
    const meta = (wanted.metadata ??= {});
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && meta.namespace !== undefined && meta.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const rv = meta.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== current.metadata!.resourceVersion) throw conflict(qualifiedName(def), name);
    if (meta.uid !== undefined && meta.uid !== "" && meta.uid !== current.metadata!.uid) {
      throw conflict(qualifiedName(def), name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${String(current.metadata!.uid)}`);
    }
    return this.commit(def, current, wanted, options);
  }

  patch(def: ResourceDef, ns: string | undefined, name: string, type: PatchType, patch: unknown, options: WriteOptions = {}): KubeObject {
    this.checkNamespace(def, ns);
    const current = this.get(def, ns, name);
    let patched: Json;
    if (type === "json") patched = applyJsonPatch(current as Json, parseJsonPatch(patch));
    else {
      if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw badRequest("merge patch must be a JSON object");
      patched = applyMergePatch(current as Json, patch as Json);
    }
    if (patched === null || typeof patched !== "object" || Array.isArray(patched)) throw badRequest("patch did not produce an object");
    const wanted = patched as KubeObject;
    const rv = wanted.metadata?.resourceVersion;
    if (rv !== undefined && rv !== current.metadata!.resourceVersion) throw conflict(qualifiedName(def), name);
    if (wanted.metadata?.name !== name) throw badRequest("metadata.name cannot be changed by a patch");
    return this.commit(def, current, wanted, options);
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, pre: DeletePreconditions = {}): KubeObject {
    const current = this.get(def, ns, name);
    const m = current.metadata!;
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== m.resourceVersion) {
      throw conflict(qualifiedName(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(m.resourceVersion)}`);
    }
    if (pre.uid !== undefined && pre.uid !== m.uid) {
      throw conflict(qualifiedName(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(m.uid)}`);
    }
    if ((m.finalizers ?? []).length > 0) {
      if (m.deletionTimestamp !== undefined) return current;
      const next = clone(current);
      next.metadata!.deletionTimestamp = rfc3339(this.now());
      this.rv++;
      next.metadata!.resourceVersion = String(this.rv);
      this.bucket(def).set(keyOf(m.namespace, name), next);
      this.emit(def, "MODIFIED", next, current);
      return clone(next);
    }
    return this.remove(def, current);
  }

  private remove(def: ResourceDef, current: KubeObject): KubeObject {
    const m = current.metadata!;
    this.bucket(def).delete(keyOf(m.namespace, m.name!));
    const gone = clone(current);
    this.rv++;
    gone.metadata!.resourceVersion = String(this.rv);
    this.emit(def, "DELETED", gone, current);
    return clone(gone);
  }

  /** Applies immutable metadata, status-subresource rules and generation; a no-op write changes nothing. */
  private commit(def: ResourceDef, current: KubeObject, wanted: KubeObject, options: WriteOptions): KubeObject {
    const cm = current.metadata!;
    let next: KubeObject;
    if (options.subresource === "status") {
      next = clone(current);
      if (wanted.status === undefined) delete next.status;
      else next.status = clone(wanted.status);
    } else {
      next = clone(wanted);
      if (def.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
    }
    const nm = (next.metadata ??= {});
    nm.name = cm.name;
    if (def.namespaced) nm.namespace = cm.namespace;
    nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    if (cm.deletionTimestamp !== undefined) nm.deletionTimestamp = cm.deletionTimestamp;
    else if (nm.deletionTimestamp !== undefined) {
      throw invalid(def.kind, cm.name!, [{ field: "metadata.deletionTimestamp", message: "Invalid value: field is immutable; may only be set by the server" }]);
    }
    next.apiVersion = apiVersionOf(def);
    next.kind = def.kind;
    if (cm.generation !== undefined) nm.generation = cm.generation;
    if (!deepEqual(specPart(next) as Json, specPart(current) as Json)) nm.generation = ((cm.generation as number | undefined) ?? 0) + 1;
    nm.resourceVersion = cm.resourceVersion;
    if (deepEqual(next as Json, current as Json)) return clone(current);
    if (cm.deletionTimestamp !== undefined && (nm.finalizers ?? []).length === 0) return this.remove(def, next);
    this.rv++;
    nm.resourceVersion = String(this.rv);
    this.bucket(def).set(keyOf(cm.namespace, cm.name!), next);
    this.emit(def, "MODIFIED", next, current);
    return clone(next);
  }
}
