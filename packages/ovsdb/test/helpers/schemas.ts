// The schemas the tests parse: the sandbox's tiny test schema, the installed OVN Northbound schema and the NB
// schema as a recorded ovsdb-server returned it. Each call parses afresh (no schema object shared between files).
import { readFileSync } from "node:fs";
import { SCHEMAS } from "@ovnkit/sandbox";
import { parseSchema, type DatabaseSchema } from "../../src/protocol/schema.js";
import { readWireSample } from "./wire-samples.js";

/** packages/sandbox/schemas/test.ovsschema (OvnkitTest: every column kind), parsed. */
export function loadTestSchema(): DatabaseSchema {
  return parseSchema(JSON.parse(readFileSync(SCHEMAS.test, "utf8")));
}

/** The installed OVN Northbound schema (SCHEMAS.nb), parsed. */
export function loadNbSchema(): DatabaseSchema {
  return parseSchema(JSON.parse(readFileSync(SCHEMAS.nb, "utf8")));
}

/** The NB schema from a wire recording's get_schema reply (what ovsdb-server 3.1 sent), parsed. */
export function loadRecordedNbSchema(dir = "nb-unix"): DatabaseSchema {
  return parseSchema(readWireSample<{ result: unknown }>(dir, "02-get_schema.response.json").result);
}
