/**
 * Remote strings exactly as Open vSwitch writes them for active connections (ovsdb-client, ovn-nbctl --db,
 * ovn-remote):
 *   unix:FILE            a Unix domain socket
 *   tcp:HOST[:PORT]      TCP; HOST is an IPv4 address, a name, or an IPv6 address in brackets ([::1])
 *   ssl:HOST[:PORT]      TLS with a private key, certificate and CA certificate (ovsdb-server's
 *                        --private-key / --certificate / --ca-cert)
 * PORT defaults to 6640 (the IANA OVSDB port), as in OVS. A list is comma-separated; like the OVS IDLs, a piece
 * with no ":" belongs to the previous remote (so a unix path may contain commas). Passive remotes (punix:, ptcp:,
 * pssl:) are for servers and are rejected here.
 */
import { OvsdbError } from "../protocol/errors.js";
import type { DialOptions, Transport } from "./transport.js";
import { dialUnix } from "./unix.js";
import { dialTcp } from "./tcp.js";
import { dialTls, type TlsOptions } from "./tls.js";

export const DEFAULT_OVSDB_PORT = 6640;

export type Remote =
  | { readonly type: "unix"; readonly path: string; readonly text: string }
  | { readonly type: "tcp"; readonly host: string; readonly port: number; readonly text: string }
  | { readonly type: "ssl"; readonly host: string; readonly port: number; readonly text: string };

function invalid(text: string, why: string): OvsdbError {
  return new OvsdbError("INVALID_REMOTE", `invalid remote ${JSON.stringify(text)}: ${why}`, { details: { remote: text } });
}

/** Parses one remote ("unix:/run/ovn/ovnnb_db.sock", "tcp:10.0.0.1:6641", "ssl:[fd00::1]:6641"). */
export function parseRemote(text: string): Remote {
  const s = text.trim();
  const colon = s.indexOf(":");
  if (colon < 0) throw invalid(text, 'expected "unix:", "tcp:" or "ssl:"');
  const method = s.slice(0, colon);
  const rest = s.slice(colon + 1);
  switch (method) {
    case "unix":
      if (rest === "") throw invalid(text, "missing socket path");
      return { type: "unix", path: rest, text: s };
    case "tcp":
    case "ssl": {
      const { host, port } = parseHostPort(rest, text);
      return { type: method, host, port, text: s };
    }
    case "punix":
    case "ptcp":
    case "pssl":
      throw invalid(text, `"${method}:" is a passive (listening) remote; a client needs unix:, tcp: or ssl:`);
    default:
      throw invalid(text, `unknown connection method "${method}" (expected unix, tcp or ssl)`);
  }
}

function parseHostPort(rest: string, text: string): { host: string; port: number } {
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw invalid(text, 'missing "]" after an IPv6 address');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) throw invalid(text, 'expected ":PORT" after "]"');
      portText = after.slice(1);
    }
    if (!host.includes(":")) throw invalid(text, "brackets are for IPv6 addresses");
  } else {
    const parts = rest.split(":");
    if (parts.length > 2) throw invalid(text, "an IPv6 address must be written in brackets, e.g. tcp:[::1]:6640");
    host = parts[0] ?? "";
    portText = parts[1];
  }
  if (host === "") throw invalid(text, "missing host");
  if (/\s|[\[\]\/]/.test(host)) throw invalid(text, `bad host ${JSON.stringify(host)}`);
  let port = DEFAULT_OVSDB_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) throw invalid(text, `bad port ${JSON.stringify(portText)}`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw invalid(text, `port ${port} out of range 1-65535`);
  }
  return { host, port };
}

/**
 * Parses a remote or a comma-separated list of remotes, in order. A piece without ":" is glued to the previous
 * one (OVS rule, for paths with commas). Throws INVALID_REMOTE for an empty list or any bad remote.
 */
export function parseRemotes(text: string | readonly string[]): Remote[] {
  const pieces: string[] = [];
  for (const item of typeof text === "string" ? [text] : text) {
    for (const piece of item.split(",")) {
      if (pieces.length > 0 && !piece.includes(":")) pieces[pieces.length - 1] += `,${piece}`;
      else pieces.push(piece);
    }
  }
  const remotes = pieces.map((p) => {
    if (p.trim() === "") throw invalid(typeof text === "string" ? text : text.join(","), "empty remote in the list");
    return parseRemote(p);
  });
  if (remotes.length === 0) throw invalid(String(text), "no remote given");
  return remotes;
}

/** Formats a remote as OVS writes it (IPv6 hosts in brackets). */
export function formatRemote(r: Remote): string {
  if (r.type === "unix") return `unix:${r.path}`;
  return `${r.type}:${r.host.includes(":") ? `[${r.host}]` : r.host}:${r.port}`;
}

export interface ConnectTransportOptions extends DialOptions {
  /** Required for ssl: remotes. */
  ssl?: TlsOptions;
}

/** Opens a transport to one remote. */
export function dial(remote: Remote, options: ConnectTransportOptions = {}): Promise<Transport> {
  switch (remote.type) {
    case "unix":
      return dialUnix(remote, options);
    case "tcp":
      return dialTcp(remote, options);
    case "ssl":
      if (!options.ssl) {
        return Promise.reject(
          new OvsdbError("TLS_ERROR", `${remote.text}: an ssl: remote needs the ssl option (privateKey, certificate, caCert)`, {
            details: { remote: remote.text },
          }),
        );
      }
      return dialTls(remote, options.ssl, options);
  }
}
