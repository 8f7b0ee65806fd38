/**
 * REPLAY server: a small node:net proxy in front of a real ovsdb-server that answers the one big request (the
 * initial monitor of a database's table) with pre-captured reply bytes, so that a benchmark times the
 * CLIENTS' work without the server's (ovsdb-server needs seconds to produce a 39 MB dump; the replay writes
 * it at memory speed).
 *
 * Every other message is proxied both ways, whole frames only (so a replayed reply is never interleaved
 * inside another message): list_dbs, get_schema, the python IDL's _Server monitor, set_db_change_aware, echo.
 * A monitor, monitor_cond or monitor_cond_since on `db` must ask for exactly the captured table and columns
 * (no condition other than [true]); it is answered with the captured <table-updates2> under the request's id,
 * in the form of its method: monitor_cond -> <table-updates2>, monitor_cond_since -> [false, last-txn-id,
 * <table-updates2>] (a full dump, as a standalone server sends). Plain "monitor" (update, not update2) cannot
 * be replayed from these bytes and gets an error. monitor_cancel of a replayed monitor is answered locally.
 * Each replay is reported as one line on stdout: "replayed <method> <bytes>".
 *
 * Runs in its own process (so that its writes never share an event loop with a client being timed):
 *   node --conditions=ovnkit-source --import tsx bench/lib/replay-server.ts --upstream SOCK --listen SOCK
 *        --reply FILE --db DB --table TABLE --columns c1,c2,...
 * and prints "listening" when ready. `startReplayServer` spawns it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { Framer } from "@ovnkit/ovsdb";
import { monitorReplyParts } from "./capture.js";

export interface ReplaySpec {
  /** unix socket of the real ovsdb-server */
  upstream: string;
  /** unix socket to listen on */
  listen: string;
  /** the captured raw reply of a monitor_cond(_since) on `table` with `columns` */
  replyFile: string;
  db: string;
  table: string;
  columns: readonly string[];
}

const MONITOR_METHODS = new Set(["monitor", "monitor_cond", "monitor_cond_since"]);

function reply(id: unknown, result: string): string {
  return `{"id":${JSON.stringify(id)},"result":${result},"error":null}`;
}

function errorReply(id: unknown, error: string, details: string): string {
  return `{"id":${JSON.stringify(id)},"result":null,"error":${JSON.stringify(error)},"details":${JSON.stringify(details)}}`;
}

/** Why a monitor request does not match the captured one, or undefined when it does. */
function mismatch(spec: ReplaySpec, requests: unknown): string | undefined {
  if (typeof requests !== "object" || requests === null) return "requests is not an object";
  const tables = Object.keys(requests);
  if (tables.length !== 1 || tables[0] !== spec.table) return `tables ${tables.join(",")} (captured: ${spec.table})`;
  const raw = (requests as Record<string, unknown>)[spec.table];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length !== 1 || typeof list[0] !== "object" || list[0] === null) return "not exactly one monitor request";
  const r = list[0] as { columns?: unknown; where?: unknown; select?: unknown };
  if (r.select !== undefined) return "select is not replayed";
  if (r.where !== undefined && JSON.stringify(r.where) !== "[true]") return `condition ${JSON.stringify(r.where)}`;
  if (!Array.isArray(r.columns)) return "no column list (all columns would include _version)";
  const want = [...spec.columns].sort().join(",");
  const got = [...(r.columns as string[])].sort().join(",");
  return want === got ? undefined : `columns ${got} (captured: ${want})`;
}

/** Serves the replay on `spec.listen` in this process. */
export async function serveReplay(spec: ReplaySpec, report: (line: string) => void): Promise<Server> {
  const { updates, lastTxnId } = monitorReplyParts(await readFile(spec.replyFile));
  const txn = JSON.stringify(lastTxnId ?? "00000000-0000-0000-0000-000000000000");

  const connection = (client: Socket): void => {
    const upstream = createConnection({ path: spec.upstream });
    const fromClient = new Framer({ maxFrameBytes: 64 * 1024 * 1024 });
    const fromServer = new Framer({ maxFrameBytes: 2 ** 31 - 1 });
    const replayed = new Set<string>();
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    upstream.on("data", (chunk: Buffer) => fromServer.push(chunk, (frame) => client.write(Buffer.from(frame))));
    client.on("data", (chunk: Buffer) =>
      fromClient.push(chunk, (frame) => {
        const msg = JSON.parse(frame.toString("utf8")) as { method?: string; params?: unknown[]; id?: unknown };
        const params = Array.isArray(msg.params) ? msg.params : [];
        if (msg.method !== undefined && MONITOR_METHODS.has(msg.method) && params[0] === spec.db) {
          const why = msg.method === "monitor" ? "plain monitor (update format) is not replayed" : mismatch(spec, params[2]);
          if (why !== undefined) {
            report(`refused ${msg.method}: ${why}`);
            client.write(errorReply(msg.id, "replay mismatch", why));
            return;
          }
          replayed.add(JSON.stringify(params[1]));
          const since = msg.method === "monitor_cond_since";
          client.cork();
          client.write(`{"id":${JSON.stringify(msg.id)},"result":${since ? `[false,${txn},` : ""}`);
          client.write(updates);
          client.write(since ? '],"error":null}' : ',"error":null}');
          client.uncork();
          report(`replayed ${msg.method} ${updates.length}`);
          return;
        }
        if (msg.method === "monitor_cancel" && replayed.delete(JSON.stringify(params[0]))) {
          client.write(reply(msg.id, "{}"));
          return;
        }
        if (msg.method === "monitor_cond_change" && replayed.has(JSON.stringify(params[0]))) {
          client.write(errorReply(msg.id, "replay mismatch", "monitor_cond_change of a replayed monitor"));
          return;
        }
        upstream.write(Buffer.from(frame));
      }),
    );
  };

  const server = createServer(connection);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(spec.listen, () => resolve());
  });
  return server;
}

export interface ReplayServer {
  /** "unix:<listen>" */
  readonly remote: string;
  readonly pid: number;
  /** Replays answered so far (one per replayed monitor request). */
  readonly replays: number;
  /** Lines the server reported (replays and refusals). */
  readonly log: readonly string[];
  stop(): Promise<void>;
}

/** Starts the replay server in a child process; resolves once it listens. */
export function startReplayServer(spec: ReplaySpec): Promise<ReplayServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--conditions=ovnkit-source",
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--upstream",
      spec.upstream,
      "--listen",
      spec.listen,
      "--reply",
      spec.replyFile,
      "--db",
      spec.db,
      "--table",
      spec.table,
      "--columns",
      spec.columns.join(","),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const log: string[] = [];
  let replays = 0;
  return new Promise<ReplayServer>((resolve, reject) => {
    let pending = "";
    let ready = false;
    child.once("exit", (code, signal) => {
      if (!ready) reject(new Error(`replay server exited before listening (code ${code}, signal ${signal})`));
    });
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line === "listening") {
          ready = true;
          resolve({
            remote: `unix:${spec.listen}`,
            pid: child.pid!,
            get replays() {
              return replays;
            },
            log,
            stop: () =>
              new Promise<void>((done) => {
                if (child.exitCode !== null || child.signalCode !== null) return done();
                child.once("exit", () => done());
                child.kill("SIGTERM");
              }),
          });
        } else {
          log.push(line);
          if (line.startsWith("replayed ")) replays++;
        }
      }
    });
  });
}

function argOf(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`replay-server: --${name} is required`);
  return v;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec: ReplaySpec = {
    upstream: argOf("upstream"),
    listen: argOf("listen"),
    replyFile: argOf("reply"),
    db: argOf("db"),
    table: argOf("table"),
    columns: argOf("columns").split(","),
  };
  const server = await serveReplay(spec, (line) => process.stdout.write(`${line}\n`));
  process.on("SIGTERM", () => {
    server.close();
    process.exit(0);
  });
  process.stdout.write("listening\n");
}
