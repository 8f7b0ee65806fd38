#!/usr/bin/env node
/**
 * ovnkit-migrator: the KubeVirt live-migration daemon for OVN.
 *
 *   ovnkit-migrator --nb tcp:10.0.0.1:6641 [--sb tcp:10.0.0.1:6642] [--kubeconfig ~/.kube/config]
 *                   [--leader-elect] [--namespace vms] [--metrics-addr :8080] [--log-level info]
 *                   [--complete-after-source-release [--source-release-grace-seconds 30]]
 *
 * Exit codes: 0 after SIGTERM/SIGINT, 1 when leadership is lost or the daemon fails, 2 for a bad option.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { validateConfig, type RawOptions } from "./config.js";
import { MigratorDaemon } from "./daemon.js";
import { MigratorError, isMigratorError } from "./errors.js";
import { LOG_LEVELS } from "./observability/logger.js";

/** The raw options, or "help" when --help/--version was printed. */
export async function parseArgs(argv: readonly string[]): Promise<RawOptions | "help"> {
  let printed = false;
  let failure: Error | undefined;
  const args = await yargs(argv)
    .scriptName("ovnkit-migrator")
    .usage("$0 [options]\n\nWatches virt-launcher pods, VirtualMachineInstances and VirtualMachineInstanceMigrations and drives OVN multichassis port bindings for KubeVirt live migration.")
    .option("kubeconfig", { type: "string", describe: "kubeconfig path (default: in-cluster, else $KUBECONFIG or ~/.kube/config)" })
    .option("nb", { type: "string", array: true, demandOption: true, describe: "OVN Northbound OVSDB remote(s), e.g. tcp:10.0.0.1:6641,tcp:10.0.0.2:6641" })
    .option("sb", { type: "string", array: true, describe: "OVN Southbound OVSDB remote(s) (optional: detects RARP activation)" })
    .option("leader-elect", { type: "boolean", default: true, describe: "elect a leader on a coordination.k8s.io Lease (run 2+ replicas)" })
    .option("lease-namespace", { type: "string", describe: "namespace of the Lease (default: $POD_NAMESPACE, else --namespace, else default)" })
    .option("lease-name", { type: "string", default: "ovnkit-migrator" })
    .option("identity", { type: "string", describe: "leader election identity (default: $POD_NAME or hostname + random suffix)" })
    .option("namespace", { type: "string", describe: "watch only this namespace (default: all)" })
    .option("metrics-addr", { type: "string", default: ":8080", describe: "host:port for /healthz, /readyz and /metrics" })
    .option("log-level", { type: "string", choices: LOG_LEVELS as unknown as string[], default: "info" })
    .option("workers", { type: "number", default: 4, describe: "concurrent reconciles (different VMs)" })
    .option("vm-port-key", { type: "string", default: "pod", describe: 'external_ids key whose value "<namespace>/<vm>" marks a VM\'s NIC ports' })
    .option("resync-seconds", { type: "number", default: 300, describe: "re-check every VM this often (0: never)" })
    .option("ovsdb-probe-interval-ms", { type: "number", default: 5000, describe: "NB/SB inactivity probe: echo after this much silence, reconnect if unanswered as long again (0: off)" })
    .option("complete-after-source-release", { type: "boolean", default: false, describe: "complete a Succeeded migration only once the source virt-launcher pod is gone (its NIC unplugged), avoiding OVN 23.03's completion race; failed/aborted ones complete at once" })
    .option("source-release-grace-seconds", { type: "number", default: 30, describe: "with --complete-after-source-release: complete anyway this long after the first wait for the source pod" })
    .strict()
    .exitProcess(false)
    .help()
    .version(false)
    .parseAsync(argv, {}, (err: Error | undefined, _argv, output: string) => {
      if (err) failure = err;
      else if (output !== "") {
        printed = true;
        process.stdout.write(output + "\n");
      }
    });
  if (failure !== undefined) throw new MigratorError("CONFIG_INVALID", failure.message, { cause: failure });
  if (printed) return "help";
  return {
    kubeconfig: args.kubeconfig,
    nb: args.nb,
    sb: args.sb,
    leaderElect: args["leader-elect"],
    leaseNamespace: args["lease-namespace"],
    leaseName: args["lease-name"],
    identity: args.identity,
    namespace: args.namespace,
    metricsAddr: args["metrics-addr"],
    logLevel: args["log-level"],
    workers: args.workers,
    vmPortKey: args["vm-port-key"],
    resyncSeconds: args["resync-seconds"],
    ovsdbProbeIntervalMs: args["ovsdb-probe-interval-ms"],
    completeAfterSourceRelease: args["complete-after-source-release"],
    sourceReleaseGraceSeconds: args["source-release-grace-seconds"],
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let daemon: MigratorDaemon;
  try {
    const raw = await parseArgs(argv);
    if (raw === "help") return 0;
    const config = validateConfig(raw);
    daemon = await MigratorDaemon.start(config);
  } catch (e) {
    process.stderr.write(`ovnkit-migrator: ${(e as Error).message}\n`);
    return isMigratorError(e, "CONFIG_INVALID") ? 2 : 1;
  }
  const onSignal = () => void daemon.stop();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  const end = await daemon.done;
  if (end.reason === "lost-leadership") await daemon.stop();
  return end.reason === "stopped" ? 0 : 1;
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  main(hideBin(process.argv)).then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`ovnkit-migrator: ${String(e)}\n`);
    process.exit(1);
  });
}
