/**
 * FakeKubeApiServer: an in-process HTTP server on 127.0.0.1 (kernel-chosen port) that speaks enough of the
 * Kubernetes API for the real @kubernetes/client-node: list, watch, get, create, replace (PUT), patch
 * (json-patch, merge-patch), delete, /status subresources, Status bodies for errors, and fault injection
 * (socket destroy, stalled streams, forced compaction, latency, injected errors).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { badRequest, expired, KubeStatusError } from "./errors.js";
import { Faults, type Verb } from "./faults.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { ResourceRegistry, apiVersionOf, type KubeObject, type ParsedPath, type ResourceDef } from "./resources.js";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { ObjectStore, type PatchType, type StoreOptions } from "./store.js";
import { WatchSession } from "./watch.js";

export interface FakeKubeApiServerOptions extends StoreOptions {
  readonly resources?: readonly ResourceDef[];
  /** BOOKMARK period for watches that allow bookmarks. Default 60 s (as a real server); 0 disables. */
  readonly bookmarkIntervalMs?: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly verb: Verb | undefined;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export class FakeKubeApiServer {
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  readonly faults = new Faults();
  /** Every request seen, in order (watches recorded when they start). */
  readonly requests: RequestRecord[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<WatchSession>();
  private readonly bookmarkIntervalMs: number;
  private port = 0;

  constructor(options: FakeKubeApiServerOptions = {}) {
    this.store = new ObjectStore(options);
    this.registry = new ResourceRegistry(options.resources);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    const s = new FakeKubeApiServer(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once("error", reject);
      s.server.listen(0, "127.0.0.1", () => resolve());
    });
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig (YAML) for this server; client-node 1.4 needs insecure-skip-tls-verify for plain http. */
  kubeconfig(options: { namespace?: string; user?: string } = {}): string {
    return kubeconfigYaml(this.url, options);
  }

  /** Open watch streams (optionally of one resource plural). */
  openWatches(plural?: string): WatchSession[] {
    return [...this.watches].filter((w) => plural === undefined || w.def.plural === plural);
  }

  /** Destroys the TCP connections of open watches: clients see a reset ("Premature close"). */
  destroyWatches(plural?: string): number {
    const ws = this.openWatches(plural);
    for (const w of ws) w.destroy();
    return ws.length;
  }

  /** Destroys every client connection, idle keep-alive ones included. */
  destroyConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Open watches stop receiving anything (headers were sent; the connection stays up). */
  stallWatches(plural?: string): number {
    const ws = this.openWatches(plural);
    for (const w of ws) w.stalled = true;
    return ws.length;
  }

  /** Cleanly ends open watches (EOF), as a server does at timeoutSeconds. */
  endWatches(plural?: string): number {
    const ws = this.openWatches(plural);
    for (const w of ws) w.end();
    return ws.length;
  }

  /**
   * Forced compaction: the history is dropped, so a watch from an older resourceVersion gets 410 Expired.
   * With expireWatches, open watches also get an ERROR 410 event and are closed.
   */
  compact(options: { expireWatches?: boolean } = {}): void {
    const before = this.store.resourceVersion;
    this.store.compact();
    if (options.expireWatches) {
      const status = expired(before, this.store.compactedResourceVersion).status;
      for (const w of [...this.watches]) w.expire(status);
    }
  }

  /** Sends a BOOKMARK on every open watch that allowed bookmarks. */
  bookmarkNow(): void {
    for (const w of this.watches) if (w.request.allowBookmarks) w.bookmark();
  }

  async stop(): Promise<void> {
    for (const w of [...this.watches]) w.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams.entries());
    let verb: Verb | undefined;
    const record = (status: number) => this.requests.push({ method: req.method ?? "", verb, path: url.pathname, query, status });
    try {
      const body = await readBody(req);
      if (this.faults.latencyMs > 0) await delay(this.faults.latencyMs);
      const parsed = this.registry.parse(url.pathname);
      verb = verbOf(req.method ?? "", parsed, query);
      const injected = this.faults.take(verb, parsed.def.plural, parsed.name);
      if (injected) throw injected;
      if (verb === "watch") {
        record(200);
        this.startWatch(res, parsed, query);
        return;
      }
      const { status, object } = this.dispatch(verb, parsed, query, body, req.headers["content-type"] ?? "");
      record(status);
      send(res, status, object);
    } catch (e) {
      const err = e instanceof KubeStatusError ? e : new KubeStatusError(500, "InternalError", e instanceof Error ? e.message : String(e));
      record(err.code);
      if (!res.headersSent) send(res, err.code, err.status);
      else res.destroy();
    }
  }

  private filterFor(def: ResourceDef, query: Record<string, string>): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector, this.registry.fieldLabels(def));
    return (o) => matchesLabels(labels, o.metadata?.labels) && matchesFields(fields, this.registry.fieldsOf(def, o));
  }

  private startWatch(res: ServerResponse, p: ParsedPath, query: Record<string, string>): void {
    const timeout = query.timeoutSeconds !== undefined ? Number(query.timeoutSeconds) : undefined;
    const session = new WatchSession(
      this.store,
      res,
      {
        def: p.def,
        namespace: p.namespace,
        resourceVersion: query.resourceVersion,
        matches: this.filterFor(p.def, query),
        allowBookmarks: query.allowWatchBookmarks === "true" || query.allowWatchBookmarks === "1",
        bookmarkIntervalMs: this.bookmarkIntervalMs,
        timeoutSeconds: timeout !== undefined && Number.isFinite(timeout) ? timeout : undefined,
        stalled: this.faults.stallNewWatches,
      },
      (s) => this.watches.delete(s),
    );
    this.watches.add(session);
    session.start();
  }

  private dispatch(verb: Verb, p: ParsedPath, query: Record<string, string>, body: unknown, contentType: string): { status: number; object: unknown } {
    const { def, namespace, name, subresource } = p;
    const opts = { subresource };
    if (subresource === "status" && !def.statusSubresource) throw new KubeStatusError(404, "NotFound", `${def.plural} has no status subresource`);
    switch (verb) {
      case "list": {
        const { items, resourceVersion } = this.store.list(def, namespace, this.filterFor(def, query));
        return { status: 200, object: { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion }, items } };
      }
      case "get":
        return { status: 200, object: this.store.get(def, namespace, name!) };
      case "create":
        if (subresource !== undefined) throw new KubeStatusError(405, "MethodNotAllowed", "create is not allowed on a subresource");
        return { status: 201, object: this.store.create(def, namespace, body as KubeObject) };
      case "update":
        return { status: 200, object: this.store.replace(def, namespace, name!, body as KubeObject, opts) };
      case "patch":
        return { status: 200, object: this.store.patch(def, namespace, name!, patchTypeOf(contentType, def), body, opts) };
      case "delete": {
        const pre = (body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)?.preconditions ?? {};
        return { status: 200, object: this.store.delete(def, namespace, name!, pre) };
      }
      default:
        throw new KubeStatusError(405, "MethodNotAllowed", `${verb} is not supported`);
    }
  }
}

function verbOf(method: string, p: ParsedPath, query: Record<string, string>): Verb {
  const collection = p.name === undefined;
  switch (method) {
    case "GET":
      if (collection) return query.watch === "true" || query.watch === "1" ? "watch" : "list";
      return "get";
    case "POST":
      if (!collection) throw new KubeStatusError(405, "MethodNotAllowed", "POST to a named resource is not allowed");
      return "create";
    case "PUT":
    case "PATCH":
    case "DELETE":
      if (collection) throw new KubeStatusError(405, "MethodNotAllowed", `${method} on a collection is not supported`);
      return method === "PUT" ? "update" : method === "PATCH" ? "patch" : "delete";
    default:
      throw new KubeStatusError(405, "MethodNotAllowed", `method ${method} is not allowed`);
  }
}

function patchTypeOf(contentType: string, def: ResourceDef): PatchType {
  const ct = contentType.split(";")[0]!.trim();
  if (ct === "application/json-patch+json") return "json";
  if (ct === "application/merge-patch+json") return "merge";
  // Strategic merge is only defined for built-in types; for them a merge patch is a fair approximation here.
  if (ct === "application/strategic-merge-patch+json" && def.group === "" ) return "merge";
  throw new KubeStatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("the body of the request could not be decoded as JSON");
  }
}

function send(res: ServerResponse, status: number, object: unknown): void {
  const text = JSON.stringify(object);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
