/**
 * Entity plans offline: map/set edits are mutations of the named keys only, children are inserted with a
 * uuid-name and referenced by their parent in the same transaction, creates are guarded, identities
 * (routes, NAT, ACLs) are refused or converged, and failed guards map to typed errors.
 */
import { expect } from "chai";
import { TableCache, TransactionError, type Operation, type TableModelBase } from "@ovnkit/ovsdb";
import {
  addAclPlan, addNatPlan, addStaticRoutePlan, createSwitchPlan, createSwitchPortPlan, deleteSwitchPortPlan, editRowPlan,
  ensureSwitchPlan, ensureSwitchPortPlan, explainFailure, isOvnNbError, linkSwitchPlan, nb, PlanBuilder, rowDiff, sameValue,
  type Plan,
} from "@ovnkit/ovn-nb";
import { codeOf } from "../helpers/errors.js";

let seq = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
/** A complete TYPED row: every column at its default (as the replica decodes it), then the given fields. */
function decoded<R>(model: TableModelBase, fields: Record<string, unknown>): R {
  return { ...new TableCache(model.schema, undefined).decode(uuid(), {}), ...fields } as R;
}
const sw = (fields: Record<string, unknown> = {}) => decoded<nb.LogicalSwitch>(nb.LogicalSwitch, { name: "ls1", ...fields });
const port = (fields: Record<string, unknown> = {}) => decoded<nb.LogicalSwitchPort>(nb.LogicalSwitchPort, { name: "p1", ...fields });
const router = (fields: Record<string, unknown> = {}) => decoded<nb.LogicalRouter>(nb.LogicalRouter, { name: "lr1", ...fields });
function fail(plan: Plan<unknown>, index: number, error = "timed out"): Error {
  return explainFailure(plan, new TransactionError({ index, operation: plan.ops[index] as Operation, scope: "operation", error }));
}

describe("entity plans (pure)", () => {
  it("sameValue: sets as sets, maps by entries, int64 across number/bigint", () => {
    expect(sameValue(["a", "b"], ["b", "a"])).to.equal(true);
    expect(sameValue(["a"], ["a", "a"])).to.equal(false);
    expect(sameValue(new Map([["k", "v"]]), new Map([["k", "v"]]))).to.equal(true);
    expect(sameValue(new Map([["k", "v"]]), new Map([["k", "w"]]))).to.equal(false);
    expect(sameValue(5, 5n)).to.equal(true);
    expect(sameValue(null, [])).to.equal(false);
  });

  it("rowDiff: differing plain columns in one update, map pairs merged by mutate, removals only of present keys", () => {
    const row = port({ addresses: ["a"], type: "", options: new Map([["x", "1"], ["y", "2"]]) });
    const d = rowDiff(nb.LogicalSwitchPort, row, {
      fields: { addresses: ["a"], type: "router", options: { x: "1", z: "3" } },
      removeKeys: { options: ["y", "absent"] },
    });
    expect(d.update).to.deep.equal({ type: "router" });
    expect(d.mutations).to.deep.equal([
      ["options", "delete", ["set", ["y"]]],
      ["options", "delete", ["set", ["z"]]],
      ["options", "insert", ["map", [["z", "3"]]]],
    ]);
  });

  it("editRowPlan: guard + update + mutate; an edit that changes nothing is empty; a vanished row is NOT_FOUND", () => {
    const row = port({ enabled: null, external_ids: new Map([["a", "1"]]) });
    const plan = editRowPlan(nb.LogicalSwitchPort, "logical switch port", row, { fields: { enabled: false, external_ids: { b: "2" } } });
    expect(plan.ops.map((o) => o.op)).to.deep.equal(["wait", "update", "mutate"]);
    expect(plan.ops[1]).to.deep.include({ row: { enabled: false } });
    expect(editRowPlan(nb.LogicalSwitchPort, "x", row, { fields: { external_ids: { a: "1" } } }).ops).to.deep.equal([]);
    const e = fail(plan, 0);
    expect(isOvnNbError(e, "NOT_FOUND")).to.equal(true);
    expect((e as unknown as { details: Record<string, unknown> }).details).to.deep.include({ key: "p1", table: "Logical_Switch_Port" });
  });

  it("editRowPlan: set elements added/removed by mutate, skipping those already in/out", () => {
    const pg = decoded<nb.PortGroup>(nb.PortGroup, { name: "pg", ports: ["11111111-1111-4111-8111-111111111111"] });
    const plan = editRowPlan(nb.PortGroup, "port group", pg, {
      addElements: { ports: ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"] },
      removeElements: { ports: ["33333333-3333-4333-8333-333333333333"] },
    });
    expect(plan.ops[1]).to.deep.include({ op: "mutate", mutations: [["ports", "insert", ["set", [["uuid", "22222222-2222-4222-8222-222222222222"]]]]] });
  });

  it("createSwitchPlan: a wait that no switch has the name, then the insert; its failure is ALREADY_EXISTS", () => {
    const plan = createSwitchPlan({ name: "ls1", external_ids: { owner: "t" } });
    expect(plan.ops[0]).to.deep.equal({ op: "wait", table: "Logical_Switch", where: [["name", "==", "ls1"]], columns: [], until: "==", rows: [], timeout: 0 });
    expect(plan.ops[1]).to.deep.equal({ op: "insert", table: "Logical_Switch", row: { name: "ls1", external_ids: ["map", [["owner", "t"]]] } });
    expect(plan.result([{}, { uuid: ["uuid", "44444444-4444-4444-8444-444444444444"] }])).to.equal("44444444-4444-4444-8444-444444444444");
    expect(isOvnNbError(fail(plan, 0), "ALREADY_EXISTS")).to.equal(true);
  });

  it("ensureSwitchPlan: existing and equal -> empty; differing -> edit of the existing row", () => {
    const row = sw({ external_ids: new Map([["k", "v"]]) });
    expect(ensureSwitchPlan(row, { name: "ls1", external_ids: { k: "v" } }).ops).to.deep.equal([]);
    const p = ensureSwitchPlan(row, { name: "ls1", other_config: { mcast_snoop: "true" } });
    expect(p.ops.map((o) => o.op)).to.deep.equal(["wait", "mutate"]);
    expect(p.result([{}, { count: 1 }])).to.equal(row._uuid);
  });

  it("createSwitchPortPlan: name guard, parent guard, insert with uuid-name, parent mutate referencing it", () => {
    const parent = sw();
    const plan = createSwitchPortPlan(parent, { name: "vm1", addresses: ["0a:00:00:00:00:01 10.0.0.1"], options: { "requested-chassis": "hv1" } });
    expect(plan.ops.map((o) => o.op)).to.deep.equal(["wait", "wait", "insert", "mutate"]);
    const insert = plan.ops[2] as { "uuid-name": string; row: Record<string, unknown> };
    expect(insert["uuid-name"]).to.match(/^lsp_\d+$/);
    expect(plan.ops[3]).to.deep.equal({
      op: "mutate", table: "Logical_Switch", where: [["_uuid", "==", ["uuid", parent._uuid]]],
      mutations: [["ports", "insert", ["set", [["named-uuid", insert["uuid-name"]]]]]],
    });
    expect(isOvnNbError(fail(plan, 0), "ALREADY_EXISTS")).to.equal(true);
    const missing = fail(plan, 1);
    expect(isOvnNbError(missing, "NOT_FOUND")).to.equal(true);
    expect((missing as unknown as { details: Record<string, unknown> }).details).to.deep.include({ what: "logical switch", key: "ls1" });
  });

  it("ensureSwitchPortPlan: a port of another switch is ALREADY_EXISTS; of this switch it converges", () => {
    const p = port({ addresses: ["x"] });
    expect(codeOf(() => ensureSwitchPortPlan(sw({ ports: [] }), p, { name: "p1" }))).to.equal("ALREADY_EXISTS");
    const plan = ensureSwitchPortPlan(sw({ ports: [p._uuid] }), p, { name: "p1", addresses: ["y"] });
    expect(plan.ops.map((o) => o.op)).to.deep.equal(["wait", "update"]);
  });

  it("deleteSwitchPortPlan: removes the port from whichever switch holds it", () => {
    const p = port();
    const plan = deleteSwitchPortPlan(p);
    expect(plan.ops[1]).to.deep.equal({
      op: "mutate", table: "Logical_Switch", where: [["ports", "includes", ["set", [["uuid", p._uuid]]]]],
      mutations: [["ports", "delete", ["set", [["uuid", p._uuid]]]]],
    });
    expect(deleteSwitchPortPlan(p, true).ops.map((o) => o.op)).to.deep.equal(["mutate"]);
  });

  it("linkSwitchPlan: router port and 'router' switch port in one transaction", () => {
    const plan = linkSwitchPlan(router(), sw(), { routerPort: { name: "lrp0", mac: "0a:00:00:00:00:ff", networks: ["10.0.0.254/24"] }, switchPort: "ls1-lr1" });
    const inserts = plan.ops.filter((o) => o.op === "insert") as { table: string; row: Record<string, unknown> }[];
    expect(inserts.map((i) => i.table)).to.deep.equal(["Logical_Router_Port", "Logical_Switch_Port"]);
    expect(inserts[1]!.row).to.deep.include({ type: "router", options: ["map", [["router-port", "lrp0"]]] });
  });

  it("routes, NAT, ACLs: same identity refused (ALREADY_EXISTS) or converged (mayExist); parent set guarded (CONFLICT)", () => {
    const route = decoded<nb.LogicalRouterStaticRoute>(nb.LogicalRouterStaticRoute, { ip_prefix: "0.0.0.0/0", nexthop: "10.0.0.1" });
    const lr = router({ static_routes: [route._uuid] });
    expect(codeOf(() => addStaticRoutePlan(lr, [route], { ip_prefix: "0.0.0.0/0", nexthop: "10.0.0.1" }))).to.equal("ALREADY_EXISTS");
    expect(addStaticRoutePlan(lr, [route], { ip_prefix: "0.0.0.0/0", nexthop: "10.0.0.1" }, true).ops).to.deep.equal([]);
    const ecmp = addStaticRoutePlan(lr, [route], { ip_prefix: "0.0.0.0/0", nexthop: "10.0.0.2" });
    expect(ecmp.ops.map((o) => o.op)).to.deep.equal(["wait", "wait", "insert", "mutate"]);
    expect(ecmp.ops[1]).to.deep.include({ columns: ["static_routes"], rows: [{ static_routes: ["set", [["uuid", route._uuid]]] }] });
    expect(isOvnNbError(fail(ecmp, 1), "CONFLICT")).to.equal(true);

    const snat = decoded<nb.NAT>(nb.NAT, { type: "snat", external_ip: "172.16.0.1", logical_ip: "10.0.0.0/24" });
    const lr2 = router({ nat: [snat._uuid] });
    expect(codeOf(() => addNatPlan(lr2, [snat], { type: "snat", external_ip: "172.16.0.9", logical_ip: "10.0.0.0/24" }))).to.equal("ALREADY_EXISTS");
    const converge = addNatPlan(lr2, [snat], { type: "snat", external_ip: "172.16.0.9", logical_ip: "10.0.0.0/24" }, true);
    expect(converge.ops.map((o) => o.op)).to.deep.equal(["wait", "wait", "update"]);
    expect(addNatPlan(lr2, [snat], { type: "dnat", external_ip: "172.16.0.1", logical_ip: "10.0.0.5" }).ops.map((o) => o.op))
      .to.deep.equal(["wait", "wait", "insert", "mutate"]);

    const acl = decoded<nb.ACL>(nb.ACL, { direction: "to-lport", priority: 1000, match: "ip4", action: "drop" });
    const parent = { model: nb.LogicalSwitch, what: "logical switch", row: sw({ acls: [acl._uuid] }), column: "acls" };
    expect(codeOf(() => addAclPlan(parent, [acl], { direction: "to-lport", priority: 1000, match: "ip4", action: "allow" }))).to.equal("ALREADY_EXISTS");
    expect(addAclPlan(parent, [acl], { direction: "to-lport", priority: 1000, match: "ip4", action: "allow" }, true).ops.map((o) => o.op))
      .to.deep.equal(["wait", "wait", "update"]);
  });

  it("PlanBuilder: unique uuid-names; a unique-index violation at commit becomes ALREADY_EXISTS", () => {
    const b = new PlanBuilder();
    expect([b.name("lsp").name, b.name("lsp").name, b.name("9x").name]).to.deep.equal(["lsp_1", "lsp_2", "r_9x_3"]);
    const plan = b.build(() => 0);
    const e = explainFailure(plan, new TransactionError({
      index: 0, operation: undefined, scope: "commit", error: "constraint violation",
      errorDetails: 'Transaction causes multiple rows in "Logical_Switch_Port" table to have identical values ("vm1") for index on column "name".  First row, with UUID 1...',
    }));
    expect(isOvnNbError(e, "ALREADY_EXISTS")).to.equal(true);
    expect((e as unknown as { details: Record<string, unknown> }).details).to.deep.include({ what: "Logical_Switch_Port", key: "vm1" });
  });
});
