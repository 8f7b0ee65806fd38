/**
 * ssl: remotes against a real ovsdb-server started with --private-key / --certificate / --ca-cert, with a PKI
 * generated at test time (openssl, in a temp dir).
 */
import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbClient } from "../../src/client/client.js";
import { OvsdbError } from "../../src/protocol/errors.js";
import type { Pki } from "../helpers/pki.js";
import { startSslTestServer, stopSslTestServer } from "../helpers/servers.js";
import { rejection } from "../helpers/errors.js";

describe("tls: ssl: remotes", () => {
  let pki: Pki;
  let server: OvsdbServer;

  before(async () => {
    ({ pki, server } = await startSslTestServer());
  });
  after(async () => {
    await stopSslTestServer({ pki, server });
  });

  it("connects with the key, certificate and CA certificate given as file paths (as ovsdb-server's options)", async () => {
    const client = await OvsdbClient.connect(server.sslRemote!, { ssl: pki.client });
    try {
      expect(client.remotes[0]!.type).to.equal("ssl");
      expect(await client.echo(["over tls"])).to.deep.equal(["over tls"]);
      const [r] = await client.transact("OvnkitTest", [{ op: "insert", table: "Item", row: { name: "tls-row", big: 2n ** 62n + 1n } }]);
      expect(r!.uuid).to.be.an("array");
    } finally {
      await client.close();
    }
  });

  it("connects with the PEM contents themselves (string and Buffer)", async () => {
    const ssl = {
      privateKey: await readFile(pki.client.privateKey, "utf8"),
      certificate: await readFile(pki.client.certificate),
      caCert: await readFile(pki.caCert, "utf8"),
    };
    const client = await OvsdbClient.connect(server.sslRemote!, { ssl });
    try {
      expect(await client.listDbs()).to.include("OvnkitTest");
    } finally {
      await client.close();
    }
  });

  it("a server certificate from a CA the client does not trust: TLS_ERROR", async () => {
    const ssl = { ...pki.client, caCert: pki.stranger.caCert };
    const e = await rejection(OvsdbClient.connect(server.sslRemote!, { ssl }));
    expect(e.code).to.equal("TLS_ERROR");
  });

  it("a client certificate the server does not trust: the session fails with TLS_ERROR", async () => {
    // with TLS 1.3 the client may finish its side of the handshake before the server checks the client
    // certificate: the failure then arrives as an alert on the first exchange
    const ssl = { ...pki.stranger, caCert: pki.caCert };
    let error: OvsdbError;
    try {
      const client = await OvsdbClient.connect(server.sslRemote!, { ssl });
      error = await rejection(client.listDbs());
      expect(client.status.state).to.equal("disconnected");
      await client.close();
    } catch (e) {
      error = e as OvsdbError;
    }
    expect(error).to.be.instanceOf(OvsdbError);
    expect(error.code).to.equal("TLS_ERROR");
  });

  it("checking the host name is optional (OVS certificates name a role, not a host): verifyHostname fails here", async () => {
    const e = await rejection(OvsdbClient.connect(server.sslRemote!, { ssl: { ...pki.client, verifyHostname: true } }));
    expect(e.code).to.equal("TLS_ERROR");
  });

  it("an ssl: remote without the ssl option, or with a missing file: TLS_ERROR", async () => {
    expect((await rejection(OvsdbClient.connect(server.sslRemote!))).code).to.equal("TLS_ERROR");
    const missing = { ...pki.client, privateKey: join(pki.dir, "no-such-key.pem") };
    expect((await rejection(OvsdbClient.connect(server.sslRemote!, { ssl: missing }))).code).to.equal("TLS_ERROR");
    const garbage = { ...pki.client, privateKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n" };
    expect((await rejection(OvsdbClient.connect(server.sslRemote!, { ssl: garbage }))).code).to.equal("TLS_ERROR");
  });

  it("plain tcp: to the ssl port fails (the server drops a non-TLS session), TLS to the tcp port fails", async () => {
    const tcpToSsl = await OvsdbClient.connect(`tcp:127.0.0.1:${server.sslPort}`).then(
      async (c) => {
        const e = await rejection(c.listDbs());
        await c.close();
        return e;
      },
      (e: OvsdbError) => e,
    );
    expect(tcpToSsl.code).to.equal("CONNECTION_CLOSED");
    const sslToTcp = await rejection(OvsdbClient.connect(`ssl:127.0.0.1:${server.tcpPort}`, { ssl: pki.client, connectTimeoutMs: 2000 }));
    expect(sslToTcp.code).to.equal("TLS_ERROR");
  });
});
