export { startOvsdbServer, SCHEMAS } from "./ovsdb-server.js";
export type { OvsdbServer, OvsdbServerOptions, SchemaName, SslFiles } from "./ovsdb-server.js";
export { SandboxError, isAlive, pollUntil, stopPid, killPid, run } from "./process.js";
