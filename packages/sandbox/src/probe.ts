/**
 * Data-plane probe: a steady stream of numbered UDP packets from a peer port to a VM (every intervalMs, default
 * 5 ms) and one back from the VM's active location to the peer, recording per packet which chassis delivered it
 * and when. During a migration the VM's NIC exists on several chassis (locations); the report's gaps measure the
 * interruption in each direction.
 */
import { buildSequencePayload, buildUdp, parseSequencePayload } from "./frames.js";
import { analyzeStream, type Delivery, type SentPacket, type StreamReport } from "./probe-report.js";
import { SandboxError } from "./process.js";
import type { CapturedFrame, VmPort } from "./vm-port.js";

export interface ProbeOptions {
  /** The VM's correspondent: a port of another logical switch port, with mac and ip set. */
  peer: VmPort;
  /** The VM under test. */
  vm: { mac: string; ip: string };
  /** Ports realising the VM's NIC (one per chassis it is on); more can be added with addLocation(). */
  locations: readonly VmPort[];
  /** Where the VM runs, i.e. which location sends the VM->peer stream; default locations[0]; null = nowhere. */
  active?: VmPort | null;
  /** Default 5 ms. */
  intervalMs?: number;
  /** Stream id carried in every payload; default random. */
  stream?: number;
  peerUdpPort?: number;
  vmUdpPort?: number;
  /** How often captures are read; default min(intervalMs, 5) ms. */
  pollMs?: number;
}

export interface ProbeReport {
  startedAt: number;
  stoppedAt: number;
  /** Peer -> VM: deliveries per chassis where the VM's NIC received them. */
  toVm: StreamReport;
  /** VM (active location) -> peer: sentFrom names the chassis each packet left from. */
  fromVm: StreamReport;
  /** Injections the vswitchd refused (e.g. a location detached while active). */
  sendErrors: string[];
}

const wallNow = () => performance.timeOrigin + performance.now();

export class Probe {
  readonly intervalMs: number;
  readonly stream: number;
  private readonly peer: VmPort;
  private readonly vm: { mac: string; ip: string };
  private readonly locations = new Set<VmPort>();
  private active: VmPort | null;
  private readonly cursors = new Map<VmPort, number>();
  private readonly origins = new Map<string, number>();
  private readonly toVmSent: SentPacket[] = [];
  private readonly fromVmSent: SentPacket[] = [];
  private readonly toVmDelivered: Delivery[] = [];
  private readonly fromVmDelivered: Delivery[] = [];
  private readonly sendErrors: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pollMs: number;
  private readonly peerUdpPort: number;
  private readonly vmUdpPort: number;
  private seq = 0;
  private t0 = 0;
  private startedAt = 0;
  private running = false;
  private sendTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollError: Error | undefined;

  constructor(o: ProbeOptions) {
    if (!o.peer.mac || !o.peer.ip) throw new SandboxError("BAD_OPTION", `probe peer ${o.peer.chassis}/${o.peer.name} needs mac and ip`);
    this.peer = o.peer;
    this.vm = o.vm;
    for (const l of o.locations) this.addLocation(l);
    this.active = o.active === undefined ? o.locations[0] ?? null : o.active;
    this.intervalMs = o.intervalMs ?? 5;
    this.stream = o.stream ?? Math.floor(Math.random() * 0xffffffff);
    this.pollMs = o.pollMs ?? Math.min(this.intervalMs, 5);
    this.peerUdpPort = o.peerUdpPort ?? 40000;
    this.vmUdpPort = o.vmUdpPort ?? 40001;
    this.cursors.set(this.peer, this.peer.received.length);
  }

  addLocation(port: VmPort): void {
    if (this.locations.has(port)) return;
    this.locations.add(port);
    this.cursors.set(port, port.received.length);
  }

  /** Stops reading a location (after its final frames are read). */
  async removeLocation(port: VmPort): Promise<void> {
    await this.pollOnce();
    this.locations.delete(port);
    if (this.active === port) this.active = null;
  }

  /** Moves the VM->peer stream to another location (the VM resumed there), or stops it (null: VM paused). */
  setActive(port: VmPort | null): void {
    if (port) this.addLocation(port);
    this.active = port;
  }

  start(): void {
    if (this.running) throw new SandboxError("PROBE_RUNNING", "probe already started");
    this.running = true;
    this.startedAt = wallNow();
    this.t0 = performance.now();
    this.tick();
    this.pollTimer = setInterval(() => void this.pollOnce(), this.pollMs);
  }

  /** Current state of both streams (the probe keeps running). */
  report(): ProbeReport {
    return {
      startedAt: this.startedAt,
      stoppedAt: this.running ? Number.NaN : wallNow(),
      toVm: analyzeStream(this.toVmSent, this.toVmDelivered, this.intervalMs),
      fromVm: analyzeStream(this.fromVmSent, this.fromVmDelivered, this.intervalMs),
      sendErrors: [...this.sendErrors],
    };
  }

  /**
   * Stops sending, then reads captures until every packet sent was delivered somewhere or nothing new arrived
   * for drainMs (the last packets may still be in flight when sending stops).
   */
  async stop(opts: { drainMs?: number } = {}): Promise<ProbeReport> {
    if (!this.running) return this.report();
    this.running = false;
    clearTimeout(this.sendTimer);
    clearInterval(this.pollTimer);
    await Promise.all(this.inFlight);
    const drainMs = opts.drainMs ?? 300;
    let lastProgress = performance.now();
    let seen = -1;
    for (;;) {
      await this.pollOnce();
      const count = this.toVmDelivered.length + this.fromVmDelivered.length;
      if (count !== seen) {
        seen = count;
        lastProgress = performance.now();
      }
      const r = this.report();
      if (r.toVm.lost.length === 0 && r.fromVm.lost.length === 0) break;
      if (performance.now() - lastProgress > drainMs) break;
      await new Promise((res) => setTimeout(res, this.pollMs));
    }
    if (this.pollError) throw this.pollError;
    const report = this.report();
    report.stoppedAt = wallNow();
    return report;
  }

  private tick(): void {
    if (!this.running) return;
    const now = performance.now();
    // catch up if the event loop was late: every slot gets its packet, each stamped with its real send time
    while (this.t0 + this.seq * this.intervalMs <= now) this.sendOne(this.seq++);
    const next = this.t0 + this.seq * this.intervalMs;
    this.sendTimer = setTimeout(() => this.tick(), Math.max(0, next - performance.now()));
  }

  private originOf(chassis: string): number {
    let o = this.origins.get(chassis);
    if (o === undefined) {
      o = this.origins.size + 1; // 0 is the peer
      this.origins.set(chassis, o);
    }
    return o;
  }

  private sendOne(seq: number): void {
    const sentAt = wallNow();
    const toVm = buildUdp({
      srcMac: this.peer.mac!, dstMac: this.vm.mac, srcIp: this.peer.ip!, dstIp: this.vm.ip,
      srcPort: this.peerUdpPort, dstPort: this.vmUdpPort,
      payload: buildSequencePayload({ stream: this.stream, seq, origin: 0, sentAt }),
    });
    this.inject(this.peer, toVm, { seq, sentAt, from: this.peer.chassis }, this.toVmSent);
    const active = this.active;
    if (active) {
      const fromVm = buildUdp({
        srcMac: this.vm.mac, dstMac: this.peer.mac!, srcIp: this.vm.ip, dstIp: this.peer.ip!,
        srcPort: this.vmUdpPort, dstPort: this.peerUdpPort,
        payload: buildSequencePayload({ stream: this.stream, seq, origin: this.originOf(active.chassis), sentAt }),
      });
      this.inject(active, fromVm, { seq, sentAt, from: active.chassis }, this.fromVmSent);
    }
  }

  private inject(port: VmPort, frame: Buffer, record: SentPacket, sent: SentPacket[]): void {
    sent.push(record);
    const p = port.send(frame).catch((e: Error) => {
      // never entered the network: not a loss of the network's making
      const i = sent.indexOf(record);
      if (i >= 0) sent.splice(i, 1);
      this.sendErrors.push(`seq ${record.seq} from ${port.chassis}/${port.name}: ${e.message}`);
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private pollOnce(): Promise<void> {
    this.polling ??= this.readCaptures().catch((e: Error) => {
      this.pollError ??= e;
    }).finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async readCaptures(): Promise<void> {
    const ports = [this.peer, ...this.locations];
    await Promise.all(ports.map((p) => p.poll()));
    for (const port of ports) {
      const from = this.cursors.get(port) ?? 0;
      for (let i = from; i < port.received.length; i++) this.classify(port, port.received[i]!);
      this.cursors.set(port, port.received.length);
    }
  }

  private classify(port: VmPort, f: CapturedFrame): void {
    if (!f.frame.udp) return;
    const p = parseSequencePayload(f.frame.udp.payload);
    if (!p || p.stream !== this.stream) return;
    if (p.origin === 0 && port !== this.peer) this.toVmDelivered.push({ seq: p.seq, chassis: f.chassis, at: f.time });
    else if (p.origin !== 0 && port === this.peer) this.fromVmDelivered.push({ seq: p.seq, chassis: f.chassis, at: f.time });
  }
}
