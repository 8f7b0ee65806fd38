/**
 * The state of an OvsdbSession as a typed discriminated union, delivered as a stream (session.status$, which
 * replays the current state to a new subscriber):
 *
 *   connecting    before the first accepted connection: attempt n goes to `remote` after `delayMs`;
 *                 `error` says why the previous attempt failed (none for the first)
 *   connected     a server was accepted (its _Server row checked) and every monitor re-established;
 *                 `resync` says how: `fast` monitors got only the changes since their last transaction id
 *                 (monitor_cond_since found=true), `full` ones a full dump turned into exact deltas
 *   reconnecting  the connection was lost (`error`: PROBE_TIMEOUT, CONNECTION_CLOSED, LEADER_UNAVAILABLE...)
 *                 or an attempt failed; attempt n goes to `remote` after `delayMs`
 *   closed        close() was called; the stream completes
 *
 * A session goes connecting -> connected -> reconnecting -> connected ... -> closed.
 */
import type { OvsdbError } from "../protocol/errors.js";
import type { ServerDatabase } from "./leader.js";

export interface ResyncSummary {
  /** Monitors re-established on this connection. */
  readonly monitors: number;
  /** Of which resynced from their last transaction id (monitor_cond_since found=true). */
  readonly fast: number;
  /** Of which reloaded from a full dump (found=false, monitor_cond, monitor, or first load). */
  readonly full: number;
  /** From the start of the dial to the last monitor applied, ms. */
  readonly ms: number;
}

export type SessionStatus =
  | { readonly state: "connecting"; readonly remote: string; readonly attempt: number; readonly delayMs: number; readonly error: OvsdbError | undefined }
  | {
      readonly state: "connected";
      readonly remote: string;
      /** The server's _Server row for the session's database (undefined without _Server). */
      readonly server: ServerDatabase | undefined;
      readonly resync: ResyncSummary;
    }
  | { readonly state: "reconnecting"; readonly remote: string; readonly attempt: number; readonly delayMs: number; readonly error: OvsdbError }
  | { readonly state: "closed" };

export type SessionState = SessionStatus["state"];
