// Every recorded ovsdb-server 3.1 message (test/fixtures/wire-samples/**) goes through the protocol layer:
// transact requests validate against the NB schema, transact replies go through checkTransactResult,
// monitor replies and update/update2/update3 notifications decode row by row with decodeRow.
import { expect } from "chai";
import { decodeRow } from "../../src/protocol/datum.js";
import { isUuidString } from "../../src/protocol/notation.js";
import type { Operation } from "../../src/protocol/operations.js";
import { checkTransactResult } from "../../src/protocol/results.js";
import { rpcErrorFrom } from "../../src/protocol/rpc-error.js";
import { parseSchema, type DatabaseSchema, type TableSchema } from "../../src/protocol/schema.js";
import { TransactionError } from "../../src/protocol/transaction-error.js";
import { validateOperation, validateTransaction } from "../../src/protocol/validate.js";
import { loadRecordedNbSchema } from "../helpers/schemas.js";
import { readTranscript, readWireSample, wireSampleDirs, wireSampleFiles } from "../helpers/wire-samples.js";

const DIRS = wireSampleDirs();

/** The _Server database's one table, as ovsdb-server 3.1 defines it (ovsdb/_server.ovsschema 1.2.0). */
const SERVER_SCHEMA = parseSchema({
  name: "_Server",
  version: "1.2.0",
  tables: {
    Database: {
      isRoot: true,
      columns: {
        name: { type: "string" },
        model: { type: { key: { type: "string", enum: ["set", ["standalone", "clustered", "relay"]] } } },
        connected: { type: "boolean" },
        leader: { type: "boolean" },
        schema: { type: { key: { type: "string" }, min: 0, max: 1 } },
        cid: { type: { key: { type: "uuid" }, min: 0, max: 1 } },
        sid: { type: { key: { type: "uuid" }, min: 0, max: 1 } },
        index: { type: { key: { type: "integer" }, min: 0, max: 1 } },
      },
    },
  },
});

type Msg = { id?: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };

interface Stats {
  transactions: number;
  transactErrors: TransactionError[];
  rows: number;
  diffs: number;
  deletes: number;
  monitorRequests: number;
  rpcErrors: string[];
}

function tableFor(nb: DatabaseSchema, name: string): TableSchema {
  const t = nb.tables.get(name) ?? SERVER_SCHEMA.tables.get(name);
  if (t === undefined) throw new Error(`no schema knows table ${name}`);
  return t;
}

function decodeTableUpdates(nb: DatabaseSchema, updates: unknown, stats: Stats): void {
  expect(updates).to.be.an("object");
  for (const [tname, rows] of Object.entries(updates as Record<string, Record<string, Record<string, unknown>>>)) {
    const table = tableFor(nb, tname);
    for (const [uuid, rowUpdate] of Object.entries(rows)) {
      expect(isUuidString(uuid), uuid).to.equal(true);
      for (const [kind, row] of Object.entries(rowUpdate)) {
        if (kind === "delete" && row === null) {
          stats.deletes++;
          continue;
        }
        expect(["initial", "insert", "delete", "modify", "old", "new"]).to.include(kind);
        const decoded = decodeRow(table, row, { diff: kind === "modify" });
        expect(Object.keys(decoded)).to.have.length(Object.keys(row as object).length);
        if (kind === "modify") stats.diffs++;
        else stats.rows++;
        if (tname === "Database" && typeof decoded.schema === "string") {
          // the _Server Database row carries each database's schema as text: it must parse
          expect(parseSchema(JSON.parse(decoded.schema)).name).to.equal(decoded.name);
        }
      }
    }
  }
}

function checkMonitorRequests(nb: DatabaseSchema, requests: unknown, stats: Stats): void {
  for (const [tname, reqs] of Object.entries(requests as Record<string, unknown>)) {
    const table = tableFor(nb, tname);
    for (const r of Array.isArray(reqs) ? reqs : [reqs]) {
      const { columns, where } = r as { columns?: string[]; where?: unknown[] };
      // a monitor request's columns and where clause obey the same rules as a select's
      const select = { op: "select", table: tname, where: where ?? [], ...(columns ? { columns } : {}) };
      validateOperation(table === SERVER_SCHEMA.tables.get(tname) ? SERVER_SCHEMA : nb, select as Operation);
      stats.monitorRequests++;
    }
  }
}

function run(nb: DatabaseSchema, messages: Msg[]): Stats {
  const stats: Stats = { transactions: 0, transactErrors: [], rows: 0, diffs: 0, deletes: 0, monitorRequests: 0, rpcErrors: [] };
  const requests = new Map<unknown, Msg>();
  for (const m of messages) if (m.method !== undefined && m.id !== null && m.id !== undefined) requests.set(m.id, m);
  for (const m of messages) {
    const params = m.params ?? [];
    if (m.method !== undefined && m.id !== null && m.id !== undefined) {
      if (m.method === "transact") {
        expect(params[0]).to.equal(nb.name);
        validateTransaction(nb, params.slice(1) as Operation[]);
      } else if (m.method === "monitor_cond" || m.method === "monitor" || m.method === "monitor_cond_since") {
        checkMonitorRequests(nb, params[2], stats);
      } else if (m.method === "monitor_cond_change") {
        checkMonitorRequests(nb, params[2], stats);
      }
      continue;
    }
    if (m.method !== undefined) {
      // notification
      if (m.method === "update" || m.method === "update2") decodeTableUpdates(nb, params[1], stats);
      else if (m.method === "update3") {
        expect(isUuidString(params[1] as string)).to.equal(true);
        decodeTableUpdates(nb, params[2], stats);
      } else expect.fail(`unexpected notification ${m.method}`);
      continue;
    }
    const req = requests.get(m.id);
    if (req === undefined) continue; // a reply whose request is in no file
    if (m.error !== null && m.error !== undefined) {
      stats.rpcErrors.push(rpcErrorFrom(req.method!, m.error).errorString);
      continue;
    }
    switch (req.method) {
      case "transact": {
        stats.transactions++;
        const ops = (req.params ?? []).slice(1) as Operation[];
        try {
          const results = checkTransactResult(ops, m.result);
          expect(results).to.have.length(ops.length);
        } catch (e) {
          expect(e).to.be.instanceOf(TransactionError);
          stats.transactErrors.push(e as TransactionError);
        }
        break;
      }
      case "get_schema":
        expect(parseSchema(m.result).name).to.equal(nb.name);
        break;
      case "monitor_cond":
      case "monitor":
        decodeTableUpdates(nb, m.result, stats);
        break;
      case "monitor_cond_since": {
        const [found, txnId, updates] = m.result as [boolean, string, unknown];
        expect(found).to.be.a("boolean");
        expect(isUuidString(txnId)).to.equal(true);
        decodeTableUpdates(nb, updates, stats);
        break;
      }
      default:
        break;
    }
  }
  return stats;
}

describe("wire samples (ovsdb-server 3.1 recordings)", () => {
  it("has recordings to check", () => {
    expect(DIRS.length).to.be.greaterThan(0);
  });

  for (const dir of DIRS) {
    describe(dir, () => {
      const nb = loadRecordedNbSchema(dir);

      function expectFullCoverage(stats: Stats): void {
        expect(stats.transactions).to.equal(5);
        expect(stats.transactErrors).to.have.length(1);
        const [wait] = stats.transactErrors;
        expect(wait!.kind).to.equal("timed out");
        expect(wait!.index).to.equal(0);
        expect(wait!.operation?.op).to.equal("wait");
        expect(wait!.isCommitError).to.equal(false);
        expect(wait!.errorDetails).to.equal('"where" clause test failed');
        expect(stats.rows).to.be.greaterThan(5);
        expect(stats.diffs).to.be.greaterThan(0);
        expect(stats.deletes).to.be.greaterThan(0);
        expect(stats.monitorRequests).to.be.greaterThan(2);
        expect(stats.rpcErrors).to.deep.equal(["unknown method"]);
      }

      it("every *.json file: requests validate, replies check, notifications decode", () => {
        const files = wireSampleFiles(dir).filter((f) => f.endsWith(".json"));
        expect(files.length).to.be.greaterThan(30);
        expectFullCoverage(run(nb, files.map((f) => readWireSample<Msg>(dir, f))));
      });

      it("transcript.jsonl: the same in recorded order", () => {
        expectFullCoverage(run(nb, readTranscript<Msg>(dir)));
      });
    });
  }
});
