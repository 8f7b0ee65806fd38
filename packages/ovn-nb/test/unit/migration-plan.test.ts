/**
 * The live-migration plans, offline: which operations arm and complete build from a port's state, the
 * conflicts they refuse before sending anything, and how a failed guard is reported.
 */
import { expect } from "chai";
import { TransactionError, type MutateOp, type Operation, type WaitOp } from "@ovnkit/ovsdb";
import {
  MIGRATION_KEYS, armPlan, completePlan, explainFailure, isOvnNbError, nb, portMigrationState, type Plan,
} from "@ovnkit/ovn-nb";
import { codeOf } from "../helpers/errors.js";

type Lsp = nb.LogicalSwitchPort;
let seq = 0;
function lsp(name: string, options: Record<string, string> = {}, ids: Record<string, string> = {}): Lsp {
  seq++;
  return {
    _uuid: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    name, type: "", options: new Map(Object.entries(options)), parent_name: null, tag_request: null, tag: null,
    addresses: [], dynamic_addresses: null, port_security: [], up: null, enabled: null, dhcpv4_options: null,
    dhcpv6_options: null, mirror_rules: [], ha_chassis_group: null, external_ids: new Map(Object.entries(ids)),
  };
}
const armedBy = (uid: string, src = "hv1", dst = "hv2") => ({
  options: { "requested-chassis": `${src},${dst}`, "activation-strategy": "rarp", "vlan-passthru": "true" },
  ids: { [MIGRATION_KEYS.uid]: uid, [MIGRATION_KEYS.source]: src, [MIGRATION_KEYS.target]: dst, pod: "ns/vm" },
});
const waits = (p: Plan<unknown>) => p.ops.filter((o): o is WaitOp => o.op === "wait");
const mutates = (p: Plan<unknown>) => p.ops.filter((o): o is MutateOp => o.op === "mutate");
function failedAt(ops: readonly Operation[], index: number, error = "timed out"): TransactionError {
  return new TransactionError({ index, operation: ops[index], scope: "operation", error, errorDetails: '"where" clause test failed' });
}

describe("migration plans (pure)", () => {
  const spec = { uid: "m1", source: "hv1", target: "hv2", ports: ["vm-eth0", "vm-eth1"] };

  it("arm: one wait per port on options+external_ids as read, then delete-keys + insert-pairs mutations", () => {
    const rows = [lsp("vm-eth0", { "requested-chassis": "hv1", keep: "1" }, { pod: "ns/vm" }), lsp("vm-eth1")];
    const plan = armPlan(spec, rows);
    expect(plan.ops.map((o) => o.op)).to.deep.equal(["wait", "wait", "mutate", "mutate"]);
    const [w0] = waits(plan);
    expect(w0).to.deep.include({ table: "Logical_Switch_Port", until: "==", timeout: 0, columns: ["options", "external_ids"] });
    expect(w0!.where).to.deep.equal([["_uuid", "==", ["uuid", rows[0]!._uuid]]]);
    expect(w0!.rows).to.deep.equal([{
      options: ["map", [["requested-chassis", "hv1"], ["keep", "1"]]],
      external_ids: ["map", [["pod", "ns/vm"]]],
    }]);
    const m0 = mutates(plan)[0]!;
    expect(m0.where).to.deep.equal([["_uuid", "==", ["uuid", rows[0]!._uuid]]]);
    expect(m0.mutations).to.deep.equal([
      ["options", "delete", ["set", ["requested-chassis", "activation-strategy"]]],
      ["options", "insert", ["map", [["requested-chassis", "hv1,hv2"], ["activation-strategy", "rarp"]]]],
      ["external_ids", "delete", ["set", [MIGRATION_KEYS.uid, MIGRATION_KEYS.source, MIGRATION_KEYS.target]]],
      ["external_ids", "insert", ["map", [[MIGRATION_KEYS.uid, "m1"], [MIGRATION_KEYS.source, "hv1"], [MIGRATION_KEYS.target, "hv2"]]]],
    ]);
    expect(plan.result([])).to.deep.equal({ changed: true, written: ["vm-eth0", "vm-eth1"] });
  });

  it("arm: re-arming the same migration is an empty plan (no transaction)", () => {
    const a = armedBy("m1");
    const plan = armPlan(spec, [lsp("vm-eth0", a.options, a.ids), lsp("vm-eth1", a.options, a.ids)]);
    expect(plan.ops).to.deep.equal([]);
    expect(plan.result([])).to.deep.equal({ changed: false, written: [] });
  });

  it("arm: repairs only the port whose options drifted, still guarding every port", () => {
    const a = armedBy("m1");
    const drifted = lsp("vm-eth1", { "requested-chassis": "hv1" }, a.ids);
    const plan = armPlan(spec, [lsp("vm-eth0", a.options, a.ids), drifted]);
    expect(waits(plan)).to.have.length(2);
    expect(mutates(plan).map((m) => m.where)).to.deep.equal([[["_uuid", "==", ["uuid", drifted._uuid]]]]);
    expect(plan.result([])).to.deep.equal({ changed: true, written: ["vm-eth1"] });
  });

  it("arm: refuses a port armed by another migration, by this uid elsewhere, or multichassis without a record", () => {
    const other = armedBy("m0");
    const e1 = (() => {
      try {
        armPlan(spec, [lsp("vm-eth0"), lsp("vm-eth1", other.options, other.ids)]);
      } catch (e) {
        return e;
      }
    })();
    expect(isOvnNbError(e1, "MIGRATION_CONFLICT")).to.equal(true);
    expect((e1 as { details: Record<string, unknown> }).details).to.deep.include({ port: "vm-eth1", reason: "armed-by-other", owner: "m0" });
    const mine = armedBy("m1", "hv1", "hv3");
    expect(codeOf(() => armPlan(spec, [lsp("vm-eth0", mine.options, mine.ids), lsp("vm-eth1")]))).to.equal("MIGRATION_CONFLICT");
    expect(codeOf(() => armPlan(spec, [lsp("vm-eth0", { "requested-chassis": "hv1,hv3" }), lsp("vm-eth1")]))).to.equal("MIGRATION_CONFLICT");
    expect(codeOf(() => armPlan(spec, [lsp("vm-eth0", { "activation-strategy": "rarp" }), lsp("vm-eth1")]))).to.equal("MIGRATION_CONFLICT");
  });

  it("arm: a missing NIC is NOT_FOUND and nothing is built (all NICs or none)", () => {
    try {
      armPlan({ ...spec, ports: ["vm-eth0", "vm-eth1", "vm-eth2"] }, [lsp("vm-eth0"), undefined, undefined]);
      expect.fail("no error");
    } catch (e) {
      expect(isOvnNbError(e, "NOT_FOUND")).to.equal(true);
      expect((e as { details: { missing: string[] } }).details.missing).to.deep.equal(["vm-eth1", "vm-eth2"]);
    }
  });

  it("arm/complete: bad specs are VALIDATION_ERROR", () => {
    const rows = [lsp("a")];
    expect(codeOf(() => armPlan({ uid: "", source: "hv1", target: "hv2", ports: ["a"] }, rows))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => armPlan({ uid: "u", source: "hv1", target: "hv1", ports: ["a"] }, rows))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => armPlan({ uid: "u", source: "hv1,hv3", target: "hv2", ports: ["a"] }, rows))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => armPlan({ uid: "u", source: "hv1", target: "hv2", ports: [] }, []))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => armPlan({ uid: "u", source: "hv1", target: "hv2", ports: ["a", "a"] }, [rows[0], rows[0]]))).to.equal("VALIDATION_ERROR");
    expect(codeOf(() => completePlan({ uid: "u", outcome: "done" as never, ports: ["a"] }, rows))).to.equal("VALIDATION_ERROR");
  });

  it("a failed guard is MIGRATION_CONFLICT (concurrent-change) naming the port; other failures stay TransactionError", () => {
    const rows = [lsp("vm-eth0"), lsp("vm-eth1")];
    const plan = armPlan(spec, rows);
    const e = explainFailure(plan, failedAt(plan.ops, 1));
    expect(isOvnNbError(e, "MIGRATION_CONFLICT")).to.equal(true);
    expect(e.details).to.deep.include({ port: "vm-eth1", reason: "concurrent-change", uid: "m1" });
    expect(e.cause).to.be.instanceOf(TransactionError);
    const other = failedAt(plan.ops, 2, "constraint violation");
    expect(explainFailure(plan, other)).to.equal(other);
  });

  for (const [outcome, chassis] of [["succeeded", "hv2"], ["failed", "hv1"], ["aborted", "hv1"]] as const) {
    it(`complete ${outcome}: requested-chassis=${chassis}, strategy and record removed, nothing else named`, () => {
      const a = armedBy("m1");
      const rows = [lsp("vm-eth0", a.options, a.ids), lsp("vm-eth1", a.options, a.ids)];
      const plan = completePlan({ uid: "m1", outcome, ports: spec.ports }, rows);
      expect(plan.ops.map((o) => o.op)).to.deep.equal(["wait", "wait", "mutate", "mutate"]);
      expect(mutates(plan)[1]!.mutations).to.deep.equal([
        ["options", "delete", ["set", ["requested-chassis", "activation-strategy"]]],
        ["options", "insert", ["map", [["requested-chassis", chassis]]]],
        ["external_ids", "delete", ["set", [MIGRATION_KEYS.uid, MIGRATION_KEYS.source, MIGRATION_KEYS.target]]],
      ]);
      expect(plan.result([])).to.deep.equal({ outcome, ports: [{ port: "vm-eth0", chassis }, { port: "vm-eth1", chassis }] });
    });
  }

  it("complete: STALE_MIGRATION unless the uid owns every port (idle, other owner, one NIC of many)", () => {
    const a = armedBy("m1");
    const b = armedBy("m2");
    const c = (rows: (Lsp | undefined)[]) => codeOf(() => completePlan({ uid: "m1", outcome: "succeeded", ports: spec.ports }, rows));
    expect(c([lsp("vm-eth0"), lsp("vm-eth1")])).to.equal("STALE_MIGRATION");
    expect(c([lsp("vm-eth0", b.options, b.ids), lsp("vm-eth1", b.options, b.ids)])).to.equal("STALE_MIGRATION");
    expect(c([lsp("vm-eth0", a.options, a.ids), lsp("vm-eth1", b.options, b.ids)])).to.equal("STALE_MIGRATION");
    expect(c([lsp("vm-eth0", a.options, a.ids), undefined])).to.equal("NOT_FOUND");
  });

  it("inspect: idle, armed (consistent or not), activated with the SB's mark, foreign", () => {
    const a = armedBy("m1");
    expect(portMigrationState(lsp("p", { "requested-chassis": "hv1" })).phase).to.equal("idle");
    const armed = portMigrationState(lsp("p", a.options, a.ids));
    expect(armed).to.deep.include({ phase: "armed", consistent: true, activationStrategy: "rarp" });
    expect(armed.owner).to.deep.equal({ uid: "m1", source: "hv1", target: "hv2" });
    expect(armed.requestedChassis).to.deep.equal(["hv1", "hv2"]);
    expect(portMigrationState(lsp("p", { "requested-chassis": "hv1" }, a.ids))).to.deep.include({ phase: "armed", consistent: false });
    const binding = {
      logicalPort: "p", uuid: "x", chassis: "hv1", additionalChassis: ["hv2"], requestedChassis: "hv1",
      requestedAdditionalChassis: ["hv2"], activatedOn: ["hv2"], activationStrategy: "rarp", up: true,
    };
    expect(portMigrationState(lsp("p", a.options, a.ids), binding).phase).to.equal("activated");
    expect(portMigrationState(lsp("p", a.options, a.ids), { ...binding, activatedOn: [] }).phase).to.equal("armed");
    expect(portMigrationState(lsp("p", { "requested-chassis": "hv1,hv2" })).phase).to.equal("foreign");
  });
});
