/**
 * One simulated hypervisor ("hvN"): its own ovsdb-server (vswitch schema), ovs-vswitchd with the dummy datapath
 * (no kernel module), and ovn-controller. Chassis name = hostname = system-id = hvN, so NB options such as
 * requested-chassis can name it.
 */
import { join } from "node:path";
import { rundirEnv, settleAll, startDaemon, type Daemon } from "./daemon.js";
import { copyTemplate } from "./db-template.js";
import { startOvsdbServer, type OvsdbServer } from "./ovsdb-server.js";
import { run } from "./process.js";
import { UnixctlClient } from "./unixctl.js";
import { configureTunnelEndpoint, physicalBridgeCommands, type TunnelEndpoint } from "./underlay.js";
import { VmPort, type VmPortOptions } from "./vm-port.js";

export const INTEGRATION_BRIDGE = "br-int";

export interface ChassisStartOptions {
  sandboxDir: string;
  endpoint: TunnelEndpoint;
  /** Every chassis of the sandbox (this one included): their tunnel endpoints are pre-set as neighbours. */
  peers: readonly TunnelEndpoint[];
  /** Resolves once the main switch listens (br-phys connects to it). */
  underlayReady: Promise<unknown>;
  /** Resolves with the SB remote ovn-controller should use, once SB is up. */
  sbRemote: Promise<string>;
  /** An empty Open_vSwitch database file to copy (saves an ovsdb-tool run per chassis). */
  dbTemplate: Promise<string>;
  encapType?: string;
  vswitchdArgs?: readonly string[];
  controllerArgs?: readonly string[];
}

export class Chassis {
  private readonly ports = new Set<VmPort>();

  constructor(
    readonly endpoint: TunnelEndpoint,
    readonly dir: string,
    readonly ovsdb: OvsdbServer,
    readonly vswitchd: Daemon,
    readonly controller: Daemon,
    /** Persistent unixctl connection to ovs-vswitchd (frame injection, netdev-dummy, tnl commands). */
    readonly vswitchdCtl: UnixctlClient,
  ) {}

  get name(): string {
    return this.endpoint.name;
  }

  get encapIp(): string {
    return this.endpoint.encapIp;
  }

  /** "unix:<dir>/db.sock", the chassis' Open_vSwitch database. */
  get dbRemote(): string {
    return this.ovsdb.unixRemote;
  }

  /** Environment for running OVS/OVN tools "as" this chassis (OVS_RUNDIR & co). */
  env(): NodeJS.ProcessEnv {
    return rundirEnv(this.dir);
  }

  async vsctl(...args: string[]): Promise<string> {
    return (await run("ovs-vsctl", [`--db=${this.dbRemote}`, "--timeout=30", ...args], this.env())).stdout;
  }

  /** ovs-ofctl in this chassis; a bridge name such as "br-int" resolves to its management socket here. */
  async ofctl(...args: string[]): Promise<string> {
    return (await run("ovs-ofctl", args, this.env())).stdout;
  }

  /** A unixctl command to ovs-vswitchd (what `ovs-appctl -t ovs-vswitchd` does), without spawning a process. */
  appctl(command: string, ...args: string[]): Promise<string> {
    return this.vswitchdCtl.command(command, ...args);
  }

  /** A unixctl command to ovn-controller (spawns ovn-appctl). */
  async controllerAppctl(command: string, ...args: string[]): Promise<string> {
    return (await run("ovn-appctl", ["-t", this.controller.ctlPath, command, ...args], this.env())).stdout;
  }

  /** Plugs a "VM" (a dummy interface with external_ids:iface-id) into br-int; see VmPort. */
  async addVmPort(opts: VmPortOptions): Promise<VmPort> {
    const port = await VmPort.attach(this, opts);
    this.ports.add(port);
    port.onDetach(() => this.ports.delete(port));
    return port;
  }

  /** Closes this object's connections and capture files (the daemons keep running). */
  async close(): Promise<void> {
    await Promise.all([...this.ports].map((p) => p.close()));
    await this.vswitchdCtl.close();
  }
}

export async function startChassis(o: ChassisStartOptions): Promise<Chassis> {
  const { name, encapIp } = o.endpoint;
  const dir = join(o.sandboxDir, name);
  const ovsdb = await startOvsdbServer({ schema: "vswitch", dir, tcp: false, dbPath: await copyTemplate(await o.dbTemplate, dir) });
  const sbRemote = await o.sbRemote;
  await run("ovs-vsctl", [
    "--no-wait", `--db=${ovsdb.unixRemote}`, "--", "init",
    "--", "set", "Open_vSwitch", ".",
    `external-ids:system-id=${name}`, `external-ids:hostname=${name}`,
    `external-ids:ovn-remote="${sbRemote}"`, `external-ids:ovn-encap-type=${o.encapType ?? "geneve"}`,
    `external-ids:ovn-encap-ip=${encapIp}`,
    "--", "add-br", INTEGRATION_BRIDGE,
    "--", "set", "Bridge", INTEGRATION_BRIDGE, "fail-mode=secure", "other-config:disable-in-band=true",
    ...physicalBridgeCommands(o.sandboxDir, o.endpoint),
  ]);
  await o.underlayReady;
  const vswitchd = await startDaemon({
    program: "ovs-vswitchd",
    dir,
    label: `${name} ovs-vswitchd`,
    args: ["--enable-dummy=system", "--disable-system-route", ...(o.vswitchdArgs ?? []), ovsdb.unixRemote],
  });
  const ctl = await UnixctlClient.connect(vswitchd.ctlPath);
  try {
    const [controller] = await settleAll<[Daemon, void]>([
      startDaemon({
        program: "ovn-controller",
        dir,
        label: `${name} ovn-controller`,
        args: [...(o.controllerArgs ?? []), ovsdb.unixRemote],
      }),
      configureTunnelEndpoint(ctl, o.endpoint, o.peers),
    ]);
    return new Chassis(o.endpoint, dir, ovsdb, vswitchd, controller, ctl);
  } catch (e) {
    await ctl.close();
    throw e;
  }
}
