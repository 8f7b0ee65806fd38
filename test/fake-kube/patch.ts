/**
 * JSON Patch (RFC 6902, with JSON Pointer ~0/~1 escapes) and JSON Merge Patch (RFC 7386), as the API server
 * applies them: a malformed patch is 400, a patch that cannot be applied (missing path, failed "test") is 422.
 * Pure: the input document is never mutated.
 */
import { badRequest, unprocessable } from "./errors.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: Json;
  from?: string;
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

function arrayIndex(token: string, length: number, forAdd: boolean, path: string): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw unprocessable(`invalid array index ${JSON.stringify(token)} in ${path}`);
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) throw unprocessable(`array index ${i} out of bounds in ${path}`);
  return i;
}

/** The container of the pointer's last token, and that token. */
function parentOf(doc: Json, tokens: string[], path: string): { parent: Json; last: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, path)]!;
    else if (cur !== null && typeof cur === "object" && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t]!;
    else throw unprocessable(`doc is missing path: ${path}`);
  }
  if (cur === null || typeof cur !== "object") throw unprocessable(`doc is missing path: ${path}`);
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, path)]!;
  const obj = parent as Record<string, Json>;
  if (!Object.prototype.hasOwnProperty.call(obj, last)) throw unprocessable(`doc is missing path: ${path}`);
  return obj[last]!;
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, path), 0, value);
  else (parent as Record<string, Json>)[last] = value;
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw unprocessable("cannot remove the whole document");
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, path), 1);
  else {
    const obj = parent as Record<string, Json>;
    if (!Object.prototype.hasOwnProperty.call(obj, last)) throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
    delete obj[last];
  }
  return doc;
}

export function parseJsonPatch(body: unknown): JsonPatchOp[] {
  if (!Array.isArray(body)) throw badRequest("json patch must be an array of operations");
  return body.map((op: unknown, i) => {
    if (op === null || typeof op !== "object") throw badRequest(`json patch operation ${i} is not an object`);
    const o = op as Record<string, unknown>;
    if (typeof o.op !== "string" || !OPS.has(o.op)) throw badRequest(`Unexpected kind: ${String(o.op)}`);
    if (typeof o.path !== "string") throw badRequest(`json patch operation ${i}: missing path`);
    if ((o.op === "move" || o.op === "copy") && typeof o.from !== "string") throw badRequest(`json patch operation ${i}: missing from`);
    if ((o.op === "add" || o.op === "replace" || o.op === "test") && !("value" in o)) throw badRequest(`json patch operation ${i}: missing value`);
    return o as unknown as JsonPatchOp;
  });
}

export function applyJsonPatch(doc: Json, ops: readonly JsonPatchOp[]): Json {
  let out = clone(doc);
  for (const op of ops) {
    switch (op.op) {
      case "add":
        out = addAt(out, op.path, clone(op.value!));
        break;
      case "remove":
        out = removeAt(out, op.path);
        break;
      case "replace":
        getAt(out, op.path);
        out = op.path === "" ? clone(op.value!) : addAt(removeAt(out, op.path), op.path, clone(op.value!));
        break;
      case "move": {
        if (op.path.startsWith(op.from! + "/")) throw unprocessable(`cannot move ${op.from} into its own child ${op.path}`);
        const v = getAt(out, op.from!);
        out = addAt(removeAt(out, op.from!), op.path, v);
        break;
      }
      case "copy":
        out = addAt(out, op.path, clone(getAt(out, op.from!)));
        break;
      case "test": {
        let actual: Json | undefined;
        try {
          actual = getAt(out, op.path);
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, op.value)) throw unprocessable(`testing value ${op.path} failed: test failed`);
        break;
      }
    }
  }
  return out;
}

/** RFC 7386: null deletes, objects merge recursively, anything else replaces. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return clone(patch);
  const base: Record<string, Json> =
    target !== null && target !== undefined && typeof target === "object" && !Array.isArray(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete base[k];
    else base[k] = applyMergePatch(base[k], v);
  }
  return base;
}
