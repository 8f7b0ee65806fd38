/**
 * The activation-strategy=rarp blocking flows ovn-controller installs on the additional chassis for a port
 * (OVN 22.06+), read from `ovs-ofctl dump-flows br-int` of that chassis:
 *
 *   table=0  priority=1010,rarp,in_port=P  -> controller   the RARP goes to ovn-controller (which activates)
 *   table=0  priority=1000,in_port=P       -> drop         anything else the target sends is dropped
 *   table=65 priority=1000,<port's match>  -> drop         traffic for the port (duplicated here) is dropped
 *
 * Their packet counters show the duplicated traffic reaching the target chassis and being dropped there.
 */
import type { Chassis } from "@ovnkit/sandbox";

export interface Flow {
  table: number;
  priority: number;
  /** The match without priority, e.g. "rarp,in_port=2". */
  match: string;
  actions: string;
  nPackets: number;
}

/** Parses `ovs-ofctl dump-flows` output (pure). */
export function parseFlows(text: string): Flow[] {
  const flows: Flow[] = [];
  for (const line of text.split("\n")) {
    const m = /\btable=(\d+),.*?n_packets=(\d+),.*?\s(priority=(\d+)(?:,(\S*))?|\S+)\s+actions=(.*)$/.exec(line.trim());
    if (!m) continue;
    flows.push({ table: Number(m[1]), nPackets: Number(m[2]), priority: m[4] === undefined ? 32768 : Number(m[4]), match: m[5] ?? "", actions: m[6]!.trim() });
  }
  return flows;
}

export interface BlockingFlows {
  /** All three flows are present. */
  present: boolean;
  /** None of them is present. */
  absent: boolean;
  rarpToController: Flow | undefined;
  dropFromVm: Flow | undefined;
  dropToVm: Flow | undefined;
}

/** The blocking flows for the port at OpenFlow port `ofport` among `flows` (pure). */
export function findBlockingFlows(flows: readonly Flow[], ofport: number): BlockingFlows {
  const inPort = `in_port=${ofport}`;
  const rarpToController = flows.find((f) => f.table === 0 && f.priority === 1010 && f.match.split(",").includes("rarp") && f.match.split(",").includes(inPort) && f.actions.includes("controller("));
  const dropFromVm = flows.find((f) => f.table === 0 && f.priority === 1000 && f.match === inPort && f.actions === "drop");
  // the port's output flow in table 65 gives its match (reg15=<tunnel key>,metadata=<datapath key>)
  const output = flows.find((f) => f.table === 65 && f.priority === 100 && f.actions === `output:${ofport}`);
  const dropToVm = output === undefined ? undefined : flows.find((f) => f.table === 65 && f.priority === 1000 && f.match === output.match && f.actions === "drop");
  const found = [rarpToController, dropFromVm, dropToVm].filter((f) => f !== undefined).length;
  return { present: found === 3, absent: found === 0, rarpToController, dropFromVm, dropToVm };
}

/**
 * Reads the blocking flows of the port at `ofport` on `chassis` (one ovs-ofctl run). OpenFlow packet counters
 * lag in the userspace datapath (revalidators push the datapath flows' stats about every 500 ms): with
 * exactCounters it first purges the datapath flows (ovs-appctl revalidator/purge), which pushes their stats to
 * the OpenFlow rules at once (the next packets simply re-install them), so n_packets is up to date.
 */
export async function readBlockingFlows(chassis: Chassis, ofport: number, options: { exactCounters?: boolean } = {}): Promise<BlockingFlows> {
  if (options.exactCounters) await chassis.appctl("revalidator/purge");
  return findBlockingFlows(parseFlows(await chassis.ofctl("dump-flows", "br-int")), ofport);
}
