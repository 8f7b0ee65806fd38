/** tcp:HOST:PORT: plain TCP (ovsdb-server --remote=ptcp:PORT[:IP]). IPv6 hosts come without brackets here. */
import { createConnection } from "node:net";
import type { Remote } from "./remote.js";
import { awaitSocket, type DialOptions, type Transport } from "./transport.js";

export function dialTcp(remote: Extract<Remote, { type: "tcp" }>, options: DialOptions = {}): Promise<Transport> {
  return awaitSocket(createConnection({ host: remote.host, port: remote.port }), remote, "connect", options);
}
