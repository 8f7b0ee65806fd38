/**
 * A minimal JSON-RPC 1.0 connection over a unix stream socket, as spoken by OVS unixctl servers and ovsdb-server:
 * requests {"id","method","params"}, replies {"id","result","error"}, messages concatenated without delimiter.
 * Requests are pipelined (many in flight); the peer's "echo" requests are answered. Self-contained on purpose:
 * the sandbox must not depend on the OVSDB client it is used to test.
 */
import { connect, type Socket } from "node:net";
import { closeSync, openSync } from "node:fs";
import { basename, dirname } from "node:path";
import { JsonFramer } from "./json-framer.js";
import { SandboxError } from "./process.js";

/** sun_path holds 108 bytes including the terminating NUL. */
const SUN_PATH_MAX = 107;

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Reply {
  id: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/**
 * Connects to a unix socket. Paths longer than sun_path are reached through /proc/self/fd/<dirfd>/<name>, the
 * same way OVS itself binds long socket names.
 */
function connectUnix(path: string): Promise<Socket> {
  let dirFd: number | undefined;
  let target = path;
  if (Buffer.byteLength(path) > SUN_PATH_MAX) {
    dirFd = openSync(dirname(path), "r");
    target = `/proc/self/fd/${dirFd}/${basename(path)}`;
  }
  return new Promise((resolve, reject) => {
    const sock = connect(target);
    const done = () => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    sock.once("connect", () => {
      done();
      sock.removeAllListeners("error");
      resolve(sock);
    });
    sock.once("error", (e) => {
      done();
      reject(new SandboxError("RPC_CONNECT", `cannot connect to ${path}: ${e.message}`, { cause: e }));
    });
  });
}

export class JsonRpcStream {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly framer = new JsonFramer();
  private closedError: Error | undefined;
  /** Resolves when the connection is closed, for any reason. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket, readonly path: string) {
    this.closed = new Promise((resolve) => {
      socket.on("close", () => {
        this.fail(this.closedError ?? new SandboxError("RPC_CLOSED", `connection to ${path} closed`));
        resolve();
      });
    });
    socket.on("error", (e) => {
      this.closedError ??= new SandboxError("RPC_CLOSED", `connection to ${path} failed: ${e.message}`, { cause: e });
    });
    socket.on("data", (chunk: Buffer) => {
      let messages: unknown[];
      try {
        messages = this.framer.push(chunk);
      } catch (e) {
        this.closedError = e as Error;
        socket.destroy();
        return;
      }
      for (const m of messages) this.dispatch(m as Reply);
    });
  }

  static async connect(path: string): Promise<JsonRpcStream> {
    return new JsonRpcStream(await connectUnix(path), path);
  }

  /** Sends a request; resolves with its result, rejects with SandboxError RPC_ERROR when the reply has an error. */
  call(method: string, params: readonly unknown[]): Promise<unknown> {
    if (this.closedError || this.socket.destroyed) {
      return Promise.reject(this.closedError ?? new SandboxError("RPC_CLOSED", `connection to ${this.path} closed`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.socket.write(JSON.stringify({ id, method, params }));
    });
  }

  /** Number of requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  close(): Promise<void> {
    this.socket.end();
    this.socket.destroySoon();
    return this.closed;
  }

  private dispatch(msg: Reply): void {
    if (typeof msg.method === "string") {
      // a request from the peer: ovsdb-server probes idle clients with echo
      if (msg.method === "echo" && msg.id !== null && msg.id !== undefined) {
        this.socket.write(JSON.stringify({ id: msg.id, result: msg.params ?? [], error: null }));
      }
      return;
    }
    if (typeof msg.id !== "number") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error !== null && msg.error !== undefined) {
      const text = typeof msg.error === "string" ? msg.error.trim() : JSON.stringify(msg.error);
      p.reject(new SandboxError("RPC_ERROR", `${p.method}: ${text}`));
    } else {
      p.resolve(msg.result);
    }
  }

  private fail(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
