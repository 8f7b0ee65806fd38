/**
 * The connection state of an OvsdbClient as a typed discriminated union, delivered as a stream
 * (client.status$, which replays the current state to a new subscriber).
 *
 *   connecting    dialing `remote` (attempt n of a remote list)
 *   connected     the JSON-RPC session to `remote` is up
 *   disconnected  the session ended: `error` says why (CONNECTION_CLOSED, a protocol error such as
 *                 MALFORMED_FRAME / UNEXPECTED_REPLY, TLS_ERROR...); calls fail with NOT_CONNECTED
 *   closed        close() was called; the streams complete
 */
import { BehaviorSubject, type Observable } from "rxjs";
import type { OvsdbError } from "../protocol/errors.js";

export type ClientStatus =
  | { readonly state: "connecting"; readonly remote: string; readonly attempt: number }
  | { readonly state: "connected"; readonly remote: string }
  | { readonly state: "disconnected"; readonly remote: string; readonly error: OvsdbError }
  | { readonly state: "closed" };

export type ClientState = ClientStatus["state"];

/** Holds the current status and publishes every change. */
export class StatusTracker {
  private readonly subject: BehaviorSubject<ClientStatus>;
  readonly status$: Observable<ClientStatus>;

  constructor(initial: ClientStatus) {
    this.subject = new BehaviorSubject<ClientStatus>(initial);
    this.status$ = this.subject.asObservable();
  }

  get current(): ClientStatus {
    return this.subject.getValue();
  }

  set(status: ClientStatus): void {
    if (this.subject.closed || this.current.state === "closed") return;
    this.subject.next(status);
    if (status.state === "closed") this.subject.complete();
  }
}
