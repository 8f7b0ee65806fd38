/** unix:FILE: a Unix domain socket (ovsdb-server --remote=punix:FILE). */
import { createConnection } from "node:net";
import type { Remote } from "./remote.js";
import { awaitSocket, type DialOptions, type Transport } from "./transport.js";

export function dialUnix(remote: Extract<Remote, { type: "unix" }>, options: DialOptions = {}): Promise<Transport> {
  return awaitSocket(createConnection({ path: remote.path }), remote, "connect", options);
}
