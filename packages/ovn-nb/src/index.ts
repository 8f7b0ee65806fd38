// Public API of @ovnkit/ovn-nb. Explicit list: add exports here as modules land.
// Generated models (DO NOT EDIT them; regenerate with `pnpm --filter @ovnkit/ovn-nb regen`):
// OVN_Northbound and OVN_Southbound as namespaces, since both schemas have tables of the same name.
export * as nb from "./generated/nb/index.js";
export * as sb from "./generated/sb/index.js";

// Clients
export { NbClient, NB_DATABASE, DEFAULT_NB_TABLES } from "./nb-client.js";
export type { NbClientOptions } from "./nb-client.js";
export { SbClient, SB_DATABASE } from "./sb-client.js";
export type { SbClientOptions, SbRows } from "./sb-client.js";
export { backendOf } from "./typed-view.js";
export type { ViewOptions, OvsdbConnection, Backend } from "./typed-view.js";
export { waitForState } from "./wait.js";
export type { WaitOptions } from "./wait.js";

// Errors and the schema version check
export { OvnNbError, OVN_NB_ERROR_CODES, isOvnNbError } from "./errors.js";
export type { OvnNbErrorCode } from "./errors.js";
export { checkSchema, compareVersions, enforceSchemaPolicy, sharedColumns } from "./schema-version.js";
export type { SchemaCheck, SchemaRelation, SchemaVersionPolicy, SchemaWarning, SchemaWarningCode } from "./schema-version.js";

// Plans (pure transaction builders) and their building blocks
export { PlanBuilder, unchanged, mapPlan, explainFailure } from "./ops/plan.js";
export type { Plan } from "./ops/plan.js";
export type { NbContext, NbRows, NbTableName, NbTables } from "./ops/context.js";
export { waitExists, waitAbsent, waitUnchanged } from "./ops/guards.js";
export { setPairs, removeKeys, toMap, differingPairs } from "./ops/map-edit.js";
export type { StringMap, WithStringMaps } from "./ops/map-edit.js";
export { editRowPlan, deleteRowPlan, rowDiff, sameValue } from "./ops/row-edit.js";
export type { RowChanges, RowRef } from "./ops/row-edit.js";
export { EntityApi } from "./ops/entity.js";
export type { Ref } from "./ops/entity.js";

// Entities
export { SwitchApi, createSwitchPlan, ensureSwitchPlan } from "./ops/switch.js";
export type { SwitchSpec } from "./ops/switch.js";
export { SwitchPortApi, createSwitchPortPlan, ensureSwitchPortPlan, deleteSwitchPortPlan } from "./ops/switch-port.js";
export type { SwitchPortSpec } from "./ops/switch-port.js";
export { RouterApi, createRouterPlan, ensureRouterPlan } from "./ops/router.js";
export type { RouterSpec } from "./ops/router.js";
export { RouterPortApi, createRouterPortPlan, ensureRouterPortPlan, deleteRouterPortPlan, linkSwitchPlan } from "./ops/router-port.js";
export type { RouterPortSpec, LinkSpec } from "./ops/router-port.js";
export { StaticRouteApi, addStaticRoutePlan, deleteStaticRoutesPlan, routeMatches } from "./ops/static-route.js";
export type { StaticRouteSpec, RouteFilter } from "./ops/static-route.js";
export { NatApi, addNatPlan, deleteNatPlan, natMatches, natKeyIp } from "./ops/nat.js";
export type { NatSpec, NatFilter } from "./ops/nat.js";
export { AclApi, addAclPlan, deleteAclsPlan, aclMatches } from "./ops/acl.js";
export type { AclSpec, AclTarget, AclFilter } from "./ops/acl.js";
export { PortGroupApi, createPortGroupPlan, ensurePortGroupPlan } from "./ops/port-group.js";
export type { PortGroupSpec } from "./ops/port-group.js";
export { AddressSetApi, createAddressSetPlan, ensureAddressSetPlan } from "./ops/address-set.js";
export type { AddressSetSpec } from "./ops/address-set.js";
export { LoadBalancerApi, createLoadBalancerPlan, ensureLoadBalancerPlan } from "./ops/load-balancer.js";
export type { LoadBalancerSpec } from "./ops/load-balancer.js";
export { DhcpOptionsApi, createDhcpOptionsPlan } from "./ops/dhcp-options.js";
export type { DhcpOptionsSpec } from "./ops/dhcp-options.js";
export { NbGlobalApi, bumpNbCfgPlan } from "./ops/nb-global.js";
export type { SyncLevel } from "./ops/nb-global.js";

// Live migration
export { MigrationApi, armPlan, completePlan, checkArmSpec, checkCompleteSpec } from "./ops/migration.js";
export type { ArmSpec, ArmResult, CompleteSpec, CompleteResult, MigrationOutcome, BindingSource } from "./ops/migration.js";
export {
  MIGRATION_KEYS, REQUESTED_CHASSIS, ACTIVATION_STRATEGY, RARP, portMigrationState, ownerOf, parseChassisList, armedOptions,
  ownershipRecord, isArmedConsistently,
} from "./ops/migration-state.js";
export type { MigrationPhase, MigrationOwner, PortMigrationState } from "./ops/migration-state.js";
export { portBindingState, sameBinding, formatBinding, ADDITIONAL_CHASSIS_ACTIVATED, BINDING_COLUMNS } from "./ops/port-binding.js";
export type { PortBindingState, BindingRow } from "./ops/port-binding.js";
