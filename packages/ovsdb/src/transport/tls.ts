/**
 * ssl:HOST:PORT: TLS as Open vSwitch does it (ovsdb-server --remote=pssl:PORT with --private-key,
 * --certificate, --ca-cert). Both sides present a certificate signed by the CA. Like OVS, the peer's
 * certificate is checked against the CA but not against the host name (OVS PKI certificates name a role, not a
 * host); set `verifyHostname` to also check the name.
 */
import { readFileSync } from "node:fs";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { OvsdbError } from "../protocol/errors.js";
import type { Remote } from "./remote.js";
import { awaitSocket, type DialOptions, type Transport } from "./transport.js";

/** Each member is a file path (as ovsdb-server's options) or the PEM text / bytes themselves. */
export interface TlsOptions {
  privateKey: string | Buffer;
  certificate: string | Buffer;
  caCert: string | Buffer;
  /** Also require the server certificate to name the host. Default false (OVS behaviour). */
  verifyHostname?: boolean;
}

function pem(what: string, v: string | Buffer, remote: Remote): string | Buffer {
  if (Buffer.isBuffer(v) || v.includes("-----BEGIN")) return v;
  try {
    return readFileSync(v);
  } catch (e) {
    throw new OvsdbError("TLS_ERROR", `${remote.text}: cannot read ${what} ${v}: ${(e as Error).message}`, {
      cause: e,
      details: { remote: remote.text, file: v },
    });
  }
}

export async function dialTls(remote: Extract<Remote, { type: "ssl" }>, tls: TlsOptions, options: DialOptions = {}): Promise<Transport> {
  const opts: ConnectionOptions = {
    host: remote.host,
    port: remote.port,
    key: pem("private key", tls.privateKey, remote),
    cert: pem("certificate", tls.certificate, remote),
    ca: pem("CA certificate", tls.caCert, remote),
    rejectUnauthorized: true,
  };
  if (!tls.verifyHostname) opts.checkServerIdentity = () => undefined;
  // SNI must not be an IP address
  if (/^[\d.]+$|:/.test(remote.host)) opts.servername = "";
  let socket;
  try {
    socket = tlsConnect(opts);
  } catch (e) {
    // bad key/certificate material is reported synchronously by createSecureContext
    throw new OvsdbError("TLS_ERROR", `${remote.text}: bad TLS configuration: ${(e as Error).message}`, {
      cause: e,
      details: { remote: remote.text },
    });
  }
  return awaitSocket(socket, remote, "secureConnect", options);
}
