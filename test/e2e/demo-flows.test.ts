/** The demo's reading of the activation-strategy=rarp blocking flows (pure, on real ovs-ofctl output). */
import { expect } from "chai";
import { findBlockingFlows, parseFlows } from "../../examples/demo/flows.js";

// ovs-ofctl dump-flows br-int on hv2 (OVS 3.1, OVN 23.03) after requested-chassis=hv1,hv2 + activation-strategy=rarp
const ARMED = `NXST_FLOW reply (xid=0x8):
 cookie=0x56c5a021, duration=0.055s, table=0, n_packets=0, n_bytes=0, idle_age=0, priority=1010,rarp,in_port=2 actions=load:0x1->NXM_NX_REG13[],load:0x1->NXM_NX_REG14[],controller(userdata=00.00.00.1a.00.00.00.00),resubmit(,8)
 cookie=0x0, duration=0.202s, table=0, n_packets=7, n_bytes=462, idle_age=0, priority=100,in_port=1 actions=move:NXM_NX_TUN_ID[0..23]->OXM_OF_METADATA[0..23],resubmit(,40)
 cookie=0x56c5a021, duration=0.055s, table=0, n_packets=0, n_bytes=0, idle_age=0, priority=100,in_port=2 actions=load:0x1->NXM_NX_REG13[],resubmit(,8)
 cookie=0x56c5a021, duration=0.055s, table=0, n_packets=3, n_bytes=198, idle_age=0, priority=1000,in_port=2 actions=drop
 cookie=0x0, duration=0.234s, table=0, n_packets=0, n_bytes=0, idle_age=0, priority=0 actions=drop
 cookie=0x56c5a021, duration=0.079s, table=65, n_packets=0, n_bytes=0, idle_age=0, priority=100,reg15=0x1,metadata=0x1 actions=output:2
 cookie=0x56c5a021, duration=0.079s, table=65, n_packets=62, n_bytes=4092, idle_age=0, priority=1000,reg15=0x1,metadata=0x1 actions=drop
 cookie=0x0, duration=0.258s, table=65, n_packets=0, n_bytes=0, idle_age=0, priority=0 actions=drop
`;

describe("e2e: demo blocking-flow reader", () => {
  it("parses table, priority, match, actions and n_packets", () => {
    const flows = parseFlows(ARMED);
    expect(flows).to.have.length(8);
    expect(flows[3]).to.deep.equal({ table: 0, priority: 1000, match: "in_port=2", actions: "drop", nPackets: 3 });
    expect(flows[4]).to.deep.include({ table: 0, priority: 0, match: "", actions: "drop" });
  });

  it("finds the three blocking flows of the port at its OpenFlow port, with the drop counters", () => {
    const b = findBlockingFlows(parseFlows(ARMED), 2);
    expect(b.present).to.equal(true);
    expect(b.absent).to.equal(false);
    expect(b.dropToVm?.nPackets).to.equal(62);
    expect(b.dropFromVm?.nPackets).to.equal(3);
    expect(b.rarpToController?.match).to.equal("rarp,in_port=2");
    // another port has none of them
    expect(findBlockingFlows(parseFlows(ARMED), 1)).to.deep.include({ present: false, absent: true });
  });

  it("after activation (drop and RARP flows gone) reports them absent; a partial set is neither", () => {
    const activated = ARMED.split("\n").filter((l) => !/priority=10[01]0/.test(l)).join("\n");
    expect(findBlockingFlows(parseFlows(activated), 2)).to.deep.include({ present: false, absent: true });
    const partial = ARMED.split("\n").filter((l) => !/priority=1010/.test(l)).join("\n");
    expect(findBlockingFlows(parseFlows(partial), 2)).to.deep.include({ present: false, absent: false });
  });
});
