/**
 * The OVN central components of a sandbox: NB and SB ovsdb-servers (standalone, or 3-member Raft clusters) and
 * ovn-northd between them.
 */
import { join } from "node:path";
import { startDaemon, type Daemon } from "./daemon.js";
import { startOvsdbCluster, type OvsdbCluster, type RaftTransport } from "./ovsdb-cluster.js";
import { OvsdbQuery } from "./ovsdb-query.js";
import { startOvsdbServer, type OvsdbServer } from "./ovsdb-server.js";

export type CentralDbKind = "nb" | "sb";

const DATABASE: Record<CentralDbKind, { name: string; global: string }> = {
  nb: { name: "OVN_Northbound", global: "NB_Global" },
  sb: { name: "OVN_Southbound", global: "SB_Global" },
};

export interface CentralDb {
  readonly kind: CentralDbKind;
  readonly database: string;
  /** One server when standalone, the members when clustered. */
  readonly servers: readonly OvsdbServer[];
  readonly cluster: OvsdbCluster | undefined;
  /** "unix:<sock>" or, clustered, a comma list of the members' sockets. */
  readonly unixRemote: string;
  /** "tcp:127.0.0.1:<port>" or a comma list. */
  readonly tcpRemote: string;
}

export interface CentralDbOptions {
  /** The sandbox directory; the database lives in <dir>/nb or <dir>/sb. */
  dir: string;
  clustered: boolean;
  raft?: RaftTransport;
  extraArgs?: string[];
}

/**
 * Starts one central database and creates its NB_Global/SB_Global row (what `ovn-nbctl init` does), before
 * ovn-northd runs, so that no two writers race to insert the single allowed row.
 */
export async function startCentralDb(kind: CentralDbKind, opts: CentralDbOptions): Promise<CentralDb> {
  const dir = join(opts.dir, kind);
  const { name, global } = DATABASE[kind];
  let db: CentralDb;
  if (opts.clustered) {
    const cluster = await startOvsdbCluster({ schema: kind, dir, raft: opts.raft, extraArgs: opts.extraArgs });
    db = { kind, database: name, servers: cluster.members, cluster, unixRemote: cluster.unixRemote, tcpRemote: cluster.tcpRemote };
  } else {
    const server = await startOvsdbServer({ schema: kind, dir, tcp: true, extraArgs: opts.extraArgs });
    db = { kind, database: name, servers: [server], cluster: undefined, unixRemote: server.unixRemote, tcpRemote: server.tcpRemote ?? "" };
  }
  const q = await OvsdbQuery.connect(db.servers[0]!.unixSocket, name);
  try {
    await q.transact([
      { op: "wait", table: global, where: [], columns: ["_uuid"], until: "==", rows: [], timeout: 0 },
      { op: "insert", table: global, row: {} },
    ]);
  } finally {
    await q.close();
  }
  return db;
}

export async function startNorthd(dir: string, nb: CentralDb, sb: CentralDb, extraArgs: readonly string[] = []): Promise<Daemon> {
  return startDaemon({
    program: "ovn-northd",
    dir: join(dir, "northd"),
    label: "ovn-northd",
    args: [`--ovnnb-db=${nb.unixRemote}`, `--ovnsb-db=${sb.unixRemote}`, ...extraArgs],
  });
}
