/**
 * Kubernetes Status objects and the error that carries one. Every failure of the fake API server is a
 * KubeStatusError; the HTTP layer writes its `status` as the body with `code` as the HTTP status.
 */

export type StatusReason =
  | "BadRequest"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Expired"
  | "Gone"
  | "MethodNotAllowed"
  | "UnsupportedMediaType"
  | "InternalError"
  | "ServiceUnavailable";

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message: string; field?: string }[];
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class KubeStatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = "KubeStatusError";
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  get status(): Status {
    const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details !== undefined) s.details = this.details;
    return s;
  }
}

/** `what` is "<plural>" or "<plural>.<group>" as the real API server prints it. */
export function notFound(what: string, name: string): KubeStatusError {
  return new KubeStatusError(404, "NotFound", `${what} "${name}" not found`, { name, kind: what.split(".")[0] });
}

export function alreadyExists(what: string, name: string): KubeStatusError {
  return new KubeStatusError(409, "AlreadyExists", `${what} "${name}" already exists`, { name, kind: what.split(".")[0] });
}

export function conflict(what: string, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): KubeStatusError {
  return new KubeStatusError(409, "Conflict", `Operation cannot be fulfilled on ${what} "${name}": ${why}`, { name, kind: what.split(".")[0] });
}

export function invalid(kind: string, name: string, causes: { field?: string; message: string }[]): KubeStatusError {
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ");
  return new KubeStatusError(422, "Invalid", `${kind} "${name}" is invalid: ${text}`, {
    name,
    kind,
    causes: causes.map((c) => ({ reason: "FieldValueInvalid", ...c })),
  });
}

/** 422 with no object (a json-patch that could not be applied, e.g. a failed "test" operation). */
export function unprocessable(message: string): KubeStatusError {
  return new KubeStatusError(422, "Invalid", message);
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(400, "BadRequest", message);
}

/** The watch/list answer for a resourceVersion older than the retained history. */
export function expired(requested: string, oldest: number): KubeStatusError {
  return new KubeStatusError(410, "Expired", `too old resource version: ${requested} (${oldest})`);
}
