/** The SB binding view (pure): chassis uuids to names, the activation mark as a list, change detection. */
import { expect } from "chai";
import { TableCache } from "@ovnkit/ovsdb";
import { formatBinding, parseChassisList, portBindingState, sameBinding, sb } from "@ovnkit/ovn-nb";

const HV1 = "11111111-1111-4111-8111-111111111111";
const HV2 = "22222222-2222-4222-8222-222222222222";
const names = new Map([[HV1, "hv1"], [HV2, "hv2"]]);

function row(fields: Partial<sb.PortBinding>): sb.PortBinding {
  const base = new TableCache(sb.PortBinding.schema, undefined).decode("33333333-3333-4333-8333-333333333333", {}) as unknown as sb.PortBinding;
  return { ...base, logical_port: "vm1", ...fields };
}

describe("SB Port_Binding state (pure)", () => {
  it("resolves chassis names and splits additional-chassis-activated", () => {
    const s = portBindingState(row({
      chassis: HV1, additional_chassis: [HV2], requested_chassis: HV1, requested_additional_chassis: [HV2], up: true,
      options: new Map([["activation-strategy", "rarp"], ["additional-chassis-activated", "hv2, hv3"], ["requested-chassis", "hv1,hv2"]]),
    }), (u) => names.get(u));
    expect(s).to.deep.equal({
      logicalPort: "vm1", uuid: "33333333-3333-4333-8333-333333333333", chassis: "hv1", additionalChassis: ["hv2"], requestedChassis: "hv1",
      requestedAdditionalChassis: ["hv2"], activatedOn: ["hv2", "hv3"], activationStrategy: "rarp", up: true,
    });
    expect(formatBinding(s)).to.equal("vm1: chassis=hv1 additional=[hv2] activated=[hv2,hv3] up=true requested=hv1+[hv2]");
  });

  it("an unbound port, and an unknown chassis uuid kept as the uuid", () => {
    const s = portBindingState(row({ chassis: null, additional_chassis: ["44444444-4444-4444-8444-444444444444"] }), (u) => names.get(u));
    expect(s.chassis).to.equal(null);
    expect(s.additionalChassis).to.deep.equal(["44444444-4444-4444-8444-444444444444"]);
    expect(s.activatedOn).to.deep.equal([]);
    expect(formatBinding(undefined, "vm9")).to.equal("vm9: no Port_Binding");
  });

  it("sameBinding ignores nothing but the row uuid", () => {
    const a = portBindingState(row({ chassis: HV1 }), (u) => names.get(u));
    expect(sameBinding(a, { ...a, uuid: "other" })).to.equal(true);
    expect(sameBinding(a, { ...a, activatedOn: ["hv2"] })).to.equal(false);
    expect(sameBinding(a, { ...a, chassis: "hv2" })).to.equal(false);
    expect(sameBinding(a, undefined)).to.equal(false);
  });

  it("parseChassisList trims and drops empty parts", () => {
    expect(parseChassisList(" hv1 ,hv2,,")).to.deep.equal(["hv1", "hv2"]);
    expect(parseChassisList(undefined)).to.deep.equal([]);
  });
});
