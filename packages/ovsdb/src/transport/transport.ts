/**
 * The one small interface between the OVSDB protocol and the network: bytes in (as they arrive), write, close,
 * and a close event. unix.ts, tcp.ts and tls.ts implement it over node:net / node:tls sockets (the only files
 * that touch them); remote.ts picks one from a remote string.
 */
import type { Socket } from "node:net";
import { OvsdbError } from "../protocol/errors.js";
import type { Remote } from "./remote.js";

export interface TransportHandlers {
  /** A chunk of bytes from the peer, in order. Called synchronously from the socket's data event. */
  data(chunk: Buffer): void;
  /** The connection ended: `error` undefined for a clean close by either side. Called exactly once. */
  close(error: OvsdbError | undefined): void;
}

export interface Transport {
  readonly remote: Remote;
  /** Starts delivering bytes and the close event (bytes that arrived earlier are held until then). Once. */
  attach(handlers: TransportHandlers): void;
  /** Queues bytes for the peer. Ignored once closed. */
  write(data: string | Uint8Array): void;
  /** Ends the connection; the close handler then runs (with no error). Idempotent. */
  close(): void;
  readonly closed: boolean;
}

export interface DialOptions {
  /** Fail with CONNECT_TIMEOUT when the connection (and TLS handshake) is not up in this time. Default 10 s. */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Maps a socket error (errno code) to a typed connection error. */
export function socketError(e: unknown, remote: Remote, phase: "connect" | "io"): OvsdbError {
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const text = (e as Error | undefined)?.message ?? String(e);
  if (phase === "connect" && (errno === "ECONNREFUSED" || errno === "ENOENT" || errno === "ENOTSOCK")) {
    return new OvsdbError("CONNECTION_REFUSED", `${remote.text}: connection refused (${text})`, { cause: e, details: { remote: remote.text, errno } });
  }
  if (isTlsFailure(e)) {
    return new OvsdbError("TLS_ERROR", `${remote.text}: TLS failure (${text})`, { cause: e, details: { remote: remote.text, errno } });
  }
  const code = phase === "connect" ? "CONNECTION_REFUSED" : "CONNECTION_CLOSED";
  return new OvsdbError(code, `${remote.text}: ${phase === "connect" ? "cannot connect" : "connection lost"} (${text})`, {
    cause: e,
    details: { remote: remote.text, errno },
  });
}

function isTlsFailure(e: unknown): boolean {
  const errno = (e as NodeJS.ErrnoException | undefined)?.code ?? "";
  const library = (e as { library?: unknown } | undefined)?.library;
  return errno.startsWith("ERR_SSL") || errno.startsWith("ERR_TLS") || library === "SSL routines" || /CERT|SELF_SIGNED|UNABLE_TO/.test(errno);
}

/**
 * A Transport over a connected node:net Socket (or tls.TLSSocket, a subclass). The socket is in paused mode until
 * attach(), so no byte is lost between connect and attach.
 */
export class SocketTransport implements Transport {
  private handlers: TransportHandlers | undefined;
  private ended = false;
  private pendingClose: { error: OvsdbError | undefined } | undefined;
  private closeReported = false;
  private lastError: OvsdbError | undefined;

  constructor(
    private readonly socket: Socket,
    readonly remote: Remote,
  ) {
    socket.setNoDelay?.(true);
    socket.on("error", (e) => {
      this.lastError ??= socketError(e, remote, "io");
    });
    socket.on("close", () => this.reportClose(this.ended ? undefined : this.lastError));
  }

  get closed(): boolean {
    return this.ended || this.closeReported || this.pendingClose !== undefined;
  }

  attach(handlers: TransportHandlers): void {
    if (this.handlers) throw new Error("transport already attached");
    this.handlers = handlers;
    this.socket.on("data", (chunk: Buffer) => {
      if (!this.ended) handlers.data(chunk);
    });
    if (this.pendingClose) {
      const { error } = this.pendingClose;
      this.pendingClose = undefined;
      this.closeReported = true;
      handlers.close(error);
    }
  }

  write(data: string | Uint8Array): void {
    if (this.ended || this.socket.destroyed) return;
    this.socket.write(data);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
  }

  private reportClose(error: OvsdbError | undefined): void {
    if (this.closeReported || this.pendingClose) return;
    if (!this.handlers) {
      this.pendingClose = { error };
      return;
    }
    this.closeReported = true;
    this.handlers.close(error);
  }
}

/**
 * Waits for a fresh socket to emit `readyEvent` ("connect", or "secureConnect" for TLS), mapping failures and
 * the timeout to typed errors. On success the socket is wrapped in a SocketTransport.
 */
export function awaitSocket(socket: Socket, remote: Remote, readyEvent: string, options: DialOptions): Promise<Transport> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const tls = readyEvent === "secureConnect";
  return new Promise<Transport>((resolve, reject) => {
    let settled = false;
    let tcpUp = false; // for TLS: a failure after the TCP connect is a failed handshake
    const timer = setTimeout(() => {
      fail(new OvsdbError("CONNECT_TIMEOUT", `${remote.text}: not connected after ${timeoutMs} ms`, { details: { remote: remote.text, timeoutMs } }));
    }, timeoutMs);
    const handshake = (e: OvsdbError): OvsdbError =>
      tls && tcpUp && e.code !== "TLS_ERROR"
        ? new OvsdbError("TLS_ERROR", `${remote.text}: TLS handshake failed (${e.message})`, { cause: e, details: e.details })
        : e;
    const onTcp = (): void => {
      tcpUp = true;
    };
    const onError = (e: unknown): void => fail(handshake(socketError(e, remote, "connect")));
    const onClose = (): void =>
      fail(handshake(new OvsdbError("CONNECTION_CLOSED", `${remote.text}: closed while connecting`, { details: { remote: remote.text } })));
    const onReady = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(new SocketTransport(socket, remote));
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("connect", onTcp);
      socket.off(readyEvent, onReady);
    }
    function fail(e: OvsdbError): void {
      if (settled) return;
      settled = true;
      cleanup();
      socket.on("error", () => undefined); // late errors of a destroyed socket must not crash the process
      socket.destroy();
      reject(e);
    }
    if (tls) socket.once("connect", onTcp);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once(readyEvent, onReady);
  });
}
