/**
 * The simulated physical network between chassis, as OVN's test suite builds it (ovs-sim net_add/net_attach,
 * ovn_attach): a "main" ovs-vswitchd whose bridge n1 has one port per chassis listening on a unix stream socket;
 * each chassis plugs its br-phys into that socket. Geneve runs over it as real userspace tunnels: each br-phys
 * gets the chassis' encap IP (netdev-dummy/ip4addr) and route (ovs/route/add), and every chassis is told the
 * others' MACs up front (tnl/neigh/set), so no packet waits for ARP.
 */
import { join } from "node:path";
import { startDaemon, type Daemon } from "./daemon.js";
import { copyTemplate } from "./db-template.js";
import { startOvsdbServer, type OvsdbServer } from "./ovsdb-server.js";
import { SandboxError, run } from "./process.js";
import type { UnixctlClient } from "./unixctl.js";

export const UNDERLAY_BRIDGE = "n1";
export const PHYSICAL_BRIDGE = "br-phys";
export const ENCAP_PREFIX_LENGTH = 24;
/** Chassis indexes 1..MAX_CHASSIS map to encap addresses 192.168.0.<index>/24. */
export const MAX_CHASSIS = 250;

/** What every chassis needs to know about a chassis' end of the underlay. */
export interface TunnelEndpoint {
  name: string;
  index: number;
  encapIp: string;
  /** MAC of its br-phys (fixed with other-config:hwaddr so peers can be told before it starts). */
  mac: string;
}

export function tunnelEndpoint(name: string, index: number): TunnelEndpoint {
  if (!Number.isInteger(index) || index < 1 || index > MAX_CHASSIS) {
    throw new SandboxError("BAD_OPTION", `chassis index ${index} out of range 1..${MAX_CHASSIS}`);
  }
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return { name, index, encapIp: `192.168.0.${index}`, mac: `02:0a:00:00:${hex(index >> 8)}:${hex(index & 0xff)}` };
}

/** The unix socket on which the main switch listens for chassis `name`. */
export function underlaySocket(sandboxDir: string, name: string): string {
  return join(sandboxDir, "main", `${name}.sock`);
}

export interface Underlay {
  readonly dir: string;
  readonly ovsdb: OvsdbServer;
  readonly vswitchd: Daemon;
}

/** Starts the main switch with one listening port per chassis. Chassis must connect only after this resolves. */
export async function startUnderlay(
  sandboxDir: string, chassisNames: readonly string[], dbTemplate: Promise<string>, extraArgs: readonly string[] = [],
): Promise<Underlay> {
  const dir = join(sandboxDir, "main");
  const ovsdb = await startOvsdbServer({ schema: "vswitch", dir, tcp: false, dbPath: await copyTemplate(await dbTemplate, dir) });
  const vsctl = ["--no-wait", `--db=${ovsdb.unixRemote}`, "--", "init", "--", "add-br", UNDERLAY_BRIDGE];
  for (const name of chassisNames) {
    const port = `${name}_${PHYSICAL_BRIDGE}`;
    vsctl.push("--", "add-port", UNDERLAY_BRIDGE, port, "--", "set", "Interface", port, `options:pstream=punix:${underlaySocket(sandboxDir, name)}`);
  }
  await run("ovs-vsctl", vsctl);
  const vswitchd = await startDaemon({
    program: "ovs-vswitchd",
    dir,
    label: "underlay main ovs-vswitchd",
    args: ["--enable-dummy=system", "--disable-system-route", ...extraArgs, ovsdb.unixRemote],
  });
  return { dir, ovsdb, vswitchd };
}

/** ovs-vsctl commands that create a chassis' br-phys with its fixed MAC, plugged into the main switch. */
export function physicalBridgeCommands(sandboxDir: string, self: TunnelEndpoint): string[] {
  const port = `${PHYSICAL_BRIDGE}_${UNDERLAY_BRIDGE}`;
  return [
    "--", "add-br", PHYSICAL_BRIDGE, "--", "set", "Bridge", PHYSICAL_BRIDGE, `other-config:hwaddr="${self.mac}"`,
    "--", "add-port", PHYSICAL_BRIDGE, port, "--", "set", "Interface", port, `options:stream=unix:${underlaySocket(sandboxDir, self.name)}`,
  ];
}

/** Longest neighbour aging OVS accepts (seconds). */
export const NEIGH_AGING_MAX_S = 3600;

/**
 * Gives a running chassis vswitchd its encap address and route, and its peers' MACs so tunnels work at once.
 * Entries that age out anyway are learned again: the vswitchd ARPs for the peer, the peer's br-phys (a dummy
 * netdev with that address) answers, and the reply is snooped.
 */
export async function configureTunnelEndpoint(vswitchd: UnixctlClient, self: TunnelEndpoint, peers: readonly TunnelEndpoint[]): Promise<void> {
  // the route needs the address in place (ovs-router picks the source address from the device)
  await vswitchd.command("netdev-dummy/ip4addr", PHYSICAL_BRIDGE, `${self.encapIp}/${ENCAP_PREFIX_LENGTH}`);
  await Promise.all([
    vswitchd.command("ovs/route/add", `${self.encapIp}/${ENCAP_PREFIX_LENGTH}`, PHYSICAL_BRIDGE),
    vswitchd.command("tnl/neigh/aging", String(NEIGH_AGING_MAX_S)),
    ...peers.filter((p) => p.name !== self.name).map((p) => vswitchd.command("tnl/neigh/set", PHYSICAL_BRIDGE, p.encapIp, p.mac)),
  ]);
}

/** Polls until the chassis' br-phys is connected to the main switch. */
export async function underlayConnected(vswitchd: UnixctlClient): Promise<boolean> {
  const state = await vswitchd.command("netdev-dummy/conn-state", `${PHYSICAL_BRIDGE}_${UNDERLAY_BRIDGE}`);
  return /: connected/.test(state);
}
