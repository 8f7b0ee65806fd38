/**
 * SbClient: a small OVN Southbound reader for observing port locations (multichassis bindings, activation).
 * Monitors Port_Binding (the columns of ops/port-binding.ts; optionally only some logical ports) and Chassis
 * (name, hostname) to turn chassis uuids into names, through the generated SB models.
 *
 *   const sb = await SbClient.connect(sbRemote, { ports: ["vm1"] });
 *   sb.binding("vm1");                                   // { chassis: "hv1", additionalChassis: ["hv2"], ... }
 *   await sb.waitForBinding("vm1", (b) => b.activatedOn.includes("hv2"));
 *   sb.bindings$.subscribe((b) => ...);                  // every change of a port's PortBindingState
 */
import { Observable } from "rxjs";
import { OvsdbClient, connectSession, type Condition, type Monitor, type OvsdbClientOptions, type OvsdbSessionOptions } from "@ovnkit/ovsdb";
import { schema as generatedSchema } from "./generated/sb/database.js";
import { PortBinding as PortBindingModel } from "./generated/sb/index.js";
import type { Chassis } from "./generated/sb/index.js";
import { BINDING_COLUMNS, portBindingState, sameBinding, type BindingRow, type PortBindingState } from "./ops/port-binding.js";
import type { SchemaCheck, SchemaWarning } from "./schema-version.js";
import { backendOf, openTypedView, type Backend, type OvsdbConnection, type ViewOptions } from "./typed-view.js";
import { waitForState, type WaitOptions } from "./wait.js";

export const SB_DATABASE = "OVN_Southbound";

export interface SbRows {
  Port_Binding: BindingRow;
  Chassis: Pick<Chassis, "_uuid" | "name" | "hostname">;
}

export interface SbClientOptions extends OvsdbClientOptions, ViewOptions {
  /** Only these logical ports (monitor condition); default every Port_Binding. */
  ports?: readonly string[];
}

export class SbClient {
  private constructor(
    private readonly backend: Backend,
    readonly monitor: Monitor<SbRows>,
    readonly schemaCheck: SchemaCheck,
    readonly schemaWarning: SchemaWarning | undefined,
    private readonly ownsClient: boolean,
  ) {}

  /** One OvsdbClient connection (no reconnection). */
  static async connect(remotes: string | readonly string[], options: SbClientOptions = {}): Promise<SbClient> {
    return SbClient.openOwned(await OvsdbClient.connect(remotes, options), options);
  }

  /** Over a reconnecting OvsdbSession (the replica survives reconnects). */
  static async connectSession(remotes: string | readonly string[], options: SbClientOptions & Partial<OvsdbSessionOptions> = {}): Promise<SbClient> {
    return SbClient.openOwned(await connectSession(remotes, { leaderOnly: false, ...options, database: SB_DATABASE }), options);
  }

  /** On an existing OvsdbClient or OvsdbSession (close() then leaves it open). */
  static attach(connection: OvsdbConnection, options: SbClientOptions = {}): Promise<SbClient> {
    return SbClient.open(backendOf(connection), options, false);
  }

  private static async openOwned(connection: OvsdbConnection, options: SbClientOptions): Promise<SbClient> {
    const backend = backendOf(connection);
    try {
      return await SbClient.open(backend, options, true);
    } catch (e) {
      await backend.close();
      throw e;
    }
  }

  private static async open(backend: Backend, options: SbClientOptions, ownsClient: boolean): Promise<SbClient> {
    const s = await openTypedView<SbRows>(backend, generatedSchema, {
      Port_Binding: { columns: BINDING_COLUMNS, ...(options.ports === undefined ? {} : { where: portConditions(options.ports) }) },
      Chassis: { columns: ["name", "hostname"] },
    }, options);
    return new SbClient(backend, s.monitor, s.schemaCheck, s.schemaWarning, ownsClient);
  }

  /** Monitors these logical ports from now on (monitor_cond_change), instead of the previous set. */
  watchPorts(ports: readonly string[]): Promise<void> {
    return this.monitor.setConditions({ Port_Binding: portConditions(ports) });
  }

  /** Chassis name of a Chassis uuid (undefined if unknown). */
  chassisName(uuid: string): string | undefined {
    return this.monitor.table("Chassis").get(uuid)?.name;
  }

  /** The Port_Binding row of a logical port (generated SB type, monitored columns), or undefined. */
  row(port: string): BindingRow | undefined {
    return this.monitor.table("Port_Binding").index("logical_port").one(port);
  }

  /** The binding state of a logical port (chassis names resolved), or undefined when it has no Port_Binding. */
  binding(port: string): PortBindingState | undefined {
    const row = this.row(port);
    return row === undefined ? undefined : portBindingState(row, (u) => this.chassisName(u));
  }

  /** Every monitored binding. */
  bindings(): PortBindingState[] {
    return [...this.monitor.table("Port_Binding").values()]
      .map((row) => portBindingState(row, (u) => this.chassisName(u)))
      .sort((a, b) => a.logicalPort.localeCompare(b.logicalPort));
  }

  /**
   * Every change of a monitored port's binding state (after each applied update; a Chassis change re-checks
   * every port). Emits the current states on subscribe.
   */
  get bindings$(): Observable<PortBindingState> {
    return new Observable<PortBindingState>((subscriber) => {
      const last = new Map<string, PortBindingState>();
      const scan = (): void => {
        for (const s of this.bindings()) {
          if (!sameBinding(last.get(s.logicalPort), s)) {
            last.set(s.logicalPort, s);
            subscriber.next(s);
          }
        }
      };
      const sub = this.monitor.batches$.subscribe({ next: scan, complete: () => subscriber.complete() });
      scan();
      return () => sub.unsubscribe();
    });
  }

  /** Resolves with the port's state as soon as `predicate` holds (checked now and after every update). */
  waitForBinding(port: string, predicate: (b: PortBindingState) => boolean, options?: WaitOptions): Promise<PortBindingState> {
    return waitForState(this.monitor, `Port_Binding ${port} to match`, () => {
      const b = this.binding(port);
      return b !== undefined && predicate(b) ? b : undefined;
    }, options);
  }

  /** The underlying OvsdbClient or OvsdbSession. */
  get ovsdb(): OvsdbConnection {
    return this.backend.connection;
  }

  async close(): Promise<void> {
    await this.monitor.cancel().catch(() => undefined);
    if (this.ownsClient) await this.backend.close();
  }
}

/** Monitor conditions are ORed (ovsdb-server(7) monitor_cond): one "==" per port; [false] for none. */
function portConditions(ports: readonly string[]): Condition[] {
  return ports.length === 0 ? [false] : ports.map((p) => PortBindingModel.where.logical_port.eq(p));
}
