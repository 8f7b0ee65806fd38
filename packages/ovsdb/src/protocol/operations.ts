/**
 * RFC 7047 section 5.2 transaction operations (+ the OVS "comment"/"assert" operations), in their wire shape.
 * Values inside rows/conditions/mutations are wire values (notation.ts WireValue); builders that take JS
 * values and encode them live beside these types.
 */
import type { WireRow, WireValue } from "./notation.js";

export type ConditionFunction = "<" | "<=" | "==" | "!=" | ">=" | ">" | "includes" | "excludes";
/** [column, function, value] */
export type Condition = [string, ConditionFunction, WireValue] | true | false;

export type Mutator = "+=" | "-=" | "*=" | "/=" | "%=" | "insert" | "delete";
/** [column, mutator, value] */
export type Mutation = [string, Mutator, WireValue];

export interface InsertOp {
  op: "insert";
  table: string;
  row: WireRow;
  "uuid-name"?: string;
  /** OVS extension (ovsdb-server >= 2.13 / 3.x): insert with a caller-chosen uuid. */
  uuid?: string;
}
export interface SelectOp {
  op: "select";
  table: string;
  where: Condition[];
  columns?: string[];
}
export interface UpdateOp {
  op: "update";
  table: string;
  where: Condition[];
  row: WireRow;
}
export interface MutateOp {
  op: "mutate";
  table: string;
  where: Condition[];
  mutations: Mutation[];
}
export interface DeleteOp {
  op: "delete";
  table: string;
  where: Condition[];
}
export interface WaitOp {
  op: "wait";
  table: string;
  where: Condition[];
  columns: string[];
  until: "==" | "!=";
  rows: WireRow[];
  timeout?: number;
}
export interface CommitOp {
  op: "commit";
  durable: boolean;
}
export interface AbortOp {
  op: "abort";
}
export interface CommentOp {
  op: "comment";
  comment: string;
}
export interface AssertOp {
  op: "assert";
  lock: string;
}

export type Operation =
  | InsertOp
  | SelectOp
  | UpdateOp
  | MutateOp
  | DeleteOp
  | WaitOp
  | CommitOp
  | AbortOp
  | CommentOp
  | AssertOp;

/** One element of a transact reply's result array, for a successful operation. */
export interface OperationResult {
  uuid?: WireValue;
  rows?: WireRow[];
  count?: number;
}
/** One element of a transact reply's result array, for a failed operation or the commit error. */
export interface OperationError {
  error: string;
  details?: string;
}
export type WireOperationResult = OperationResult | OperationError | null;
