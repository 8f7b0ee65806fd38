/**
 * The lab the migration runs in: a sandbox (hv1 the source, hv2 the target, hv3 where the VM's correspondent
 * lives), logical switch "ls0" with the VM's port "vm1" (bound on hv1, external_ids:pod=default/vm1 as a CNI
 * would mark it) and the peer port "peer" (bound on hv3), an NB client, an SB client watching the bindings,
 * and the VM's NIC on hv1. The target NIC on hv2 is plugged later, by the timeline. A multi-NIC VM (nics > 1)
 * has more ports on ls0, "vm1-nic1"..., each with its own MAC and IP and the same external_ids:pod, all bound on
 * hv1: the VM's NICs, which a migration must move together.
 */
import { NbClient, SbClient } from "@ovnkit/ovn-nb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, stopSandbox, type Sandbox, type VmPort } from "@ovnkit/sandbox";
import type { Cleanup } from "./cleanup.js";

export interface Nic {
  lsp: string;
  mac: string;
  ip: string;
}

export const VM: Nic & { namespace: string; name: string } = { lsp: "vm1", mac: "0a:00:00:00:00:01", ip: "10.0.0.10", namespace: "default", name: "vm1" };
/** The VM's NICs: NIC 0 is VM ("vm1"), NIC i > 0 is "vm1-nic<i>" (MAC ...:1<i>, IP 10.0.0.1<i>). */
export function vmNics(count: number): Nic[] {
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`a VM has 1 to 9 NICs here, got ${count}`);
  return Array.from({ length: count }, (_, i) => (i === 0 ? { lsp: VM.lsp, mac: VM.mac, ip: VM.ip } : { lsp: `${VM.lsp}-nic${i}`, mac: `0a:00:00:00:00:1${i}`, ip: `10.0.0.1${i}` }));
}

export const PEER: Nic = { lsp: "peer", mac: "0a:00:00:00:00:02", ip: "10.0.0.20" };
export const SWITCH = "ls0";
export const SOURCE = "hv1";
export const TARGET = "hv2";
export const PEER_CHASSIS = "hv3";

export interface Lab {
  sandbox: Sandbox;
  nb: NbClient;
  sb: SbClient;
  /** The VM's (first) NIC on the source chassis (the running VM). */
  vmAtSource: VmPort;
  /** Every NIC of the VM (NIC 0 first) and its port on the source chassis. */
  nics: { nic: Nic; atSource: VmPort }[];
  /** The correspondent on PEER_CHASSIS. */
  peer: VmPort;
  /** ms the sandbox took to start. */
  startMs: number;
}

/** Starts everything and registers its teardown with `cleanup`. */
export async function startLab(cleanup: Cleanup, options: { dir?: string; nics?: number } = {}): Promise<Lab> {
  const nics = vmNics(options.nics ?? 1);
  const t0 = performance.now();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "ovnkit-demo-")));
  const starting = startSandbox({ chassis: 3, dir });
  // registered before the start finishes: a Ctrl-C during the start waits for it, then stops what it started
  cleanup.add("stop the sandbox", async () => {
    const sandbox = await starting.catch(() => undefined);
    if (sandbox) await sandbox.stop();
    else await stopSandbox(dir).catch(() => undefined);
    if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
  });
  const sandbox = await starting;
  const startMs = performance.now() - t0;
  const nb = await NbClient.connect(sandbox.nbRemote);
  cleanup.add("close the NB client", () => nb.close());
  const sb = await SbClient.connect(sandbox.sbRemote, { ports: [...nics.map((n) => n.lsp), PEER.lsp] });
  cleanup.add("close the SB client", () => sb.close());

  await nb.switches.ensure({ name: SWITCH });
  for (const nic of nics) {
    await nb.switchPorts.ensure(SWITCH, {
      name: nic.lsp, addresses: [`${nic.mac} ${nic.ip}`],
      options: { "requested-chassis": SOURCE }, external_ids: { pod: `${VM.namespace}/${VM.name}` },
    });
  }
  await nb.switchPorts.ensure(SWITCH, { name: PEER.lsp, addresses: [`${PEER.mac} ${PEER.ip}`], options: { "requested-chassis": PEER_CHASSIS } });
  const [peer, ...atSource] = await Promise.all([
    sandbox.addVmPort(PEER_CHASSIS, { ifaceId: PEER.lsp, mac: PEER.mac, ip: PEER.ip, waitInstalled: true }),
    ...nics.map((n) => sandbox.addVmPort(SOURCE, { ifaceId: n.lsp, mac: n.mac, ip: n.ip, waitInstalled: true })),
  ]);
  await Promise.all([
    ...nics.map((n) => sb.waitForBinding(n.lsp, (b) => b.chassis === SOURCE && b.up === true)),
    sb.waitForBinding(PEER.lsp, (b) => b.chassis === PEER_CHASSIS && b.up === true),
  ]);
  // every chassis knows where both ports are before the first packet (a frame sent too early is dropped)
  await nb.global.sync("hv");
  return { sandbox, nb, sb, vmAtSource: atSource[0]!, nics: nics.map((nic, i) => ({ nic, atSource: atSource[i]! })), peer, startMs };
}
