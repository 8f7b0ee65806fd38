/**
 * A "VM" NIC on a chassis: a dummy interface on br-int with external_ids:iface-id=<logical switch port>, which
 * ovn-controller binds like a real VM's tap. Frames the VM sends are injected with netdev-dummy/receive over the
 * vswitchd unixctl connection; frames OVS delivers to the VM are captured by netdev-dummy in options:tx_pcap and
 * read back incrementally. Directions are named from the VM's side: send() = the VM transmits, received = what
 * reached the VM.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseFrame, type ParsedFrame } from "./frames.js";
import { OvsdbQuery, mapColumn } from "./ovsdb-query.js";
import { PcapTail } from "./pcap.js";
import { SandboxError, pollUntil } from "./process.js";
import type { UnixctlClient } from "./unixctl.js";

/** What a VM port needs from its chassis (kept structural to avoid an import cycle with chassis.ts). */
export interface VmPortHost {
  readonly name: string;
  readonly dir: string;
  readonly dbRemote: string;
  readonly vswitchdCtl: UnixctlClient;
  vsctl(...args: string[]): Promise<string>;
  ofctl(...args: string[]): Promise<string>;
}

export interface VmPortOptions {
  /** The logical switch port this NIC realises (external_ids:iface-id). */
  ifaceId: string;
  /** OVS interface name, unique on the chassis; default the iface-id. */
  name?: string;
  /** The VM's MAC and IP (for helpers that build frames for it; OVS does not need them). */
  mac?: string;
  ip?: string;
  /** Wait until ovn-controller marked the interface ovn-installed (flows in place); default false. */
  waitInstalled?: boolean;
}

export interface CapturedFrame {
  /** Chassis whose port delivered it. */
  chassis: string;
  port: string;
  /** Capture time (ms since epoch, µs precision) as written by ovs-vswitchd. */
  time: number;
  data: Buffer;
  frame: ParsedFrame;
}

/** OpenFlow port counters, from OVS's side: rx = frames the VM sent, tx = frames delivered to the VM. */
export interface PortStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  /** undefined when the datapath does not count drops (the dummy one does not). */
  rxDropped: number | undefined;
  txDropped: number | undefined;
}

export class VmPort {
  /** Every frame delivered to the VM so far (grows on poll()). */
  readonly received: CapturedFrame[] = [];
  private readonly tail: PcapTail;
  private detached = false;
  private readonly detachListeners: (() => void)[] = [];

  private constructor(
    private readonly host: VmPortHost,
    readonly name: string,
    readonly ifaceId: string,
    readonly mac: string | undefined,
    readonly ip: string | undefined,
    /** pcap file of the frames OVS sent to this VM. */
    readonly txPcapPath: string,
  ) {
    this.tail = new PcapTail(txPcapPath);
  }

  get chassis(): string {
    return this.host.name;
  }

  static async attach(host: VmPortHost, opts: VmPortOptions): Promise<VmPort> {
    const name = opts.name ?? opts.ifaceId;
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) {
      throw new SandboxError("BAD_OPTION", `VM port name "${name}" must be 1-15 characters [A-Za-z0-9_.-]`);
    }
    const txPcapPath = join(host.dir, `${name}-tx.pcap`);
    await rm(txPcapPath, { force: true });
    // without --no-wait: returns once ovs-vswitchd has created the interface
    await host.vsctl(
      "add-port", "br-int", name, "--", "set", "Interface", name, "type=dummy",
      `external_ids:iface-id="${opts.ifaceId}"`, `options:tx_pcap="${txPcapPath}"`,
    );
    const port = new VmPort(host, name, opts.ifaceId, opts.mac, opts.ip, txPcapPath);
    if (opts.waitInstalled) await port.waitInstalled();
    return port;
  }

  /** Injects one frame as if the VM transmitted it (netdev-dummy/receive). */
  async send(frame: Uint8Array): Promise<void> {
    this.assertAttached();
    await this.host.vswitchdCtl.command("netdev-dummy/receive", this.name, Buffer.from(frame).toString("hex"));
  }

  /** Reads frames delivered since the last poll, appends them to `received` and returns them. */
  async poll(): Promise<CapturedFrame[]> {
    if (this.detached) return [];
    const records = await this.tail.read();
    const frames = records.map((r) => ({ chassis: this.host.name, port: this.name, time: r.time, data: r.data, frame: parseFrame(r.data) }));
    this.received.push(...frames);
    return frames;
  }

  /** Polls until at least `count` delivered frames match `predicate`; returns the matching frames. */
  async waitFor(predicate: (f: CapturedFrame) => boolean, count = 1, timeoutMs = 10_000): Promise<CapturedFrame[]> {
    return pollUntil(`${count} matching frame(s) at ${this.chassis}/${this.name}`, async () => {
      await this.poll();
      const hits = this.received.filter(predicate);
      return hits.length >= count ? hits : undefined;
    }, timeoutMs, 2);
  }

  /** The interface's OpenFlow port number on br-int. */
  async ofport(): Promise<number> {
    const n = Number.parseInt((await this.host.vsctl("get", "Interface", this.name, "ofport")).trim(), 10);
    if (!Number.isInteger(n) || n <= 0) throw new SandboxError("NO_OFPORT", `${this.chassis}/${this.name} has no OpenFlow port`);
    return n;
  }

  /** Live OpenFlow counters (ovs-ofctl dump-ports br-int <ofport>). */
  async stats(): Promise<PortStats> {
    const out = await this.host.ofctl("dump-ports", "br-int", String(await this.ofport()));
    const field = (dir: "rx" | "tx", name: string): number | undefined => {
      // e.g. "  port  2: rx pkts=0, bytes=0, drop=?, errs=?, ..." then "           tx pkts=10, bytes=660, drop=?, ..."
      const line = new RegExp(`\\b${dir} (pkts=.*)`).exec(out)?.[1] ?? "";
      const pairs = new Map(line.split(/,\s*/).map((kv) => kv.split("=") as [string, string]));
      const v = pairs.get(name);
      if (v === undefined) throw new SandboxError("COMMAND_FAILED", `cannot parse ovs-ofctl dump-ports output:\n${out}`);
      return v === "?" ? undefined : Number(v);
    };
    const count = (dir: "rx" | "tx", name: string): number => {
      const v = field(dir, name);
      if (v === undefined) throw new SandboxError("COMMAND_FAILED", `ovs-ofctl dump-ports has no ${dir} ${name}:\n${out}`);
      return v;
    };
    return {
      rxPackets: count("rx", "pkts"), rxBytes: count("rx", "bytes"), rxDropped: field("rx", "drop"),
      txPackets: count("tx", "pkts"), txBytes: count("tx", "bytes"), txDropped: field("tx", "drop"),
    };
  }

  /** True once ovn-controller set external_ids:ovn-installed=true on the interface (its flows are installed). */
  async installed(): Promise<boolean> {
    const q = await OvsdbQuery.connect(this.host.dbRemote, "Open_vSwitch");
    try {
      const rows = await q.select("Interface", [["name", "==", this.name]], ["external_ids"]);
      return rows.length === 1 && mapColumn(rows[0]!["external_ids"]).get("ovn-installed") === "true";
    } finally {
      await q.close();
    }
  }

  async waitInstalled(timeoutMs = 10_000): Promise<void> {
    await pollUntil(`${this.chassis}/${this.name} ovn-installed`, async () => ((await this.installed()) ? true : undefined), timeoutMs, 5);
  }

  /** Unplugs the interface from br-int (the VM left this chassis). Frames captured so far stay in `received`. */
  async detach(): Promise<void> {
    if (this.detached) return;
    await this.poll();
    await this.host.vsctl("--if-exists", "del-port", "br-int", this.name);
    await this.close();
  }

  onDetach(listener: () => void): void {
    this.detachListeners.push(listener);
  }

  /** Stops reading the capture (does not unplug). */
  async close(): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    await this.tail.close();
    for (const l of this.detachListeners) l();
  }

  private assertAttached(): void {
    if (this.detached) throw new SandboxError("PORT_DETACHED", `${this.chassis}/${this.name} is detached`);
  }
}
