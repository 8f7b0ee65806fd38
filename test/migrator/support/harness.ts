/** Starts a MigratorDaemon (real client-node) against the fake API server, with a given backend. */
import * as k8s from "@kubernetes/client-node";
import { MigratorDaemon, validateConfig, type DaemonBackend, type EventSink } from "@ovnkit/migrator";
import { memoryLogger } from "@ovnkit/migrator/internal";
import type { FakeKubeApiServer } from "../../fake-kube/index.js";

export interface DaemonHandle {
  daemon: MigratorDaemon;
  logs: Record<string, unknown>[];
}

export async function startDaemon(
  server: FakeKubeApiServer,
  backend: DaemonBackend,
  opts: { leaderElect?: boolean; identity?: string; events?: EventSink; orphanGraceMs?: number; resyncSeconds?: number } = {},
): Promise<DaemonHandle> {
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(server.kubeconfig());
  const { log, lines } = memoryLogger("debug");
  const config = validateConfig({
    nb: "tcp:127.0.0.1:6641", // unused: the backend is given
    leaderElect: opts.leaderElect ?? false,
    leaseNamespace: "kube-system",
    identity: opts.identity ?? "migrator-test",
    metricsAddr: "127.0.0.1:0",
    logLevel: "debug",
    workers: 2,
    resyncSeconds: opts.resyncSeconds ?? 0,
  });
  const daemon = await MigratorDaemon.start(config, {
    kubeConfig, backend, log,
    ...(opts.events ? { events: opts.events } : {}),
    tuning: {
      informer: { restartBackoff: { baseMs: 10, maxMs: 100 }, watchIdleTimeoutMs: 2000 },
      leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100,
      orphanGraceMs: opts.orphanGraceMs ?? 200, noPortsRetryMs: 50, backoff: { baseMs: 10, maxMs: 200 },
    },
  });
  return { daemon, logs: lines };
}
