/**
 * MigratorError: the typed errors of the migration daemon. It is an OvsdbError (same `code` field and
 * isOvsdbError checks as the rest of ovnkit), restricted to the codes below; tests assert on `code`.
 *
 *   CONFIG_INVALID   a command-line option or configuration value is unusable (details.option)
 *   KUBE_API_ERROR   a Kubernetes API request failed (details.status, details.reason when the server said)
 *   QUEUE_SHUT_DOWN  the work queue was shut down while a caller waited on it
 *   RECONCILE_PANIC  a reconcile threw something that is not an Error, or failed synchronously by surprise
 */
import { OvsdbError, type OvsdbErrorOptions } from "@ovnkit/ovsdb";

export const MIGRATOR_ERROR_CODES = ["CONFIG_INVALID", "KUBE_API_ERROR", "QUEUE_SHUT_DOWN", "RECONCILE_PANIC"] as const;
export type MigratorErrorCode = (typeof MIGRATOR_ERROR_CODES)[number];

export class MigratorError extends OvsdbError {
  declare readonly code: MigratorErrorCode;

  constructor(code: MigratorErrorCode, message: string, options: OvsdbErrorOptions = {}) {
    super(code, message, options);
    this.name = "MigratorError";
  }
}

export function isMigratorError(e: unknown, code?: MigratorErrorCode): e is MigratorError {
  return e instanceof MigratorError && (code === undefined || e.code === code);
}

export function configInvalid(option: string, message: string): MigratorError {
  return new MigratorError("CONFIG_INVALID", `--${option}: ${message}`, { details: { option } });
}

/** Wraps a client-node ApiException (its body is the Status as JSON text or an object) or a network error. */
export function kubeApiError(what: string, e: unknown): MigratorError {
  const status = typeof (e as { code?: unknown })?.code === "number" ? (e as { code: number }).code : undefined;
  let reason: string | undefined;
  let message = e instanceof Error ? e.message.split("\n")[0]! : String(e);
  const body = (e as { body?: unknown })?.body;
  try {
    const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { reason?: string; message?: string } | undefined;
    if (parsed && typeof parsed === "object") {
      reason = parsed.reason;
      if (parsed.message) message = parsed.message;
    }
  } catch {
    // not a Status body
  }
  return new MigratorError("KUBE_API_ERROR", `${what}: ${message}`, {
    cause: e,
    details: { ...(status !== undefined ? { status } : {}), ...(reason !== undefined ? { reason } : {}) },
  });
}

/** The HTTP status of a Kubernetes API failure (KUBE_API_ERROR or a raw ApiException), if any. */
export function kubeStatusOf(e: unknown): number | undefined {
  if (isMigratorError(e, "KUBE_API_ERROR")) return e.details.status as number | undefined;
  const c = (e as { code?: unknown })?.code;
  return typeof c === "number" ? c : undefined;
}
