// Real ovsdb-servers for the integration tests, started through @ovnkit/sandbox (unix socket + kernel-chosen
// tcp port) and stopped with their directories removed. Callers start in before/beforeEach and stop in
// after/afterEach; a stop accepts what a failed start left unassigned.
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbClient } from "../../src/client/client.js";
import type { DatabaseSchema } from "../../src/protocol/schema.js";
import { makePki, type Pki } from "./pki.js";

export interface SslTestServer {
  pki: Pki;
  /** The test schema on unix:, tcp: and ssl: (with the PKI's server certificate). */
  server: OvsdbServer;
}

/** A throwaway PKI and an ovsdb-server with the test schema listening on unix:, tcp: and ssl:. */
export async function startSslTestServer(): Promise<SslTestServer> {
  const pki = await makePki();
  try {
    return { pki, server: await startOvsdbServer({ schema: "test", ssl: pki.server }) };
  } catch (e) {
    await pki.remove();
    throw e;
  }
}

export async function stopSslTestServer({ pki, server }: Partial<SslTestServer>): Promise<void> {
  await server?.stop({ removeDir: true });
  await pki?.remove();
}

export interface ServerWithClient {
  server: OvsdbServer;
  /** Connected over unix:, with the database's schema fetched (transact validates against it). */
  client: OvsdbClient;
  schema: DatabaseSchema;
}

/** An ovsdb-server with a well-known schema and a client connected to `database` over its unix socket. */
export async function startServerWithClient(schemaName: "test" | "nb", database: string): Promise<ServerWithClient> {
  const server = await startOvsdbServer({ schema: schemaName });
  try {
    const client = await OvsdbClient.connect(server.unixRemote);
    try {
      return { server, client, schema: (await client.getSchema(database)).schema };
    } catch (e) {
      await client.close();
      throw e;
    }
  } catch (e) {
    await server.stop({ removeDir: true });
    throw e;
  }
}

/** Closes the client, then stops the server and removes its directory. */
export async function stopServerWithClient({ client, server }: Partial<Pick<ServerWithClient, "client" | "server">>): Promise<void> {
  await client?.close();
  await server?.stop({ removeDir: true });
}
