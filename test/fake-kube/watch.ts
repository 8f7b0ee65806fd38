/**
 * One watch stream of the fake API server: headers flushed at once, then one JSON event per line.
 * Replays the history after the requested resourceVersion (or sends ADDED for every current object when none
 * or "0" is given), answers a too-old resourceVersion with an ERROR event (Status 410 Expired) and closes,
 * computes selector transitions like the watch cache (an object that stops matching is DELETED for this
 * watcher, one that starts matching is ADDED), sends BOOKMARKs when asked, and ends at timeoutSeconds.
 */
import type { ServerResponse } from "node:http";
import { KubeStatusError } from "./errors.js";
import { apiVersionOf, resourceId, type KubeObject, type ResourceDef } from "./resources.js";
import type { ObjectStore, WatchEntry } from "./store.js";

export interface WatchRequest {
  readonly def: ResourceDef;
  readonly namespace: string | undefined;
  readonly resourceVersion: string | undefined;
  readonly matches: (o: KubeObject) => boolean;
  readonly allowBookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  readonly timeoutSeconds: number | undefined;
  readonly stalled: boolean;
}

export type WatchEventLine =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject }
  | { type: "BOOKMARK"; object: KubeObject }
  | { type: "ERROR"; object: KubeStatusError["status"] };

/** How a store entry looks to a watcher with `matches` (undefined: not visible). */
export function translate(entry: WatchEntry, matches: (o: KubeObject) => boolean): WatchEventLine | undefined {
  const now = entry.type !== "DELETED" && matches(entry.object);
  const before = entry.prev !== undefined && matches(entry.prev);
  if (entry.type === "ADDED") return now ? { type: "ADDED", object: entry.object } : undefined;
  if (entry.type === "DELETED") return before ? { type: "DELETED", object: entry.object } : undefined;
  if (now && before) return { type: "MODIFIED", object: entry.object };
  if (now) return { type: "ADDED", object: entry.object };
  // It stopped matching: the watcher sees it go away, with the new state and resourceVersion.
  if (before) return { type: "DELETED", object: entry.object };
  return undefined;
}

export class WatchSession {
  /** Set by the fault injector: nothing more is written, the connection stays open. */
  stalled: boolean;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly res: ServerResponse,
    readonly request: WatchRequest,
    private readonly onClose: (s: WatchSession) => void,
  ) {
    this.stalled = request.stalled;
  }

  get def(): ResourceDef {
    return this.request.def;
  }

  start(): void {
    const { def, namespace, resourceVersion, matches } = this.request;
    this.res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    this.res.flushHeaders();
    this.res.on("close", () => this.close());
    const visible = (o: KubeObject) => (namespace === undefined || o.metadata?.namespace === namespace) && matches(o);
    let backlog: WatchEventLine[];
    if (resourceVersion === undefined || resourceVersion === "" || resourceVersion === "0") {
      backlog = this.store.list(def, namespace, matches).items.map((object) => ({ type: "ADDED", object }));
    } else {
      try {
        backlog = this.store.historySince(def, resourceVersion).flatMap((e) => translate(e, visible) ?? []);
      } catch (e) {
        if (!(e instanceof KubeStatusError)) throw e;
        this.write({ type: "ERROR", object: e.status });
        this.end();
        return;
      }
    }
    for (const line of backlog) this.write(line);
    const id = resourceId(def);
    this.unsubscribe = this.store.subscribe((entry) => {
      if (resourceId(entry.def) !== id) return;
      const line = translate(entry, visible);
      if (line) this.write(line);
    });
    if (this.request.allowBookmarks && this.request.bookmarkIntervalMs > 0) {
      const t = setInterval(() => this.bookmark(), this.request.bookmarkIntervalMs);
      t.unref();
      this.timers.push(t);
    }
    if (this.request.timeoutSeconds !== undefined && this.request.timeoutSeconds > 0) {
      const t = setTimeout(() => this.end(), this.request.timeoutSeconds * 1000);
      t.unref();
      this.timers.push(t);
    }
  }

  bookmark(): void {
    const def = this.request.def;
    this.write({ type: "BOOKMARK", object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: this.store.resourceVersion } } });
  }

  /** Sends an ERROR event with `status` and closes (what the server does when its watch cache falls behind). */
  expire(status: KubeStatusError["status"]): void {
    if (this.closed || this.stalled) return;
    this.write({ type: "ERROR", object: status });
    this.end();
  }

  private write(line: WatchEventLine): void {
    if (this.closed || this.stalled) return;
    this.res.write(JSON.stringify(line) + "\n");
  }

  /** Clean end of the stream (the client sees EOF). */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.close();
  }

  /** Abrupt end: the TCP connection is destroyed. */
  destroy(): void {
    this.res.socket?.destroy();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.onClose(this);
  }
}
