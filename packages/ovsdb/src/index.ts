// Public API of @ovnkit/ovsdb. Explicit list: add exports here as modules land.
export * from "./protocol/errors.js";
export * from "./protocol/notation.js";
export * from "./protocol/schema.js";
export * from "./protocol/operations.js";
export * from "./protocol/rpc-error.js";
export * from "./protocol/transaction-error.js";
export * from "./protocol/results.js";
export * from "./protocol/datum.js";
export * from "./protocol/conditions.js";
export * from "./protocol/mutations.js";
export * from "./protocol/validate.js";
