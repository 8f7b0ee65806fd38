/**
 * NbClient: a typed OVN Northbound client. Connects (OvsdbClient), checks the server's schema version against
 * the generated models (schema-version.ts), keeps a replica of the NB tables (Monitor, monitor_cond_since),
 * reads from it with indexes, and writes with guarded transactions built by the entity operations (ops/).
 *
 *   const nb = await NbClient.connect("unix:/run/ovn/ovnnb_db.sock");
 *   await nb.switches.ensure({ name: "ls1" });
 *   await nb.switchPorts.create("ls1", { name: "vm1", addresses: ["0a:00:00:00:00:01 10.0.0.1"] });
 *   await nb.migration.arm({ uid, source: "hv1", target: "hv2", ports: ["vm1"] });
 *   nb.switchPorts.get("vm1");                 // from the replica, read-your-writes
 *   await nb.close();
 *
 * Writes resolve after the server committed them AND the replica applied them (ovsdb-server sends a
 * transaction's updates before its reply), so a read right after a write sees it.
 */
import {
  OvsdbClient, connectSession, isTransactionError, type Monitor, type Operation, type OperationResult, type OvsdbClientOptions,
  type OvsdbSessionOptions, type TableCache, type TransactOptions,
} from "@ovnkit/ovsdb";
import { schema as generatedSchema } from "./generated/nb/database.js";
import { AclApi } from "./ops/acl.js";
import { AddressSetApi } from "./ops/address-set.js";
import type { NbContext, NbRows, NbTableName } from "./ops/context.js";
import { DhcpOptionsApi } from "./ops/dhcp-options.js";
import { LoadBalancerApi } from "./ops/load-balancer.js";
import { MigrationApi } from "./ops/migration.js";
import { NatApi } from "./ops/nat.js";
import { NbGlobalApi } from "./ops/nb-global.js";
import { explainFailure, type Plan } from "./ops/plan.js";
import { PortGroupApi } from "./ops/port-group.js";
import { RouterPortApi } from "./ops/router-port.js";
import { RouterApi } from "./ops/router.js";
import { StaticRouteApi } from "./ops/static-route.js";
import { SwitchPortApi } from "./ops/switch-port.js";
import { SwitchApi } from "./ops/switch.js";
import type { SchemaCheck, SchemaWarning } from "./schema-version.js";
import { backendOf, openTypedView, type Backend, type OvsdbConnection, type ViewOptions } from "./typed-view.js";
import { waitForState, type WaitOptions } from "./wait.js";

export const NB_DATABASE = "OVN_Northbound";

/** The tables NbClient replicates by default: every table its operations read. */
export const DEFAULT_NB_TABLES: readonly NbTableName[] = [
  "NB_Global",
  "Logical_Switch",
  "Logical_Switch_Port",
  "Logical_Router",
  "Logical_Router_Port",
  "Logical_Router_Static_Route",
  "NAT",
  "ACL",
  "Port_Group",
  "Address_Set",
  "Load_Balancer",
  "DHCP_Options",
];

export interface NbClientOptions extends OvsdbClientOptions, ViewOptions {
  /** Tables to replicate (default DEFAULT_NB_TABLES); operations on other tables fail with VALIDATION_ERROR. */
  tables?: readonly NbTableName[];
}

export class NbClient implements NbContext {
  readonly switches: SwitchApi;
  readonly switchPorts: SwitchPortApi;
  readonly routers: RouterApi;
  readonly routerPorts: RouterPortApi;
  readonly staticRoutes: StaticRouteApi;
  readonly nat: NatApi;
  readonly acls: AclApi;
  readonly portGroups: PortGroupApi;
  readonly addressSets: AddressSetApi;
  readonly loadBalancers: LoadBalancerApi;
  readonly dhcpOptions: DhcpOptionsApi;
  readonly global: NbGlobalApi;
  readonly migration: MigrationApi;

  private constructor(
    private readonly backend: Backend,
    /** The NB replica's monitor (status$, changes$, batches$...). */
    readonly monitor: Monitor<NbRows>,
    /** The server's schema version against the generated one. */
    readonly schemaCheck: SchemaCheck,
    readonly schemaWarning: SchemaWarning | undefined,
    private readonly ownsClient: boolean,
  ) {
    this.switches = new SwitchApi(this);
    this.switchPorts = new SwitchPortApi(this);
    this.routers = new RouterApi(this);
    this.routerPorts = new RouterPortApi(this);
    this.staticRoutes = new StaticRouteApi(this);
    this.nat = new NatApi(this);
    this.acls = new AclApi(this);
    this.portGroups = new PortGroupApi(this);
    this.addressSets = new AddressSetApi(this);
    this.loadBalancers = new LoadBalancerApi(this);
    this.dhcpOptions = new DhcpOptionsApi(this);
    this.global = new NbGlobalApi(this);
    this.migration = new MigrationApi(this);
  }

  /**
   * Connects (one OvsdbClient connection, no reconnection), checks the schema version (OvnNbError
   * SCHEMA_VERSION_MISMATCH, or a warning with code SCHEMA_VERSION_OLDER / SCHEMA_VERSION_NEWER) and loads the
   * replica.
   */
  static async connect(remotes: string | readonly string[], options: NbClientOptions = {}): Promise<NbClient> {
    return NbClient.openOwned(await OvsdbClient.connect(remotes, options), options);
  }

  /**
   * The same over a reconnecting OvsdbSession (leader-only by default): the replica survives reconnects
   * (monitor_cond_since), writes wait (bounded) for a connection, and a write whose reply was lost with the
   * connection rejects with OUTCOME_UNKNOWN (re-run it: plans are re-read from the replica and guarded).
   */
  static async connectSession(remotes: string | readonly string[], options: NbClientOptions & Partial<OvsdbSessionOptions> = {}): Promise<NbClient> {
    return NbClient.openOwned(await connectSession(remotes, { ...options, database: NB_DATABASE }), options);
  }

  /** The same on an existing OvsdbClient or OvsdbSession (close() then leaves it open). */
  static attach(connection: OvsdbConnection, options: NbClientOptions = {}): Promise<NbClient> {
    return NbClient.open(backendOf(connection), options, false);
  }

  private static async openOwned(connection: OvsdbConnection, options: NbClientOptions): Promise<NbClient> {
    const backend = backendOf(connection);
    try {
      return await NbClient.open(backend, options, true);
    } catch (e) {
      await backend.close();
      throw e;
    }
  }

  private static async open(backend: Backend, options: NbClientOptions, ownsClient: boolean): Promise<NbClient> {
    const tables: Record<string, object> = {};
    for (const t of options.tables ?? DEFAULT_NB_TABLES) tables[t] = {};
    const s = await openTypedView<NbRows>(backend, generatedSchema, tables, options);
    return new NbClient(backend, s.monitor, s.schemaCheck, s.schemaWarning, ownsClient);
  }

  /** The underlying OvsdbClient or OvsdbSession. */
  get ovsdb(): OvsdbConnection {
    return this.backend.connection;
  }

  /** The replica of one NB table (VALIDATION_ERROR when it is not replicated). */
  table<K extends NbTableName>(name: K): TableCache<NbRows[K]> {
    return this.monitor.table(name);
  }

  /**
   * Sends a plan's transaction and returns its value. An empty plan sends nothing. A failed guard becomes the
   * plan's typed error (NOT_FOUND, ALREADY_EXISTS, CONFLICT, MIGRATION_CONFLICT...), a unique-index violation
   * ALREADY_EXISTS; other failures stay TransactionError.
   */
  async run<T>(plan: Plan<T>, options: TransactOptions = {}): Promise<T> {
    if (plan.ops.length === 0) return plan.result([]);
    let results: OperationResult[];
    try {
      results = await this.backend.transact(NB_DATABASE, plan.ops, options);
    } catch (e) {
      if (isTransactionError(e)) throw explainFailure(plan, e);
      throw e;
    }
    return plan.result(results);
  }

  waitFor<T>(what: string, probe: () => T | undefined, options?: WaitOptions): Promise<T> {
    return waitForState(this.monitor, what, probe, options);
  }

  /**
   * Resolves once the replica includes every transaction the server committed before this call (also other
   * clients'): an echo round trip, since ovsdb-server flushes pending monitor updates to a session before it
   * reads the session's next request.
   */
  async barrier(): Promise<void> {
    await this.backend.echo();
  }

  /** A raw transaction on OVN_Northbound (validated against the server's schema). */
  transact(ops: readonly Operation[], options?: TransactOptions): Promise<OperationResult[]> {
    return this.backend.transact(NB_DATABASE, ops, options);
  }

  /** Cancels the monitor and, when connect() opened it, closes the session. */
  async close(): Promise<void> {
    await this.monitor.cancel().catch(() => undefined);
    if (this.ownsClient) await this.backend.close();
  }
}
