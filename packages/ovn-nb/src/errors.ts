/**
 * OvnNbError: the typed errors of NB operations. It is an OvsdbError (same `code` field, same isOvsdbError
 * checks), restricted to the codes below. Callers and tests switch on `code`; `details` says which object.
 *
 *   NOT_FOUND               a referenced object (switch, port, router, migration port...) does not exist
 *   ALREADY_EXISTS          a create found an object with the same identity (name, or route/NAT/ACL key)
 *   AMBIGUOUS_NAME          several rows share the name (tables without a unique name index); use the uuid
 *   CONFLICT                a guarded write was aborted by the server: the row changed since it was read
 *   MIGRATION_CONFLICT      a port is armed by another migration, or changed concurrently while arming
 *   STALE_MIGRATION         a completion names a migration that does not own the ports (nothing changed)
 *   SCHEMA_VERSION_MISMATCH the server's schema version is not acceptable under the connect policy
 */
import { OvsdbError, TransactionError, type OvsdbErrorOptions } from "@ovnkit/ovsdb";

export const OVN_NB_ERROR_CODES = [
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "AMBIGUOUS_NAME",
  "CONFLICT",
  "MIGRATION_CONFLICT",
  "STALE_MIGRATION",
  "SCHEMA_VERSION_MISMATCH",
] as const;

export type OvnNbErrorCode = (typeof OVN_NB_ERROR_CODES)[number];

export class OvnNbError extends OvsdbError {
  declare readonly code: OvnNbErrorCode;

  constructor(code: OvnNbErrorCode, message: string, options: OvsdbErrorOptions = {}) {
    super(code, message, options);
    this.name = "OvnNbError";
  }
}

/** True for an OvnNbError (also one from another copy of this package: checked by name and code). */
export function isOvnNbError(e: unknown, code?: OvnNbErrorCode): e is OvnNbError {
  const typed =
    e instanceof OvnNbError ||
    (e instanceof Error && e.name === "OvnNbError" && (OVN_NB_ERROR_CODES as readonly unknown[]).includes((e as { code?: unknown }).code));
  return typed && (code === undefined || (e as OvnNbError).code === code);
}

/** NOT_FOUND for `what` (e.g. "logical switch") identified by `key`. */
export function notFound(what: string, key: string, details: Record<string, unknown> = {}, cause?: unknown): OvnNbError {
  return new OvnNbError("NOT_FOUND", `${what} ${JSON.stringify(key)} not found`, { cause, details: { what, key, ...details } });
}

export function alreadyExists(what: string, key: string, details: Record<string, unknown> = {}, cause?: unknown): OvnNbError {
  return new OvnNbError("ALREADY_EXISTS", `${what} ${JSON.stringify(key)} already exists`, { cause, details: { what, key, ...details } });
}

export function ambiguousName(what: string, name: string, uuids: readonly string[]): OvnNbError {
  return new OvnNbError("AMBIGUOUS_NAME", `${uuids.length} ${what}s are named ${JSON.stringify(name)}; use a uuid`, {
    details: { what, key: name, uuids: [...uuids] },
  });
}

/** CONFLICT: the guard on `what` failed on the server (the row changed or vanished since it was read). */
export function conflict(what: string, key: string, cause?: TransactionError): OvnNbError {
  return new OvnNbError("CONFLICT", `${what} ${JSON.stringify(key)} changed concurrently; re-read and retry`, {
    cause,
    details: { what, key },
  });
}
