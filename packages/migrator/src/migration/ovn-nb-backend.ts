/**
 * OvnNbBackend: the MigrationBackend over @ovnkit/ovn-nb's live-migration operations (MigrationApi on an
 * NbClient: arm / complete / inspect, each one guarded transaction for all the VM's ports).
 *
 * A VM's NIC ports are the Logical_Switch_Ports whose external_ids[vmPortKey] is "<namespace>/<vm>"
 * (Kube-OVN's convention, key "pod", by default), found through a client index on that key.
 * With an SB connection, inspect tells "activated" (the target saw the guest's RARP) from "armed".
 *
 * Connections are (re)opened lazily: a client whose status is not "connected" is closed and replaced
 * before the next call, so a reconcile never decides on the replica of a dead connection.
 */
import { OvsdbError } from "@ovnkit/ovsdb";
import { NbClient, OvnNbError, SbClient, type BindingSource, type PortMigrationState } from "@ovnkit/ovn-nb";
import { Backoff } from "../controller/rate-limiter.js";
import type { ArmRequest, CompleteRequest, MigrationBackend, PortState, VmRef } from "./backend.js";

export const DEFAULT_VM_PORT_KEY = "pod";

export interface OvnNbBackendOptions {
  /** external_ids key whose value "<namespace>/<vm>" marks the VM's NIC ports. Default "pod". */
  readonly vmPortKey?: string;
}

/** Something with an OVSDB connection status (NbClient, SbClient). */
interface Connected {
  readonly ovsdb: { readonly status: { readonly state: string } };
  close(): Promise<void>;
}

/** One lazily (re)opened connection. */
export class LazyConnection<T extends Connected> {
  private current: T | undefined;
  private opening: Promise<T> | undefined;

  /** `initial`: an already open connection to use first. */
  constructor(private readonly open: () => Promise<T>, initial?: T) {
    this.current = initial;
  }

  get connected(): boolean {
    return this.current !== undefined && this.current.ovsdb.status.state === "connected";
  }

  async get(): Promise<T> {
    if (this.current !== undefined) {
      if (this.current.ovsdb.status.state === "connected") return this.current;
      const dead = this.current;
      this.current = undefined;
      await dead.close().catch(() => undefined);
    }
    this.opening ??= this.open().then(
      (c) => {
        this.current = c;
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
    const c = this.current ?? (await this.opening?.catch(() => undefined));
    this.current = undefined;
    await c?.close().catch(() => undefined);
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
  private closed = false;
  private keeper: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nb: LazyConnection<NbClient>,
    private readonly sb: LazyConnection<SbClient> | undefined,
    options: OvnNbBackendOptions = {},
  ) {
    this.key = options.vmPortKey ?? DEFAULT_VM_PORT_KEY;
  }

  /** Connects to NB (and SB, for activation) on first use; reconnects after a connection is lost. */
  static forRemotes(nb: string | readonly string[], options: OvnNbBackendOptions & { sb?: string | readonly string[]; connectTimeoutMs?: number; requestTimeoutMs?: number } = {}): OvnNbBackend {
    const clientOptions = {
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    };
    const sb = options.sb;
    return new OvnNbBackend(
      new LazyConnection(() => NbClient.connect(nb, { ...clientOptions, tables: ["Logical_Switch_Port"] })),
      sb === undefined ? undefined : new LazyConnection(() => SbClient.connect(sb, clientOptions)),
      options,
    );
  }

  /** Over existing clients (they are used as long as they are connected; never reopened). */
  static fromClients(nb: NbClient, sb?: SbClient, options: OvnNbBackendOptions = {}): OvnNbBackend {
    const fixed = <T extends Connected>(c: T) =>
      new LazyConnection<T>(async () => {
        throw new OvsdbError("NOT_CONNECTED", "the given OVSDB client is no longer connected and cannot be reopened");
      }, c);
    return new OvnNbBackend(fixed(nb), sb === undefined ? undefined : fixed(sb), options);
  }

  get ready(): boolean {
    return this.nb.connected;
  }

  /** Names of the VM's NIC ports, sorted. */
  async portsOf(vm: VmRef): Promise<string[]> {
    const nb = await this.nb.get();
    const cache = nb.table("Logical_Switch_Port");
    const index = `external_ids:${this.key}`;
    if (!cache.hasIndex(index)) cache.addIndex({ name: index, columns: [{ column: "external_ids", key: this.key }] });
    return cache.index(index).get(`${vm.namespace}/${vm.name}`).map((r) => r.name).sort();
  }

  async inspect(vm: VmRef): Promise<PortState[]> {
    const names = await this.portsOf(vm);
    const nb = await this.nb.get();
    const sb = await this.bindings();
    return names.map((n) => toPortState(nb.migration.inspect(n, sb)));
  }

  async arm(request: ArmRequest): Promise<void> {
    const ports = await this.requirePorts(request.vm);
    const nb = await this.nb.get();
    await nb.migration.arm({ uid: request.migrationUid, source: request.source, target: request.target, ports });
  }

  async complete(request: CompleteRequest): Promise<void> {
    const ports = await this.requirePorts(request.vm);
    const nb = await this.nb.get();
    await nb.migration.complete({ uid: request.migrationUid, outcome: request.outcome, ports });
  }

  /**
   * Keeps the connections up in the background (readiness reflects NB reachability even with no VM to
   * reconcile): checks every `periodMs`, reconnects with backoff, reports failures to `onError`.
   */
  start(options: { periodMs?: number; onError?: (e: unknown) => void } = {}): void {
    if (this.keeper !== undefined || this.closed) return;
    const backoff = new Backoff({ baseMs: 200, maxMs: 10_000, jitter: 0.2 });
    this.keeper = (async () => {
      while (!this.closed) {
        let delay = options.periodMs ?? 1000;
        try {
          await this.nb.get();
          if (this.sb !== undefined) await this.sb.get().catch((e: unknown) => options.onError?.(e));
          backoff.reset();
        } catch (e) {
          if (this.closed) break;
          options.onError?.(e);
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
    await this.keeper;
    await Promise.all([this.nb.close(), this.sb?.close()]);
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

  /** SB bindings when an SB connection is configured and up (activation is optional information). */
  private async bindings(): Promise<BindingSource | undefined> {
    if (this.sb === undefined) return undefined;
    try {
      return await this.sb.get();
    } catch {
      return undefined;
    }
  }
}
