/**
 * Every error this package raises is an OvsdbError with a stable machine `code`.
 * Tests and callers switch on `code`, never on message text.
 */
export type OvsdbErrorCode =
  // connection
  | "CONNECTION_REFUSED"
  | "CONNECTION_CLOSED"
  | "CONNECT_TIMEOUT"
  | "REQUEST_TIMEOUT"
  | "NOT_CONNECTED"
  | "TLS_ERROR"
  | "INVALID_REMOTE"
  | "PROBE_TIMEOUT"
  | "OUTCOME_UNKNOWN"
  // protocol (bad bytes or messages from the peer)
  | "MALFORMED_FRAME"
  | "FRAME_TOO_LARGE"
  | "INVALID_JSON"
  | "UNEXPECTED_REPLY"
  | "INVALID_MESSAGE"
  // monitor updates that do not fit the replica (insert of an existing row, modify/delete of an unknown row)
  | "UPDATE_INCONSISTENT"
  // the server answered a request with an error
  | "RPC_ERROR"
  // transact results (RFC 7047 section 4.1.3 + OVS extensions)
  | "TRANSACTION_ERROR"
  // client-side validation (nothing was sent)
  | "VALIDATION_ERROR"
  | "SCHEMA_ERROR"
  // caller
  | "CANCELLED"
  | "LEADER_UNAVAILABLE"
  | "STALE_SERVER"
  | "DATABASE_UNAVAILABLE"
  // OVN Northbound operations (@ovnkit/ovn-nb OvnNbError)
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "AMBIGUOUS_NAME"
  | "CONFLICT"
  | "MIGRATION_CONFLICT"
  | "STALE_MIGRATION"
  | "SCHEMA_VERSION_MISMATCH"
  // the KubeVirt migration daemon (@ovnkit/migrator MigratorError)
  | "CONFIG_INVALID"
  | "KUBE_API_ERROR"
  | "QUEUE_SHUT_DOWN"
  | "RECONCILE_PANIC";

export interface OvsdbErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class OvsdbError extends Error {
  readonly code: OvsdbErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: OvsdbErrorCode, message: string, options: OvsdbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OvsdbError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isOvsdbError(e: unknown, code?: OvsdbErrorCode): e is OvsdbError {
  return e instanceof OvsdbError && (code === undefined || e.code === code);
}
