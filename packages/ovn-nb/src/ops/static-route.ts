/**
 * Logical_Router_Static_Route (ovn-nbctl lr-route-add / lr-route-del / lr-route-list; ovsdbapp
 * lr_route_add, lr_route_del, lr_route_list). A route is identified by (route_table, policy, ip_prefix,
 * nexthop); several nexthops for one prefix make ECMP routes. Routes are children of the router's
 * static_routes, and every change is guarded by that set being what was read (CONFLICT otherwise).
 */
import { insertedUuid } from "@ovnkit/ovsdb";
import { LogicalRouter, LogicalRouterStaticRoute } from "../generated/nb/index.js";
import type {
  InsertLogicalRouterStaticRoute,
  LogicalRouter as LogicalRouterRow,
  LogicalRouterStaticRoute as StaticRouteRow,
  LogicalRouterStaticRoutePolicy,
} from "../generated/nb/index.js";
import { alreadyExists, notFound } from "../errors.js";
import { guardChildren, insertChild, type ParentRef } from "./child.js";
import type { NbContext } from "./context.js";
import type { Ref } from "./entity.js";
import { requireRow, rowsOf } from "./lookup.js";
import type { WithStringMaps } from "./map-edit.js";
import { PlanBuilder, unchanged, type Plan } from "./plan.js";
import { addRowEdit, insertRow } from "./row-edit.js";

const WHAT = "static route";

export type StaticRouteSpec = WithStringMaps<InsertLogicalRouterStaticRoute> & { ip_prefix: string; nexthop: string };

/** Selects routes: every given field must match (policy null/absent = "dst-ip", route_table absent = ""). */
export interface RouteFilter {
  ip_prefix?: string;
  nexthop?: string;
  policy?: LogicalRouterStaticRoutePolicy;
  route_table?: string;
}

function policyOf(p: LogicalRouterStaticRoutePolicy | null | undefined): LogicalRouterStaticRoutePolicy {
  return p ?? "dst-ip";
}

export function routeMatches(row: StaticRouteRow, f: RouteFilter): boolean {
  return (
    (f.ip_prefix === undefined || row.ip_prefix === f.ip_prefix) &&
    (f.nexthop === undefined || row.nexthop === f.nexthop) &&
    (f.policy === undefined || policyOf(row.policy) === f.policy) &&
    (f.route_table === undefined || row.route_table === f.route_table)
  );
}

function keyFilter(spec: StaticRouteSpec): RouteFilter {
  return { ip_prefix: spec.ip_prefix, nexthop: spec.nexthop, policy: policyOf(spec.policy), route_table: spec.route_table ?? "" };
}

function parentOf(lr: LogicalRouterRow): ParentRef {
  return { model: LogicalRouter, what: "logical router", row: lr, column: "static_routes" };
}

/**
 * Adds a route to `lr` (whose current routes are `routes`). The same route present: ALREADY_EXISTS, or with
 * mayExist its other columns converge. Resolves to the route's uuid.
 */
export function addStaticRoutePlan(lr: LogicalRouterRow, routes: readonly StaticRouteRow[], spec: StaticRouteSpec, mayExist = false): Plan<string> {
  const same = routes.find((r) => routeMatches(r, keyFilter(spec)));
  const b = new PlanBuilder();
  guardChildren(b, parentOf(lr));
  if (same !== undefined) {
    if (!mayExist) throw alreadyExists(WHAT, `${spec.ip_prefix} via ${spec.nexthop}`, { table: "Logical_Router_Static_Route", uuid: same._uuid });
    const { ip_prefix: _p, nexthop: _n, policy: _pol, route_table: _t, ...fields } = spec;
    if (!addRowEdit(b, LogicalRouterStaticRoute, same, { fields })) return unchanged(same._uuid);
    return b.build(() => same._uuid);
  }
  const at = insertChild(b, parentOf(lr), LogicalRouterStaticRoute, insertRow(LogicalRouterStaticRoute, spec), "route");
  return b.build((r) => insertedUuid(r[at]!));
}

/** Removes `victims` from `lr`. Resolves to how many were removed. */
export function deleteStaticRoutesPlan(lr: LogicalRouterRow, victims: readonly StaticRouteRow[]): Plan<number> {
  if (victims.length === 0) return unchanged(0);
  const b = new PlanBuilder();
  guardChildren(b, parentOf(lr));
  b.add({
    op: "mutate",
    table: LogicalRouter.table,
    where: [LogicalRouter.where._uuid.eq(lr._uuid)],
    mutations: [LogicalRouter.mutate.static_routes.delete(victims.map((v) => v._uuid))],
  });
  return b.build(() => victims.length);
}

export class StaticRouteApi {
  constructor(private readonly ctx: NbContext) {}

  /** lr-route-list: the router's routes, or those matching `filter`. */
  list(router: Ref, filter: RouteFilter = {}): StaticRouteRow[] {
    return rowsOf(this.ctx, "Logical_Router_Static_Route", this.routerRow(router).static_routes).filter((r) => routeMatches(r, filter));
  }

  /** lr-route-add (ECMP: same prefix, other nexthop). ALREADY_EXISTS for the same route unless mayExist. */
  async add(router: Ref, spec: StaticRouteSpec, options: { mayExist?: boolean } = {}): Promise<StaticRouteRow> {
    const lr = this.routerRow(router);
    const uuid = await this.ctx.run(addStaticRoutePlan(lr, this.list(lr), spec, options.mayExist));
    return this.ctx.table("Logical_Router_Static_Route").get(uuid)!;
  }

  /** lr-route-del: removes every route matching `filter` ({} = all). NOT_FOUND when none matches, unless ifExists. */
  async delete(router: Ref, filter: RouteFilter = {}, options: { ifExists?: boolean } = {}): Promise<number> {
    const lr = this.routerRow(router);
    const victims = this.list(lr, filter);
    if (victims.length === 0 && options.ifExists !== true && Object.keys(filter).length > 0) {
      throw notFound(WHAT, JSON.stringify(filter), { table: "Logical_Router_Static_Route", router: lr.name });
    }
    return this.ctx.run(deleteStaticRoutesPlan(lr, victims));
  }

  private routerRow(router: Ref): LogicalRouterRow {
    return requireRow(this.ctx, "Logical_Router", "logical router", typeof router === "string" ? router : router._uuid);
  }
}

