// Public API of @ovnkit/ovn-nb. Explicit list: add exports here as modules land.
// Generated models (DO NOT EDIT them; regenerate with `pnpm --filter @ovnkit/ovn-nb regen`):
// OVN_Northbound and OVN_Southbound as namespaces, since both schemas have tables of the same name.
export * as nb from "./generated/nb/index.js";
export * as sb from "./generated/sb/index.js";
