/**
 * A throwaway PKI for TLS tests, generated at test time with openssl in a temp dir: a CA, a server certificate
 * (for ovsdb-server --private-key/--certificate/--ca-cert) and a client certificate, both signed by the CA, plus
 * a second, unrelated CA with its own client certificate (for negative tests). EC P-256 keys: fast to make.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SslFiles } from "@ovnkit/sandbox";
import { run } from "@ovnkit/sandbox";

export interface Pki {
  dir: string;
  caCert: string;
  server: SslFiles;
  client: SslFiles;
  /** Signed by another CA that the server does not trust. */
  stranger: SslFiles;
  remove(): Promise<void>;
}

async function openssl(...args: string[]): Promise<void> {
  await run("openssl", args);
}

async function makeCa(dir: string, name: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, `${name}-privkey.pem`);
  const cert = join(dir, `${name}-cacert.pem`);
  await openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
  await openssl("req", "-x509", "-new", "-key", key, "-sha256", "-days", "2", "-subj", `/CN=ovnkit test ${name}`, "-out", cert);
  return { key, cert };
}

async function makeCert(dir: string, name: string, ca: { key: string; cert: string }): Promise<{ key: string; cert: string }> {
  const key = join(dir, `${name}-privkey.pem`);
  const csr = join(dir, `${name}-req.pem`);
  const cert = join(dir, `${name}-cert.pem`);
  await openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
  await openssl("req", "-new", "-key", key, "-subj", `/CN=ovnkit ${name}`, "-out", csr);
  await openssl("x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-sha256", "-out", cert);
  return { key, cert };
}

export async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), "ovnkit-pki-"));
  const ca = await makeCa(dir, "ca");
  const other = await makeCa(dir, "otherca");
  const [server, client, stranger] = await Promise.all([makeCert(dir, "server", ca), makeCert(dir, "client", ca), makeCert(dir, "stranger", other)]);
  return {
    dir,
    caCert: ca.cert,
    server: { privateKey: server.key, certificate: server.cert, caCert: ca.cert },
    client: { privateKey: client.key, certificate: client.cert, caCert: ca.cert },
    stranger: { privateKey: stranger.key, certificate: stranger.cert, caCert: other.cert },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
