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
// Typed models (the runtime of generated code) and the schema code generator.
export * from "./model/uuid-ref.js";
export * from "./model/value-types.js";
export * from "./model/conditions.js";
export * from "./model/mutations.js";
export * from "./model/table-model.js";
export * from "./model/database-model.js";
export { generateModels, generatedHeader } from "./codegen/generate.js";
export type { GenerateOptions } from "./codegen/generate.js";
export * from "./protocol/validate.js";
