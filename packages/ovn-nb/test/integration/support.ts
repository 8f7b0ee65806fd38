/** Helpers shared by the NB integration tests (not a test file itself). */
import { run, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { NbClient, type NbClientOptions, type OvnNbError } from "@ovnkit/ovn-nb";

export interface NbFixture {
  server: OvsdbServer;
  nb: NbClient;
  /** ovn-nbctl against the same database (an independent reader/writer). */
  nbctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A real NB ovsdb-server (with its NB_Global row, as `ovn-nbctl init` makes) and a connected NbClient. */
export async function startNb(options: NbClientOptions = {}): Promise<NbFixture> {
  const server = await startOvsdbServer({ schema: "nb", tcp: false });
  const nbctl = async (...args: string[]) => (await run("ovn-nbctl", [`--db=${server.unixRemote}`, "--timeout=10", ...args])).stdout.trim();
  try {
    await nbctl("init");
    const nb = await NbClient.connect(server.unixRemote, options);
    return {
      server, nb, nbctl,
      async stop() {
        await nb.close();
        await server.stop({ removeDir: true });
      },
    };
  } catch (e) {
    await server.stop({ removeDir: true });
    throw e;
  }
}

export async function rejection(p: Promise<unknown>): Promise<OvnNbError> {
  try {
    await p;
  } catch (e) {
    return e as OvnNbError;
  }
  throw new Error("expected a rejection");
}

/** ovn-nbctl's value of a map key ("" -> undefined, quotes stripped). */
export async function nbctlGet(fx: NbFixture, table: string, record: string, column: string): Promise<string | undefined> {
  const out = await fx.nbctl("--if-exists", "get", table, record, column);
  return out === "" ? undefined : out.replace(/^"(.*)"$/, "$1");
}
