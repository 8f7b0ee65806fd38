/**
 * @ovnkit/ovsdb quick start: every step of packages/ovsdb/README.md, runnable.
 *
 *   pnpm -s exec tsx --conditions=ovnkit-source examples/ovsdb-quickstart.ts
 *
 * Starts its own OVN Northbound ovsdb-server (unix socket, tcp and ssl on kernel-chosen ports, a throwaway PKI
 * made with openssl) and stops it at the end, unless OVN_NB_DB names a running one (then the ssl step and the
 * server kill/restart step are skipped: it does not touch a server it does not own). It writes only rows named
 * "qs-*" and deletes them at the end.
 *
 * The regions (`#region name`) are what the README quotes; test/examples/ovsdb-quickstart.test.ts runs this
 * file and checks the README's snippets are verbatim excerpts of it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, startOvsdbServer, type OvsdbServer, type SslFiles } from "@ovnkit/sandbox";
import {
  Monitor,
  OvsdbClient,
  connectSession,
  generateModels,
  insertedUuid,
  isOvsdbError,
  isTransactionError,
  monitorRows,
  namedUuid,
  type RowsOf,
} from "@ovnkit/ovsdb";
import { nb } from "@ovnkit/ovn-nb";

const { LogicalSwitch, LogicalSwitchPort, AddressSet } = nb;
type NbRows = RowsOf<typeof nb.database.tables>;

/** Deletes every row this example writes. */
const cleanup = [
  LogicalSwitch.op.delete([LogicalSwitch.where.name.eq("qs-ls0")]),
  LogicalSwitch.op.delete([LogicalSwitch.where.name.eq("qs-ls1")]),
  AddressSet.op.delete([AddressSet.where.name.eq("qs-set")]),
];

/** A throwaway CA plus server and client certificates (EC P-256), as ovsdb-server's --private-key etc. take them. */
async function makePki(dir: string): Promise<{ server: SslFiles; client: SslFiles }> {
  const ssl = (...args: string[]) => run("openssl", args);
  const caKey = join(dir, "ca-privkey.pem");
  const caCert = join(dir, "ca-cert.pem");
  await ssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey);
  await ssl("req", "-x509", "-new", "-key", caKey, "-sha256", "-days", "1", "-subj", "/CN=quickstart CA", "-out", caCert);
  const cert = async (name: string): Promise<SslFiles> => {
    const key = join(dir, `${name}-privkey.pem`);
    const csr = join(dir, `${name}-req.pem`);
    const crt = join(dir, `${name}-cert.pem`);
    await ssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
    await ssl("req", "-new", "-key", key, "-subj", `/CN=quickstart ${name}`, "-out", csr);
    await ssl("x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-days", "1", "-sha256", "-out", crt);
    return { privateKey: key, certificate: crt, caCert };
  };
  return { server: await cert("server"), client: await cert("client") };
}

async function main(): Promise<void> {
  let server: OvsdbServer | undefined;
  let pkiDir: string | undefined;
  let clientSsl: SslFiles | undefined;
  const given = process.env["OVN_NB_DB"];
  let remote: string;
  if (given !== undefined) {
    remote = given;
    console.log(`using OVN_NB_DB=${given}`);
  } else {
    pkiDir = await mkdtemp(join(tmpdir(), "ovnkit-quickstart-pki-"));
    const pki = await makePki(pkiDir);
    clientSsl = pki.client;
    server = await startOvsdbServer({ schema: "nb", ssl: pki.server });
    remote = server.unixRemote;
    console.log(`started ovsdb-server (OVN_Northbound): ${server.unixRemote} ${server.tcpRemote} ${server.sslRemote}`);
  }
  // Ctrl-C / SIGTERM (the test's timeout): stop the server this process started
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void (server?.stop({ removeDir: true }) ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  try {
    await steps(remote, server, clientSsl);
  } finally {
    await server?.stop({ removeDir: true });
    if (pkiDir !== undefined) await rm(pkiDir, { recursive: true, force: true });
  }
}

async function steps(remote: string, server: OvsdbServer | undefined, clientSsl: SslFiles | undefined): Promise<void> {
  // #region connect
  // "unix:/path", "tcp:host:port", "ssl:host:port", or a comma-separated list (the first that answers)
  const client = await OvsdbClient.connect(remote);
  console.log("list_dbs:", (await client.listDbs()).join(", "));
  const { schema } = await client.getSchema("OVN_Northbound"); // parsed, and remembered for validation
  console.log(`get_schema: ${schema.name} ${schema.version}, ${schema.tables.size} tables`);
  // #endregion connect
  await client.transact("OVN_Northbound", cleanup); // leftovers of an interrupted earlier run, if any

  if (server !== undefined && clientSsl !== undefined) {
    const tcp = await OvsdbClient.connect(server.tcpRemote!);
    console.log(`tcp: echo ${JSON.stringify(await tcp.echo(["hello"]))}`);
    await tcp.close();
    // #region ssl
    const tls = await OvsdbClient.connect(server.sslRemote!, {
      ssl: { privateKey: clientSsl.privateKey, certificate: clientSsl.certificate, caCert: clientSsl.caCert }, // paths or PEM
    });
    console.log(`ssl: ${tls.remotes[0]!.text} serves ${(await tls.listDbs()).join(", ")}`);
    await tls.close();
    // #endregion ssl
  } else {
    console.log("tcp/ssl: skipped (OVN_NB_DB given)");
  }

  try {
    // #region monitor
    // a replica of two tables; Logical_Switch_Port's schema index "name" is built automatically,
    // "pod" is a client index on one key of a map column
    const monitor = new Monitor<NbRows>(client, schema, {
      tables: {
        Logical_Switch: { columns: ["name", "ports", "external_ids"] },
        Logical_Switch_Port: {
          columns: ["name", "addresses", "tag", "options", "external_ids"],
          indexes: [{ name: "pod", columns: [{ column: "external_ids", key: "pod" }] }],
        },
      },
    });
    monitor.changesOf("Logical_Switch_Port").subscribe((e) => {
      if (e.new?.name.startsWith("qs-")) console.log(`  event ${e.kind} Logical_Switch_Port ${e.new.name}`);
    });
    await monitor.start(); // the initial rows are in the replica
    // #endregion monitor

    // #region stream
    // any monitor as a cold rxjs Observable of typed row events (subscribe = monitor, unsubscribe = monitor_cancel)
    const firstSwitch = new Promise<string>((resolve, reject) => {
      const sub = monitorRows<Pick<NbRows, "Logical_Switch">>(client, schema, { tables: { Logical_Switch: { columns: ["name"] } } }).subscribe({
        next: (e) => {
          // "initial" if the monitor reply came after the transaction below, else "insert"
          if ((e.kind === "initial" || e.kind === "insert") && e.new.name.startsWith("qs-")) {
            resolve(`${e.kind} ${e.table} ${e.new.name}`);
            sub.unsubscribe();
          }
        },
        error: reject,
      });
    });
    // #endregion stream

    // #region transact
    // one atomic transaction: a switch and two ports, joined by named uuids
    const p1 = namedUuid("p1");
    const p2 = namedUuid("p2");
    const results = await client.transact("OVN_Northbound", [
      LogicalSwitchPort.op.insert(
        { name: "qs-vm1", addresses: ["0a:00:00:00:00:01 10.0.0.11"], tag: 100, external_ids: new Map([["pod", "default/vm1"]]) },
        { uuidName: p1 },
      ),
      LogicalSwitchPort.op.insert({ name: "qs-vm2", addresses: ["0a:00:00:00:00:02 10.0.0.12"] }, { uuidName: p2 }),
      LogicalSwitch.op.insert({ name: "qs-ls0", ports: [p1, p2], external_ids: new Map([["owner", "quickstart"]]) }),
    ]);
    console.log(`transact: inserted ${results.map((r) => insertedUuid(r).slice(0, 8)).join(" ")}`);
    // #endregion transact
    console.log(`stream: ${await firstSwitch}`);

    // #region read-your-writes
    // when transact resolves, the replica already holds its effect (the server sends updates before the reply)
    const lsps = monitor.table("Logical_Switch_Port");
    const vm1 = lsps.index("name").one("qs-vm1")!; // a typed row: nb.LogicalSwitchPort
    console.log(`replica: ${vm1.name} tag=${vm1.tag} addresses=${JSON.stringify(vm1.addresses)} pod=${vm1.external_ids.get("pod")}`);
    console.log(`replica: by pod default/vm1 -> ${lsps.index("pod").get("default/vm1").map((r) => r.name).join(",")}`);
    // #endregion read-your-writes

    // #region conditions-mutations
    await client.transact("OVN_Northbound", [
      LogicalSwitchPort.op.mutate(
        [LogicalSwitchPort.where.name.eq("qs-vm1"), LogicalSwitchPort.where.tag.lt(4000)],
        [
          LogicalSwitchPort.mutate.tag.add(1),
          LogicalSwitchPort.mutate.options.insert(new Map([["requested-chassis", "hv1,hv2"]])),
          LogicalSwitchPort.mutate.external_ids.delete(["pod"]),
        ],
      ),
      LogicalSwitchPort.op.update([LogicalSwitchPort.where.name.eq("qs-vm2")], { tag: null, addresses: ["dynamic"] }),
    ]);
    const after = lsps.index("name").one("qs-vm1")!;
    console.log(`mutate: tag=${after.tag} options=${JSON.stringify([...after.options])} pod index -> ${lsps.index("pod").get("default/vm1").length} rows`);
    // #endregion conditions-mutations

    // #region errors
    // client-side validation: nothing is sent
    try {
      LogicalSwitchPort.where.tag.eq(5000); // tag is 1..4095 in the NB schema
    } catch (e) {
      if (isOvsdbError(e, "VALIDATION_ERROR")) console.log(`error: ${e.code} (${e.details["expected"]})`);
    }
    // the server's answer: a TransactionError with the failing operation and a typed kind
    await client.transact("OVN_Northbound", [AddressSet.op.insert({ name: "qs-set" })]);
    try {
      await client.transact("OVN_Northbound", [AddressSet.op.insert({ name: "qs-set" })]); // Address_Set names are unique
    } catch (e) {
      if (isTransactionError(e)) console.log(`error: ${e.code} kind="${e.kind}" scope=${e.scope} index=${e.index}`);
    }
    // #endregion errors
    await monitor.cancel();
  } finally {
    await client.close();
  }

  // #region session
  // the long-lived connection: dial loop with backoff, _Server checks (leader-only), inactivity probe,
  // monitors re-established on every connection (fast resync from the last transaction id when the server has it)
  const session = await connectSession(remote, { database: "OVN_Northbound", leaderOnly: true, backoff: { initialMs: 20 } });
  session.status$.subscribe((s) => {
    if (s.state === "connected") console.log(`session: connected to ${s.server?.model ?? "?"} server, resync ${JSON.stringify({ ...s.resync, ms: Math.round(s.resync.ms) })}`);
    else if (s.state === "reconnecting") console.log(`session: reconnecting (${s.error.code})`);
  });
  const switches = await session.createMonitor<NbRows>(schema, { tables: { Logical_Switch: { columns: ["name", "ports"] } } });
  // #endregion session
  try {
    if (server !== undefined) {
      // #region reconnect
      await server.kill9(); // the server dies; the replica keeps serving its rows
      console.log(`session: server killed, replica still has qs-ls0: ${switches.table("Logical_Switch").filter((r) => r.name === "qs-ls0").length === 1}`);
      const pending = session.transact("OVN_Northbound", [LogicalSwitch.op.insert({ name: "qs-ls1" })]); // waits for a connection
      await server.restart();
      await pending; // sent once the session is connected and its monitors are current again
      console.log(`session: qs-ls1 in the replica after the reconnect: ${switches.table("Logical_Switch").filter((r) => r.name === "qs-ls1").length === 1}`);
      // #endregion reconnect
    } else {
      console.log("session: kill/restart skipped (OVN_NB_DB given)");
    }
    await session.transact("OVN_Northbound", cleanup); // what this example wrote (the ports go with their switch)
  } finally {
    await session.close();
  }

  // #region codegen
  // what `ovsdb-codegen <schema> --out <dir>` writes, as a pure function of the schema JSON
  const schemaJson = JSON.parse(await readFile("/usr/share/ovn/ovn-nb.ovsschema", "utf8"));
  const files = generateModels(schemaJson, { sourceName: "ovn-nb.ovsschema" });
  console.log(`codegen: ${files.size} files, e.g. ${[...files.keys()].slice(0, 3).join(", ")}`);
  // #endregion codegen
  console.log("done");
}

await main();
