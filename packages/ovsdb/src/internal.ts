// Internals shared with sibling packages (@ovnkit/ovn-nb, tests). Not a stable API.
export {};
// Schema code generator I/O and CLI (used by @ovnkit/ovn-nb's regeneration test).
export { diffModels, generateFromFile, isClean, readSchemaFile, writeModels } from "./codegen/files.js";
export type { ModelsDiff } from "./codegen/files.js";
export { runCodegenCli } from "./codegen/cli.js";
