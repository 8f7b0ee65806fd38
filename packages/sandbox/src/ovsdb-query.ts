/**
 * The few OVSDB "transact" calls the sandbox needs for readiness checks (select rows, insert a root row), over
 * the self-contained JSON-RPC stream. Deliberately tiny: the full typed client is @ovnkit/ovsdb.
 */
import { JsonRpcStream } from "./jsonrpc-stream.js";
import { SandboxError } from "./process.js";

export type Row = Record<string, unknown>;

interface OpResult {
  rows?: Row[];
  uuid?: unknown;
  count?: number;
  error?: string;
  details?: string;
}

export class OvsdbQuery {
  private constructor(private readonly rpc: JsonRpcStream, readonly database: string) {}

  /** Connects to a "unix:<path>" or plain path of an ovsdb-server serving `database`. */
  static async connect(socket: string, database: string): Promise<OvsdbQuery> {
    const path = socket.startsWith("unix:") ? socket.slice(5) : socket;
    return new OvsdbQuery(await JsonRpcStream.connect(path), database);
  }

  async transact(ops: readonly object[]): Promise<OpResult[]> {
    const result = (await this.rpc.call("transact", [this.database, ...ops])) as OpResult[];
    const failed = result.find((r) => r !== null && typeof r === "object" && typeof r.error === "string");
    if (failed) throw new SandboxError("OVSDB_ERROR", `transact on ${this.database} failed: ${failed.error}${failed.details ? `: ${failed.details}` : ""}`);
    return result;
  }

  async select(table: string, where: readonly unknown[] = [], columns?: readonly string[]): Promise<Row[]> {
    const op: Record<string, unknown> = { op: "select", table, where };
    if (columns) op["columns"] = columns;
    const [r] = await this.transact([op]);
    return r?.rows ?? [];
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}

/** Reads a value of an OVSDB map column ["map", [[k, v], ...]] as a JS Map of atoms. */
export function mapColumn(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(value) && value[0] === "map" && Array.isArray(value[1])) {
    for (const pair of value[1] as unknown[]) {
      if (Array.isArray(pair) && typeof pair[0] === "string") out.set(pair[0], pair[1]);
    }
  }
  return out;
}

/** Reads a set column (a bare atom for one element, ["set", [...]] otherwise) as an array of atoms. */
export function setColumn(value: unknown): unknown[] {
  if (Array.isArray(value) && value[0] === "set" && Array.isArray(value[1])) return value[1] as unknown[];
  if (Array.isArray(value) && value[0] === "uuid") return [value];
  return value === undefined ? [] : [value];
}
