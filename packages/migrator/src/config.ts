/**
 * The daemon's configuration: raw options (from the command line) validated into a MigratorConfig.
 * Every problem is a MigratorError CONFIG_INVALID naming the option (details.option).
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { parseRemotes } from "@ovnkit/ovsdb";
import { configInvalid } from "./errors.js";
import { LOG_LEVELS, type LogLevel } from "./observability/logger.js";
import { parseHostPort } from "./observability/http-server.js";

export interface RawOptions {
  kubeconfig?: string | undefined;
  nb?: string | readonly string[] | undefined;
  sb?: string | readonly string[] | undefined;
  leaderElect?: boolean | undefined;
  leaseNamespace?: string | undefined;
  leaseName?: string | undefined;
  identity?: string | undefined;
  namespace?: string | undefined;
  metricsAddr?: string | undefined;
  logLevel?: string | undefined;
  workers?: number | undefined;
  vmPortKey?: string | undefined;
  resyncSeconds?: number | undefined;
  ovsdbProbeIntervalMs?: number | undefined;
  completeAfterSourceRelease?: boolean | undefined;
  sourceReleaseGraceSeconds?: number | undefined;
}

export interface MigratorConfig {
  /** Path of a kubeconfig; undefined: in-cluster config, else $KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  /** OVSDB remotes of the Northbound database (tried in turn). */
  readonly nb: readonly string[];
  /** OVSDB remotes of the Southbound database (optional: tells "activated" from "armed"). */
  readonly sb: readonly string[] | undefined;
  readonly leaderElect: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  /** Watch one namespace only (undefined: all). */
  readonly namespace: string | undefined;
  /** host:port of /healthz /readyz /metrics. */
  readonly metricsAddr: string;
  readonly logLevel: LogLevel;
  readonly workers: number;
  readonly vmPortKey: string;
  readonly resyncSeconds: number;
  /**
   * Inactivity probe of the NB/SB sessions (ms): after this much silence an echo is sent, and the connection is
   * dropped and re-established when nothing answers within as long again (0: no probe). Default 5000.
   */
  readonly ovsdbProbeIntervalMs: number;
  /**
   * Opt-in (default false): complete a Succeeded migration only once the source virt-launcher pod is gone (its
   * NIC unplugged, so the source chassis released the port alone), avoiding OVN 23.03's lost-update race at
   * the completion; at the latest after sourceReleaseGraceSeconds. Failed/aborted migrations complete at once.
   */
  readonly completeAfterSourceRelease: boolean;
  /** The fallback of completeAfterSourceRelease (s): complete anyway this long after the first wait. Default 30. */
  readonly sourceReleaseGraceSeconds: number;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function list(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return (typeof v === "string" ? [v] : [...v]).flatMap((s) => s.split(/\s+/)).filter((s) => s !== "");
}

function remotes(option: string, v: string | readonly string[] | undefined, required: boolean): string[] | undefined {
  const items = list(v);
  if (items.length === 0) {
    if (required) throw configInvalid(option, "at least one OVSDB remote is required (e.g. tcp:10.0.0.1:6641 or unix:/run/ovn/ovnnb_db.sock)");
    return undefined;
  }
  try {
    return parseRemotes(items).map((r) => r.text);
  } catch (e) {
    throw configInvalid(option, (e as Error).message);
  }
}

function positiveInt(option: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) throw configInvalid(option, `must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

export function validateConfig(raw: RawOptions, env: NodeJS.ProcessEnv = process.env): MigratorConfig {
  const nb = remotes("nb", raw.nb, true)!;
  const sb = remotes("sb", raw.sb, false);
  const namespace = raw.namespace === undefined || raw.namespace === "" ? undefined : raw.namespace;
  if (namespace !== undefined && !DNS1123_LABEL.test(namespace)) throw configInvalid("namespace", `${JSON.stringify(namespace)} is not a valid namespace name`);
  const leaseNamespace = raw.leaseNamespace || env.POD_NAMESPACE || namespace || "default";
  if (!DNS1123_LABEL.test(leaseNamespace)) throw configInvalid("lease-namespace", `${JSON.stringify(leaseNamespace)} is not a valid namespace name`);
  const leaseName = raw.leaseName ?? "ovnkit-migrator";
  if (!DNS1123_SUBDOMAIN.test(leaseName) || leaseName.length > 253) throw configInvalid("lease-name", `${JSON.stringify(leaseName)} is not a valid object name`);
  const identity = raw.identity || `${env.POD_NAME || hostname()}_${randomBytes(4).toString("hex")}`;
  const metricsAddr = raw.metricsAddr ?? ":8080";
  try {
    parseHostPort(metricsAddr);
  } catch (e) {
    throw configInvalid("metrics-addr", (e as Error).message);
  }
  const logLevel = raw.logLevel ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw configInvalid("log-level", `must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`);
  const vmPortKey = raw.vmPortKey ?? "pod";
  if (vmPortKey === "") throw configInvalid("vm-port-key", "must not be empty");
  return {
    kubeconfig: raw.kubeconfig || undefined,
    nb,
    sb,
    leaderElect: raw.leaderElect ?? true,
    leaseNamespace,
    leaseName,
    identity,
    namespace,
    metricsAddr,
    logLevel: logLevel as LogLevel,
    workers: positiveInt("workers", raw.workers, 4, 1),
    vmPortKey,
    resyncSeconds: positiveInt("resync-seconds", raw.resyncSeconds, 300, 0),
    ovsdbProbeIntervalMs: positiveInt("ovsdb-probe-interval-ms", raw.ovsdbProbeIntervalMs, 5000, 0),
    completeAfterSourceRelease: raw.completeAfterSourceRelease ?? false,
    sourceReleaseGraceSeconds: positiveInt("source-release-grace-seconds", raw.sourceReleaseGraceSeconds, 30, 0),
  };
}
