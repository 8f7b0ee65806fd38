/** Helpers shared by the sandbox integration tests (not a test file itself). */
import { expect } from "chai";
import {
  buildSequencePayload, buildUdp, parseSequencePayload, pollUntil, type Sandbox, type VmPort,
} from "@ovnkit/sandbox";
import { OvsdbQuery, mapColumn, setColumn } from "../../src/ovsdb-query.js";

/** The leak check the integration tests use (kept importable from here). */
export { processesMentioning } from "@ovnkit/sandbox";

export interface Nic {
  lsp: string;
  mac: string;
  ip: string;
}

export const VM1: Nic = { lsp: "vm1", mac: "0a:00:00:00:00:01", ip: "10.0.0.10" };
export const PEER: Nic = { lsp: "peer", mac: "0a:00:00:00:00:02", ip: "10.0.0.20" };

/** Creates logical switch `ls` with the given ports (addresses "MAC IP"), waiting for the chassis. */
export async function addSwitch(sb: Sandbox, ls: string, nics: readonly (Nic & { options?: string[] })[]): Promise<void> {
  const args = ["--wait=hv", "ls-add", ls];
  for (const n of nics) {
    args.push("--", "lsp-add", ls, n.lsp, "--", "lsp-set-addresses", n.lsp, `${n.mac} ${n.ip}`);
    if (n.options) args.push("--", "lsp-set-options", n.lsp, ...n.options);
  }
  await sb.nbctl(...args);
}

/** A UDP frame from `from` to `to` carrying sequence number `seq` of `stream`. */
export function numbered(from: Nic, to: Nic, stream: number, seq: number): Buffer {
  return buildUdp({
    srcMac: from.mac, dstMac: to.mac, srcIp: from.ip, dstIp: to.ip, srcPort: 40000, dstPort: 40001,
    payload: buildSequencePayload({ stream, seq, origin: 0, sentAt: Date.now() }),
  });
}

/** Sequence numbers of `stream` this port has received (after a poll). */
export async function received(port: VmPort, stream: number): Promise<number[]> {
  await port.poll();
  return port.received.flatMap((f) => {
    const p = f.frame.udp ? parseSequencePayload(f.frame.udp.payload) : undefined;
    return p && p.stream === stream ? [p.seq] : [];
  });
}

/** Sends `count` numbered frames from `sender` (a port realising `from`) to `to`; returns the stream id. */
let nextStream = 1000;
export async function sendNumbered(sender: VmPort, from: Nic, to: Nic, count: number): Promise<number> {
  const stream = nextStream++;
  for (let i = 0; i < count; i++) await sender.send(numbered(from, to, stream, i));
  return stream;
}

export async function waitReceived(port: VmPort, stream: number, count: number): Promise<void> {
  await pollUntil(`${count} frames of stream ${stream} at ${port.chassis}/${port.name}`, async () => ((await received(port, stream)).length >= count ? true : undefined), 10_000, 2);
}

/**
 * Proves absence: once every frame `sender` was given has been taken in by its datapath (the port's OpenFlow rx
 * counter reached `sentTotal`), sends one frame from `via` to each witness and waits until each got it. A witness
 * shares the tunnel (and each vswitchd's in-order processing) with what was sent before to its chassis, so once
 * the barrier frame arrived, any earlier frame for that chassis has been delivered or dropped.
 */
export async function barrier(
  sender: VmPort, sentTotal: number, via: { port: VmPort; nic: Nic }, witnesses: readonly { port: VmPort; nic: Nic }[],
): Promise<void> {
  await pollUntil(`${sender.chassis}/${sender.name} datapath to take in ${sentTotal} frames`, async () => ((await sender.stats()).rxPackets >= sentTotal ? true : undefined), 10_000, 2);
  await Promise.all(witnesses.map(async (w) => {
    const stream = await sendNumbered(via.port, via.nic, w.nic, 1);
    await waitReceived(w.port, stream, 1);
  }));
}

export interface BindingView {
  chassis: string | undefined;
  additionalChassis: string[];
  options: Map<string, unknown>;
  up: boolean;
}

/** SB Port_Binding of `lsp`, with chassis uuids turned into names. */
export async function portBinding(sb: Sandbox, lsp: string): Promise<BindingView | undefined> {
  const q = await OvsdbQuery.connect(sb.sb.servers[0]!.unixSocket, "OVN_Southbound");
  try {
    const [pbs, chassis] = await Promise.all([
      q.select("Port_Binding", [["logical_port", "==", lsp]], ["chassis", "additional_chassis", "options", "up"]),
      q.select("Chassis", [], ["_uuid", "name"]),
    ]);
    const names = new Map(chassis.map((c) => [(c["_uuid"] as [string, string])[1], c["name"] as string]));
    const pb = pbs[0];
    if (!pb) return undefined;
    const uuidName = (v: unknown) => names.get((v as [string, string])[1]) ?? "?";
    return {
      chassis: setColumn(pb["chassis"]).map(uuidName)[0],
      additionalChassis: setColumn(pb["additional_chassis"]).map(uuidName).sort(),
      options: mapColumn(pb["options"]),
      up: setColumn(pb["up"])[0] === true,
    };
  } finally {
    await q.close();
  }
}

export async function waitBinding(sb: Sandbox, lsp: string, what: string, ok: (b: BindingView) => boolean): Promise<BindingView> {
  return pollUntil(`Port_Binding ${lsp}: ${what}`, async () => {
    const b = await portBinding(sb, lsp);
    return b && ok(b) ? b : undefined;
  }, 10_000, 5);
}

/** OpenFlow tx counter (frames delivered to the VM) of a port. */
export async function txPackets(port: VmPort): Promise<number> {
  return (await port.stats()).txPackets;
}

/** OpenFlow rx counter (frames the VM sent that the datapath took in) of a port. */
export async function rxPackets(port: VmPort): Promise<number> {
  return (await port.stats()).rxPackets;
}

export function expectSeqs(got: number[], count: number): void {
  expect([...got].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: count }, (_, i) => i));
}
