/**
 * A Plan is a transaction built from the state the caller read (pure): the operations, how to read the
 * results of a committed transaction, and which typed error each guard (wait) stands for when the server
 * aborts the transaction because of it. Building a plan sends nothing; NbClient.run(plan) sends it.
 *
 * A plan with no operations means "already in the wanted state": run() then writes nothing.
 */
import { namedUuid, type NamedUuid, type Operation, type OperationResult, type OvsdbError, type TransactionError } from "@ovnkit/ovsdb";
import { OvnNbError } from "../errors.js";

export interface Plan<T> {
  readonly ops: readonly Operation[];
  /** Reads the value of the plan from the results of its committed transaction (one per operation). */
  result(results: readonly OperationResult[]): T;
  /** The typed error a failed operation of this plan stands for; undefined keeps the TransactionError. */
  explain(error: TransactionError): OvsdbError | undefined;
}

/** A plan that writes nothing and yields `value`. */
export function unchanged<T>(value: T): Plan<T> {
  return { ops: [], result: () => value, explain: () => undefined };
}

export class PlanBuilder {
  private readonly list: Operation[] = [];
  private readonly onFail = new Map<number, (e: TransactionError) => OvsdbError>();
  private seq = 0;

  /** Number of operations so far. */
  get size(): number {
    return this.list.length;
  }

  /** Appends operations; returns the index of the first one in the transaction. */
  add(...ops: Operation[]): number {
    const at = this.list.length;
    this.list.push(...ops);
    return at;
  }

  /** Appends a guard (usually a wait): if the server fails it, the transaction aborts and `error` is raised. */
  guard(op: Operation, error: (e: TransactionError) => OvsdbError): number {
    const at = this.add(op);
    this.onFail.set(at, error);
    return at;
  }

  /** A fresh uuid-name for a row inserted by this transaction (prefix: letters, digits, "_"). */
  name(prefix: string): NamedUuid {
    const clean = prefix.replace(/[^A-Za-z0-9_]/g, "_");
    return namedUuid(`${/^[A-Za-z_]/.test(clean) ? clean : `r_${clean}`}_${++this.seq}`);
  }

  build<T>(result: (results: readonly OperationResult[]) => T): Plan<T> {
    const ops = Object.freeze([...this.list]);
    const onFail = new Map(this.onFail);
    return {
      ops,
      result,
      explain: (e) => onFail.get(e.index)?.(e),
    };
  }
}

const IDENTICAL = /rows in "([^"]+)" table to have identical values \((.*)\) for index on column/s;

/**
 * The error to raise for a failed transaction of `plan`: the plan's own explanation of the failing guard,
 * else ALREADY_EXISTS for a unique-index violation (two writers created the same name), else the
 * TransactionError itself.
 */
export function explainFailure(plan: Plan<unknown>, error: TransactionError): OvsdbError {
  const own = plan.explain(error);
  if (own !== undefined) return own;
  if (error.kind === "constraint violation") {
    const m = IDENTICAL.exec(error.errorDetails ?? "");
    if (m !== null) {
      const [, table, value] = m as unknown as [string, string, string];
      return new OvnNbError("ALREADY_EXISTS", `${table} ${value} already exists`, {
        cause: error,
        details: { what: table, key: value.replace(/^"(.*)"$/, "$1") },
      });
    }
  }
  return error;
}

/** The same transaction, with its value passed through `f`. */
export function mapPlan<A, B>(plan: Plan<A>, f: (value: A) => B): Plan<B> {
  return { ops: plan.ops, result: (r) => f(plan.result(r)), explain: (e) => plan.explain(e) };
}
