/**
 * OvnNbBackend: the MigrationBackend over @ovnkit/ovn-nb's live-migration operations (MigrationApi on an
 * NbClient: arm / complete / inspect, each one guarded transaction for all the VM's ports).
 *
 * A VM's NIC ports are the Logical_Switch_Ports whose external_ids[vmPortKey] is "<namespace>/<vm>"
 * (Kube-OVN's convention, key "pod", by default), found through a client index on that key.
 * With an SB connection, inspect tells "activated" (the target saw the guest's RARP) from "armed".
 *
 * Reliability (forRemotes): NB and SB are reconnecting sessions (OvsdbSession + NbClient.attach, as
 * NbClient.connectSession does)
 * with the inactivity probe, so a lost, half-open or frozen NB connection is detected in the background
 * (PROBE_TIMEOUT), `ready` (/readyz) turns false, and the session reconnects and resyncs the replica on its
 * own. Reads are refused (NOT_CONNECTED) while the session is not connected: a reconcile never decides on
 * the replica of a dead connection. After a reconnect, `onReconnect` asks the daemon to re-queue every VM
 * (work that failed during the outage is redone at once, not after its backoff).
 *
 * NB is watched: the replica's Logical_Switch_Port changes that concern a VM (nb-port-changes.ts) are
 * reported through `onVmChange`, so the reconciler re-reads level-triggered state promptly when someone
 * else changes a port.
 *
 * A write whose reply was lost with the connection (OUTCOME_UNKNOWN) is settled, not guessed: the backend
 * waits (bounded) for the session to reconnect, looks at the resynced replica, and re-runs the guarded
 * operation only if it did not land.
 */
import { OvsdbError, OvsdbSession, isOvsdbError, type BackoffOptions, type ProbeOptions, type SessionStatus } from "@ovnkit/ovsdb";
import { NB_DATABASE, NbClient, OvnNbError, SB_DATABASE, SbClient, type BindingSource, type PortMigrationState } from "@ovnkit/ovn-nb";
import { Backoff } from "../controller/rate-limiter.js";
import { isArmedFor } from "./plan.js";
import type { ArmRequest, CompleteRequest, MigrationBackend, PortState, VmRef } from "./backend.js";
import { vmKeysOfPortChange } from "./nb-port-changes.js";
import { SessionClient, type ClientSource } from "./session-client.js";

export const DEFAULT_VM_PORT_KEY = "pod";

export interface OvnNbBackendOptions {
  /** external_ids key whose value "<namespace>/<vm>" marks the VM's NIC ports. Default "pod". */
  readonly vmPortKey?: string;
  /** How long a write whose outcome is unknown waits for the reconnect that settles it (ms). Default 10 000. */
  readonly outcomeWaitMs?: number;
}

export interface OvnNbRemoteOptions extends OvnNbBackendOptions {
  readonly sb?: string | readonly string[];
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Inactivity probe of the sessions (default the session's: 5 s echo interval, 5 s timeout, 60 s dumps). */
  readonly probe?: ProbeOptions;
  /** Reconnect backoff of the sessions (default the session's: 100 ms .. 8 s, x2, jitter 0.5). */
  readonly backoff?: BackoffOptions;
  /** How long the first connect, and a write with no connection, wait for one (ms). Default 10 000. */
  readonly waitMs?: number;
}

/** What the daemon may hear from the backend once started. */
export interface BackendHooks {
  readonly periodMs?: number;
  /** A connection could not be opened, or was lost (the backend keeps trying). */
  readonly onError?: (e: unknown) => void;
  /** NB changed a port of this VM ("<namespace>/<vm>"): reconcile it. */
  readonly onVmChange?: (vmKey: string) => void;
  /** NB is back after an outage (replica resynced): reconcile everything. */
  readonly onReconnect?: (info: { readonly downMs: number; readonly error: string | undefined }) => void;
}

/** Something with an OVSDB connection status (NbClient, SbClient). */
interface Connected {
  readonly ovsdb: { readonly status: { readonly state: string } };
  close(): Promise<void>;
}

/** One lazily (re)opened one-shot connection (OvsdbClient-based clients; a dead one is closed and replaced). */
export class LazyConnection<T extends Connected> implements ClientSource<T> {
  private client: T | undefined;
  private opening: Promise<T> | undefined;

  /** `initial`: an already open connection to use first. */
  constructor(private readonly open: () => Promise<T>, initial?: T) {
    this.client = initial;
  }

  get current(): T | undefined {
    return this.client;
  }

  get connected(): boolean {
    return this.client !== undefined && this.client.ovsdb.status.state === "connected";
  }

  async get(): Promise<T> {
    if (this.client !== undefined) {
      if (this.client.ovsdb.status.state === "connected") return this.client;
      const dead = this.client;
      this.client = undefined;
      await dead.close().catch(() => undefined);
    }
    this.opening ??= this.open().then(
      (c) => {
        this.client = c;
        this.opening = undefined;
        return c;
      },
      (e: unknown) => {
        this.opening = undefined;
        throw e;
      },
    );
    return this.opening;
  }

  async close(): Promise<void> {
    const c = this.client ?? (await this.opening?.catch(() => undefined));
    this.client = undefined;
    await c?.close().catch(() => undefined);
  }
}

/** Clients given by the caller: used while connected, never reopened (a session-based one heals itself). */
class FixedClient<T extends Connected> implements ClientSource<T> {
  constructor(readonly current: T) {}
  get connected(): boolean {
    return this.current.ovsdb.status.state === "connected";
  }
  async get(): Promise<T> {
    if (this.connected) return this.current;
    throw new OvsdbError("NOT_CONNECTED", `the given OVSDB client is not connected (${this.current.ovsdb.status.state})`, { details: { state: this.current.ovsdb.status.state } });
  }
  close(): Promise<void> {
    return this.current.close();
  }
}

export function toPortState(s: PortMigrationState): PortState {
  return {
    port: s.port,
    phase: s.phase,
    owner: s.owner === undefined ? undefined : { uid: s.owner.uid, source: s.owner.source, target: s.owner.target },
    requestedChassis: [...s.requestedChassis],
    activationStrategy: s.activationStrategy,
    consistent: s.consistent,
  };
}

export class OvnNbBackend implements MigrationBackend {
  private readonly key: string;
  private readonly outcomeWaitMs: number;
  private closed = false;
  private keeper: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private hooks: BackendHooks = {};
  private watched: NbClient | undefined;
  private watch: { unsubscribe(): void } | undefined;
  private stopStatus: (() => void) | undefined;
  private lostAt: number | undefined;
  private lostWith: string | undefined;

  constructor(
    private readonly nb: ClientSource<NbClient>,
    private readonly sb: ClientSource<SbClient> | undefined,
    options: OvnNbBackendOptions = {},
  ) {
    this.key = options.vmPortKey ?? DEFAULT_VM_PORT_KEY;
    this.outcomeWaitMs = options.outcomeWaitMs ?? 10_000;
  }

  /**
   * Reconnecting sessions to NB (and SB, for activation), opened on first use or by start(); each detects a
   * dead or silent server with the inactivity probe and reconnects on its own.
   */
  static forRemotes(nb: string | readonly string[], options: OvnNbRemoteOptions = {}): OvnNbBackend {
    const sessionOptions = {
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.probe !== undefined ? { probe: options.probe } : {}),
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    };
    const sb = options.sb;
    // What NbClient.connectSession / SbClient.connectSession do, with the session kept by SessionClient.
    return new OvnNbBackend(
      new SessionClient(nb, { ...sessionOptions, database: NB_DATABASE }, (s) => NbClient.attach(s, { tables: ["Logical_Switch_Port"] }), "OVN NB"),
      sb === undefined ? undefined : new SessionClient(sb, { leaderOnly: false, ...sessionOptions, database: SB_DATABASE }, (s) => SbClient.attach(s), "OVN SB"),
      options,
    );
  }

  /** Over existing clients (used while connected, never reopened; a connectSession client reconnects itself). */
  static fromClients(nb: NbClient, sb?: SbClient, options: OvnNbBackendOptions = {}): OvnNbBackend {
    return new OvnNbBackend(new FixedClient(nb), sb === undefined ? undefined : new FixedClient(sb), options);
  }

  /** NB is connected and its replica current. */
  get ready(): boolean {
    return this.nb.connected;
  }

  /** Names of the VM's NIC ports, sorted. */
  async portsOf(vm: VmRef): Promise<string[]> {
    return this.portNames(await this.nb.get(), vm);
  }

  async inspect(vm: VmRef): Promise<PortState[]> {
    const nb = await this.nb.get();
    const sb = await this.bindings();
    return this.portNames(nb, vm).map((n) => toPortState(nb.migration.inspect(n, sb)));
  }

  async arm(request: ArmRequest): Promise<void> {
    const owner = { uid: request.migrationUid, source: request.source, target: request.target };
    await this.settled(
      async () => {
        const ports = await this.requirePorts(request.vm);
        await (await this.nb.get()).migration.arm({ ...owner, ports });
      },
      async () => {
        const ports = await this.inspect(request.vm);
        return ports.length > 0 && ports.every((p) => isArmedFor(p, owner));
      },
    );
  }

  async complete(request: CompleteRequest): Promise<void> {
    await this.settled(
      async () => {
        const ports = await this.requirePorts(request.vm);
        await (await this.nb.get()).migration.complete({ uid: request.migrationUid, outcome: request.outcome, ports });
      },
      async () => {
        const ports = await this.inspect(request.vm);
        return ports.length > 0 && ports.every((p) => p.owner?.uid !== request.migrationUid && p.requestedChassis.join(",") === request.chassis);
      },
    );
  }

  /**
   * Opens the connections in the background (retrying the first open with backoff; a session then heals
   * itself), watches NB port changes and the session state, and reports through `hooks`.
   */
  start(hooks: BackendHooks = {}): void {
    if (this.keeper !== undefined || this.closed) return;
    this.hooks = hooks;
    if (this.nb instanceof SessionClient) this.stopStatus = this.nb.onStatus((s) => this.onNbStatus(s));
    const backoff = new Backoff({ baseMs: 200, maxMs: 10_000, jitter: 0.2 });
    this.keeper = (async () => {
      while (!this.closed) {
        let delay = hooks.periodMs ?? 1000;
        try {
          // A session, once open, reconnects on its own: only one-shot clients need checking.
          if (!(this.nb instanceof SessionClient && this.nb.current !== undefined)) await this.nb.get();
          this.watchReplica();
          if (this.sb !== undefined && !(this.sb instanceof SessionClient && this.sb.current !== undefined)) {
            await this.sb.get().catch((e: unknown) => hooks.onError?.(e));
          }
          backoff.reset();
        } catch (e) {
          if (this.closed) break;
          // NB unreachable from the start: the first connection will count as a reconnect (re-queue everything).
          if (this.nb.current === undefined && this.lostAt === undefined) {
            this.lostAt = Date.now();
            this.lostWith = (e as { code?: string }).code;
          }
          hooks.onError?.(e);
          delay = backoff.next();
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.stopStatus?.();
    this.watch?.unsubscribe();
    // Sources first: that also ends a first connection the keeper may still be waiting for.
    await Promise.all([this.nb.close(), this.sb?.close()]);
    await this.keeper;
  }

  private onNbStatus(s: SessionStatus): void {
    if (this.closed) return;
    if (s.state === "reconnecting" && this.lostAt === undefined) {
      this.lostAt = Date.now();
      this.lostWith = s.error.code;
      this.hooks.onError?.(s.error);
    } else if (s.state === "connected" && this.lostAt !== undefined) {
      const downMs = Date.now() - this.lostAt;
      const error = this.lostWith;
      this.lostAt = undefined;
      this.lostWith = undefined;
      this.hooks.onReconnect?.({ downMs, error });
    }
  }

  /** Subscribes to the current NB replica's port changes (again when a one-shot client was replaced). */
  private watchReplica(): void {
    const nb = this.nb.current;
    if (nb === undefined || nb === this.watched) return;
    const replaced = this.watched !== undefined;
    this.watch?.unsubscribe();
    this.watched = nb;
    this.watch = nb.monitor.changesOf("Logical_Switch_Port").subscribe((e) => {
      for (const k of vmKeysOfPortChange(e, this.key)) this.hooks.onVmChange?.(k);
    });
    if (replaced) this.hooks.onReconnect?.({ downMs: 0, error: undefined });
  }

  /**
   * Runs a guarded write; when its outcome is unknown (the connection was lost before the reply), waits for
   * the session to reconnect (bounded) and checks the resynced replica: done if it landed, else re-run once.
   */
  private async settled(write: () => Promise<void>, landed: () => Promise<boolean>): Promise<void> {
    try {
      await write();
      return;
    } catch (e) {
      const session = this.nb.current?.ovsdb;
      if (!isOvsdbError(e, "OUTCOME_UNKNOWN") || !(session instanceof OvsdbSession)) throw e;
      await session.connected(this.outcomeWaitMs);
      if (await landed()) return;
    }
    await write();
  }

  private portNames(nb: NbClient, vm: VmRef): string[] {
    const cache = nb.table("Logical_Switch_Port");
    const index = `external_ids:${this.key}`;
    if (!cache.hasIndex(index)) cache.addIndex({ name: index, columns: [{ column: "external_ids", key: this.key }] });
    return cache.index(index).get(`${vm.namespace}/${vm.name}`).map((r) => r.name).sort();
  }

  private async requirePorts(vm: VmRef): Promise<string[]> {
    const ports = await this.portsOf(vm);
    if (ports.length === 0) {
      throw new OvnNbError("NOT_FOUND", `no logical switch port has external_ids:${this.key}=${vm.namespace}/${vm.name}`, {
        details: { what: "logical switch port", key: `${vm.namespace}/${vm.name}`, table: "Logical_Switch_Port" },
      });
    }
    return ports;
  }

  /** SB bindings when an SB connection is configured and up (activation is optional information: never waited for). */
  private async bindings(): Promise<BindingSource | undefined> {
    if (this.sb === undefined) return undefined;
    if (this.sb.connected) return this.sb.current;
    if (this.sb.current === undefined && !(this.sb instanceof SessionClient)) return this.sb.get().catch(() => undefined);
    return undefined;
  }
}
