/**
 * One connection of an OvsdbSession: a fresh OvsdbClient over a dialled transport, its inactivity probe (fed
 * by every received byte), the _Server watch, and the MonitorClient the session's monitors use while this
 * connection lives (monitor requests are tracked by the probe as initial dumps; monitor_cond_since replies
 * are counted as fast (found) or full resyncs). `lost` resolves once, when the connection goes down for any
 * reason (server closed, probe timeout, hand-over, close()).
 */
import type { Observable } from "rxjs";
import { OvsdbError } from "../protocol/errors.js";
import type { TableUpdates, TableUpdates2 } from "../protocol/updates.js";
import type { MonitorClient } from "../monitor/monitor.js";
import type {
  MonitorCondChangeRequests,
  MonitorCondRequests,
  MonitorCondSinceResult,
  MonitorId,
  MonitorRequests,
  OvsdbNotification,
} from "../rpc/methods.js";
import type { Transport } from "../transport/transport.js";
import { OvsdbClient, type OvsdbClientOptions } from "./client.js";
import type { ServerWatch } from "./leader.js";
import { InactivityProbe, tapTransport, type ProbeOptions, type ProbeTimers } from "./probe.js";

export interface LostConnection {
  readonly error: OvsdbError;
  /** The server handed over (lost leadership, left the cluster) rather than failed. */
  readonly handover: boolean;
}

export class SessionConnection implements MonitorClient {
  readonly client: OvsdbClient;
  readonly probe: InactivityProbe;
  readonly lost: Promise<LostConnection>;
  watch: ServerWatch | undefined;
  /** Monitors moved onto this connection (it must outlive their move to the next one). */
  carriesMonitors = false;
  fastResyncs = 0;
  fullResyncs = 0;
  private handover = false;

  constructor(transport: Transport, clientOptions: OvsdbClientOptions, probeOptions: ProbeOptions, learnedDumpMs: number, timers?: ProbeTimers) {
    let probe: InactivityProbe | undefined;
    this.client = OvsdbClient.fromTransport(
      tapTransport(transport, () => probe?.activity()),
      clientOptions,
    );
    probe = new InactivityProbe(probeOptions, { echo: () => this.client.echo(["ovnkit-probe"]), dead: (e) => this.client.abort(e) }, timers, learnedDumpMs);
    this.probe = probe;
    this.lost = new Promise<LostConnection>((resolve) => {
      const sub = this.client.status$.subscribe((s) => {
        if (s.state !== "disconnected" && s.state !== "closed") return;
        this.probe.stop();
        this.watch?.stop();
        const error = s.state === "disconnected" ? s.error : new OvsdbError("CONNECTION_CLOSED", `${this.remote}: closed by the session`);
        resolve({ error, handover: this.handover });
        queueMicrotask(() => sub.unsubscribe());
      });
    });
    probe.start();
  }

  get remote(): string {
    return this.client.remotes[0]?.text ?? "";
  }

  get alive(): boolean {
    return this.client.status.state === "connected";
  }

  /** Drops the connection because the server is no longer fit (the reconnect then costs no backoff). */
  handOver(error: OvsdbError): void {
    this.handover = true;
    this.client.abort(error);
  }

  // -- MonitorClient ---------------------------------------------------------------------------------------

  get notifications$(): Observable<OvsdbNotification> {
    return this.client.notifications$;
  }

  monitor(db: string, monitorId: MonitorId, requests: MonitorRequests): Promise<TableUpdates> {
    return this.probe.trackDump(this.client.monitor(db, monitorId, requests)).then((r) => {
      this.fullResyncs++;
      return r;
    });
  }

  monitorCond(db: string, monitorId: MonitorId, requests: MonitorCondRequests): Promise<TableUpdates2> {
    return this.probe.trackDump(this.client.monitorCond(db, monitorId, requests)).then((r) => {
      this.fullResyncs++;
      return r;
    });
  }

  async monitorCondSince(db: string, monitorId: MonitorId, requests: MonitorCondRequests, lastTxnId?: string): Promise<MonitorCondSinceResult> {
    const r = await this.probe.trackDump(this.client.monitorCondSince(db, monitorId, requests, lastTxnId));
    if (r.found) this.fastResyncs++;
    else this.fullResyncs++;
    return r;
  }

  monitorCondChange(monitorId: MonitorId, newMonitorId: MonitorId, requests: MonitorCondChangeRequests): Promise<void> {
    return this.probe.trackDump(this.client.monitorCondChange(monitorId, newMonitorId, requests));
  }

  monitorCancel(monitorId: MonitorId): Promise<void> {
    return this.client.monitorCancel(monitorId);
  }
}
