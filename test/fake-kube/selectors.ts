/**
 * Label selectors (=, ==, !=, in, notin, exists, !exists, gt, lt) and field selectors (=, ==, !=), parsed and
 * matched the way the API server does (k8s.io/apimachinery/pkg/labels and /fields). Pure.
 */
import { badRequest } from "./errors.js";

export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!exists" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

const NAME = "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
const PREFIX = "[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?";
const KEY = `(?:${PREFIX}/)?${NAME}`;
const VALUE = `(?:${NAME})?`;
const KEY_RE = new RegExp(`^${KEY}$`);
const VALUE_RE = new RegExp(`^${VALUE}$`);

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw badRequest(`unable to parse requirement: unbalanced ")" in ${JSON.stringify(selector)}`);
  }
  if (depth !== 0) throw badRequest(`unable to parse requirement: unbalanced "(" in ${JSON.stringify(selector)}`);
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim());
}

function checkKey(key: string, selector: string): string {
  if (!KEY_RE.test(key)) throw badRequest(`unable to parse requirement: invalid label key ${JSON.stringify(key)} in ${JSON.stringify(selector)}`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE_RE.test(value)) throw badRequest(`unable to parse requirement: invalid label value ${JSON.stringify(value)} in ${JSON.stringify(selector)}`);
  return value;
}

export function parseLabelSelector(selector: string | undefined): LabelRequirement[] {
  if (selector === undefined || selector.trim() === "") return [];
  const out: LabelRequirement[] = [];
  for (const term of splitTerms(selector)) {
    let m: RegExpExecArray | null;
    if (term === "") throw badRequest(`unable to parse requirement: empty term in ${JSON.stringify(selector)}`);
    if ((m = /^!\s*(\S+)$/.exec(term))) {
      out.push({ key: checkKey(m[1]!, selector), operator: "!exists", values: [] });
    } else if ((m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term))) {
      const values = m[3]!.split(",").map((v) => checkValue(v.trim(), selector));
      out.push({ key: checkKey(m[1]!, selector), operator: m[2] as "in" | "notin", values });
    } else if ((m = /^([^=!<>\s]+)\s*(!=|==|=)\s*(\S*)$/.exec(term))) {
      const op = m[2] === "!=" ? "!=" : "=";
      out.push({ key: checkKey(m[1]!, selector), operator: op, values: [checkValue(m[3]!, selector)] });
    } else if ((m = /^([^=!<>\s]+)\s*([<>])\s*(-?\d+)$/.exec(term))) {
      out.push({ key: checkKey(m[1]!, selector), operator: m[2] === ">" ? "gt" : "lt", values: [m[3]!] });
    } else if (/^\S+$/.test(term)) {
      out.push({ key: checkKey(term, selector), operator: "exists", values: [] });
    } else {
      throw badRequest(`unable to parse requirement: ${JSON.stringify(term)} in ${JSON.stringify(selector)}`);
    }
  }
  return out;
}

export function matchesLabels(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case "=":
      case "in":
        if (!has || !r.values.includes(v!)) return false;
        break;
      case "!=":
      case "notin":
        if (has && r.values.includes(v!)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!exists":
        if (has) return false;
        break;
      case "gt":
      case "lt": {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.operator === "gt" ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** `supported` lists the field labels the resource accepts; any other is a 400 as on a real server. */
export function parseFieldSelector(selector: string | undefined, supported: readonly string[]): FieldRequirement[] {
  if (selector === undefined || selector.trim() === "") return [];
  const out: FieldRequirement[] = [];
  for (const term of selector.split(",").map((t) => t.trim())) {
    const m = /^([^=!\s]+)\s*(!=|==|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
    out.push({ field, operator: m[2] === "!=" ? "!=" : "=", value: m[3]! });
  }
  return out;
}

export function matchesFields(reqs: readonly FieldRequirement[], fields: Readonly<Record<string, string>>): boolean {
  for (const r of reqs) {
    const v = fields[r.field] ?? "";
    if (r.operator === "=" ? v !== r.value : v === r.value) return false;
  }
  return true;
}
