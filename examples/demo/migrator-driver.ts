/**
 * The migrator driver: the real ovnkit-migrator daemon, in-process, watching a fake Kubernetes API server
 * (test/fake-kube) through @kubernetes/client-node, with its own NB/SB connections to the sandbox. The demo
 * plays KubeVirt by writing the objects through the API (kubevirt-api.ts); the migrator arms the VM's ports
 * (every NIC: the ports marked external_ids:pod=<namespace>/<vm>) when the target pod is bound to a node and
 * completes them when the migration succeeded (or failed: back to the source). The driver sees those
 * writes in its own NB replica and marks them on the timeline with the kube write -> NB write latency.
 */
import * as k8s from "@kubernetes/client-node";
import { MigratorDaemon, MigratorMetrics, validateConfig } from "@ovnkit/migrator";
import { memoryLogger } from "@ovnkit/migrator/internal";
import { waitForState, type NbClient, type PortMigrationState } from "@ovnkit/ovn-nb";
import { FakeKubeApiServer } from "../../test/fake-kube/index.js";
import { wallNow, type Timeline } from "./clock.js";
import type { KubevirtStep, MigrationDriver } from "./driver.js";
import { KubevirtApi, type VmSpec } from "./kubevirt-api.js";

export interface MigratorDriverOptions {
  /** The demo's own NB client (its replica shows the migrator's writes). */
  nb: NbClient;
  nbRemote: string;
  sbRemote: string;
  timeline: Timeline;
  vm: VmSpec;
  /** The VM's logical switch ports, one per NIC (each marked external_ids:pod=<namespace>/<name>). */
  ports: readonly string[];
  target: string;
  /**
   * Run the migrator with --complete-after-source-release: "succeeded" only writes the KubeVirt objects, and
   * the completion is awaited at "source-pod-deleted".
   */
  completeAfterSourceRelease?: boolean;
}

export class MigratorDriver implements MigrationDriver {
  readonly name = "migrator";
  readonly description: string;
  private readonly measured: { label: string; ms: number }[] = [];

  private constructor(
    private readonly o: MigratorDriverOptions,
    private readonly server: FakeKubeApiServer,
    private readonly daemon: MigratorDaemon,
    private readonly api: KubevirtApi,
    private readonly logs: Record<string, unknown>[],
    readonly startMs: number,
  ) {
    this.description = `KubeVirt objects through a fake Kubernetes API server (${server.url}); ovnkit-migrator (in-process, `
      + `@kubernetes/client-node, leader-elected) arms and completes the port (API server, VM objects, migrator leading: ${Math.round(startMs)} ms)`;
  }

  /** Starts the fake API server, creates the running VM there, starts the migrator and waits until it leads. */
  static async start(o: MigratorDriverOptions): Promise<MigratorDriver> {
    const t0 = wallNow();
    const server = await FakeKubeApiServer.start();
    let daemon: MigratorDaemon | undefined;
    try {
      const kubeConfig = new k8s.KubeConfig();
      kubeConfig.loadFromString(server.kubeconfig());
      const api = new KubevirtApi(kubeConfig, o.vm);
      await api.createRunningVm();
      const { log, lines } = memoryLogger("info");
      const config = validateConfig({
        nb: o.nbRemote, sb: o.sbRemote, leaderElect: true, leaseNamespace: "kube-system", identity: "ovnkit-migrator-demo",
        metricsAddr: "127.0.0.1:0", logLevel: "info", workers: 2, completeAfterSourceRelease: o.completeAfterSourceRelease ?? false,
      });
      daemon = await MigratorDaemon.start(config, { kubeConfig, log, metrics: new MigratorMetrics() });
      const d = daemon;
      await until(() => d.controller.isRunning, "the migrator to lead and sync its informers", 10_000);
      return new MigratorDriver(o, server, daemon, api, lines, wallNow() - t0);
    } catch (e) {
      await daemon?.stop().catch(() => undefined);
      await server.stop();
      throw e;
    }
  }

  async step(step: KubevirtStep): Promise<void> {
    const { api, o } = this;
    switch (step) {
      case "migration-created":
        return api.createMigration();
      case "target-pod-created":
        return api.createTargetPod();
      case "target-scheduled": {
        // watching starts before the write: the migrator may act before the API's reply reaches us
        const armed = this.waitPorts("the migrator to arm the ports", (p) => p.owner?.uid === api.migrationUid && p.consistent);
        await api.scheduleTarget(o.target);
        const written = wallNow();
        const { state: s, at } = await armed;
        this.o.timeline.mark("ovnkit", "arm",
          `ovnkit-migrator ARMED: requested-chassis="${s.requestedChassis.join(",")}", activation-strategy=${s.activationStrategy ?? "-"}, owner = VMIM uid ${api.migrationUid.slice(0, 8)}`, at);
        this.measured.push({ label: "kube write (target pod spec.nodeName) -> NB armed by the migrator", ms: at - written });
        return;
      }
      case "target-pod-running":
        await api.targetPodRunning();
        return api.setPhase("Scheduled");
      case "preparing-target":
        await api.setPhase("PreparingTarget");
        return api.recordMigrationOnVmi();
      case "target-ready":
        return api.setPhase("TargetReady");
      case "running":
        return api.setPhase("Running");
      case "target-domain-ready":
        return api.targetDomainReady();
      case "succeeded": {
        if (o.completeAfterSourceRelease) {
          // the migrator must hold the completion while the source pod runs: nothing to wait for here
          await api.completeOnVmi();
          return api.vmimSucceeded();
        }
        const completed = this.waitPorts("the migrator to complete the ports", (p) => p.owner === undefined && p.phase === "idle" && p.requestedChassis.join(",") === o.target);
        await api.completeOnVmi();
        const written = wallNow();
        await api.vmimSucceeded();
        const { state: s, at } = await completed;
        this.o.timeline.mark("ovnkit", "complete",
          `ovnkit-migrator COMPLETED: requested-chassis=${s.requestedChassis.join(",")}, activation-strategy and owner removed`, at);
        this.measured.push({ label: "kube write (VMI migrationState.completed) -> NB completed by the migrator", ms: at - written });
        return;
      }
      case "source-pod-deleted": {
        if (!o.completeAfterSourceRelease) return api.deleteSourcePod();
        const uid = api.migrationUid;
        const held = o.ports.map((p) => o.nb.migration.inspect(p)).every((p) => p.owner?.uid === uid);
        if (!held) throw new Error(`the migrator completed migration ${uid} before the source pod was gone`);
        const completed = this.waitPorts("the migrator to complete the ports once the source pod is gone", (p) => p.owner === undefined && p.phase === "idle" && p.requestedChassis.join(",") === o.target);
        // deleteSourcePod writes twice (phase Succeeded, then the deletion): the first write may already
        // trigger the completion, so the latency counts from before both
        const written = wallNow();
        await api.deleteSourcePod();
        const { state: s, at } = await completed;
        this.o.timeline.mark("ovnkit", "complete",
          `ovnkit-migrator COMPLETED (source pod gone): requested-chassis=${s.requestedChassis.join(",")}, activation-strategy and owner removed`, at);
        this.measured.push({ label: "kube write (source pod terminated, deleted) -> NB completed by the migrator", ms: at - written });
        return;
      }
      case "failed": {
        const source = o.vm.node;
        const completed = this.waitPorts("the migrator to complete the ports as failed", (p) => p.owner === undefined && p.phase === "idle" && p.requestedChassis.join(",") === source);
        await api.failOnVmi();
        const written = wallNow();
        await api.vmimFailed();
        const { state: s, at } = await completed;
        this.o.timeline.mark("ovnkit", "complete",
          `ovnkit-migrator COMPLETED (failed): requested-chassis=${s.requestedChassis.join(",")} (back to the source), activation-strategy and owner removed`, at);
        this.measured.push({ label: "kube write (VMI migrationState.failed) -> NB completed (failed) by the migrator", ms: at - written });
        return;
      }
      case "target-pod-deleted":
        return api.deleteTargetPod();
    }
  }

  latencies(): { label: string; ms: number }[] {
    return [...this.measured];
  }

  async summary(): Promise<string[]> {
    const out: string[] = [];
    for (const e of await this.api.vmiEvents()) out.push(`Event on VMI ${this.o.vm.name}: ${e.type} ${e.reason} (${e.reportingController}): ${e.note}`);
    const problems = this.logs.filter((l) => typeof l["level"] === "number" && (l["level"] as number) >= 40);
    out.push(`migrator log: ${this.logs.length} lines, ${problems.length} warnings/errors`);
    for (const l of problems) out.push(`  ${String(l["msg"] ?? "")} ${JSON.stringify({ ...l, msg: undefined, time: undefined, pid: undefined, hostname: undefined, level: undefined })}`);
    return out;
  }

  async close(): Promise<void> {
    try {
      await this.daemon.stop();
    } finally {
      await this.server.stop();
    }
  }

  /**
   * Resolves with the first port's state and the moment the NB replica applied the update that made `ok` true
   * for every port.
   */
  private waitPorts(what: string, ok: (s: PortMigrationState) => boolean): Promise<{ state: PortMigrationState; at: number }> {
    const nb = this.o.nb;
    return waitForState(nb.monitor, what, () => {
      const states = this.o.ports.map((p) => nb.migration.inspect(p));
      return states.every(ok) ? { state: states[0]!, at: wallNow() } : undefined;
    }, { timeoutMs: 10_000 });
  }
}

async function until(ok: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
