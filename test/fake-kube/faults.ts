/**
 * Fault injection for the fake API server: injected latency, errors on the next N requests of a verb, 409 on
 * the next write, stalled watch streams. The server consults it on every request; tests drive it.
 */
import { KubeStatusError, type StatusReason } from "./errors.js";

export type Verb = "list" | "watch" | "get" | "create" | "update" | "patch" | "delete";
export const WRITE_VERBS: readonly Verb[] = ["create", "update", "patch", "delete"];

export interface InjectedError {
  /** Any verb when omitted. */
  readonly verbs?: readonly Verb[];
  /** Plural (e.g. "leases"); any resource when omitted. */
  readonly resource?: string;
  readonly code: number;
  readonly reason?: StatusReason;
  readonly message?: string;
  /** How many matching requests fail. Default 1. */
  readonly count?: number;
}

const DEFAULT_REASONS: Record<number, StatusReason> = {
  400: "BadRequest", 404: "NotFound", 409: "Conflict", 410: "Expired", 422: "Invalid", 500: "InternalError", 503: "ServiceUnavailable",
};

export class Faults {
  /** Delay before every response (and before a watch's headers). */
  latencyMs = 0;
  /** New watches get their headers and then nothing, forever (until the client gives up). */
  stallNewWatches = false;
  private readonly injected: { spec: InjectedError; left: number }[] = [];

  /** The next `count` matching requests fail with a Status of `code`. */
  failNext(spec: InjectedError): void {
    this.injected.push({ spec, left: spec.count ?? 1 });
  }

  /** The next write (create/update/patch/delete) to `resource` (any when omitted) answers 409 Conflict. */
  conflictOnNextWrite(resource?: string): void {
    this.failNext({ verbs: WRITE_VERBS, code: 409, reason: "Conflict", ...(resource !== undefined ? { resource } : {}) });
  }

  get pendingErrors(): number {
    return this.injected.reduce((n, i) => n + i.left, 0);
  }

  clear(): void {
    this.injected.length = 0;
    this.latencyMs = 0;
    this.stallNewWatches = false;
  }

  /** Consumes one matching injected error, if any. */
  take(verb: Verb, resource: string, name: string | undefined): KubeStatusError | undefined {
    const i = this.injected.findIndex(
      (x) => (x.spec.verbs === undefined || x.spec.verbs.includes(verb)) && (x.spec.resource === undefined || x.spec.resource === resource),
    );
    if (i < 0) return undefined;
    const hit = this.injected[i]!;
    if (--hit.left <= 0) this.injected.splice(i, 1);
    const { code } = hit.spec;
    const reason = hit.spec.reason ?? DEFAULT_REASONS[code] ?? "InternalError";
    const message =
      hit.spec.message ??
      (code === 409
        ? `Operation cannot be fulfilled on ${resource} "${name ?? ""}": the object has been modified; please apply your changes to the latest version and try again`
        : `injected ${code} ${reason} for ${verb} ${resource}`);
    return new KubeStatusError(code, reason, message, name !== undefined ? { name, kind: resource } : undefined);
  }
}
