/**
 * The lab the migration runs in: a sandbox (hv1 the source, hv2 the target, hv3 where the VM's correspondent
 * lives), logical switch "ls0" with the VM's port "vm1" (bound on hv1, external_ids:pod=default/vm1 as a CNI
 * would mark it) and the peer port "peer" (bound on hv3), an NB client, an SB client watching both bindings,
 * and the VM's NIC on hv1. The target NIC on hv2 is plugged later, by the timeline.
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
export const PEER: Nic = { lsp: "peer", mac: "0a:00:00:00:00:02", ip: "10.0.0.20" };
export const SWITCH = "ls0";
export const SOURCE = "hv1";
export const TARGET = "hv2";
export const PEER_CHASSIS = "hv3";

export interface Lab {
  sandbox: Sandbox;
  nb: NbClient;
  sb: SbClient;
  /** The VM's NIC on the source chassis (the running VM). */
  vmAtSource: VmPort;
  /** The correspondent on PEER_CHASSIS. */
  peer: VmPort;
  /** ms the sandbox took to start. */
  startMs: number;
}

/** Starts everything and registers its teardown with `cleanup`. */
export async function startLab(cleanup: Cleanup, options: { dir?: string } = {}): Promise<Lab> {
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
  const sb = await SbClient.connect(sandbox.sbRemote, { ports: [VM.lsp, PEER.lsp] });
  cleanup.add("close the SB client", () => sb.close());

  await nb.switches.ensure({ name: SWITCH });
  await nb.switchPorts.ensure(SWITCH, {
    name: VM.lsp, addresses: [`${VM.mac} ${VM.ip}`],
    options: { "requested-chassis": SOURCE }, external_ids: { pod: `${VM.namespace}/${VM.name}` },
  });
  await nb.switchPorts.ensure(SWITCH, { name: PEER.lsp, addresses: [`${PEER.mac} ${PEER.ip}`], options: { "requested-chassis": PEER_CHASSIS } });
  const [vmAtSource, peer] = await Promise.all([
    sandbox.addVmPort(SOURCE, { ifaceId: VM.lsp, mac: VM.mac, ip: VM.ip, waitInstalled: true }),
    sandbox.addVmPort(PEER_CHASSIS, { ifaceId: PEER.lsp, mac: PEER.mac, ip: PEER.ip, waitInstalled: true }),
  ]);
  await Promise.all([
    sb.waitForBinding(VM.lsp, (b) => b.chassis === SOURCE && b.up === true),
    sb.waitForBinding(PEER.lsp, (b) => b.chassis === PEER_CHASSIS && b.up === true),
  ]);
  // every chassis knows where both ports are before the first packet (a frame sent too early is dropped)
  await nb.global.sync("hv");
  return { sandbox, nb, sb, vmAtSource, peer, startMs };
}
