/** Command-line options of the demo (node:util parseArgs; --help prints the usage). */
import { parseArgs } from "node:util";
import { DEFAULT_OPTIONS, type DriverName, type ScenarioOptions } from "./scenario.js";

export const USAGE = `usage: bash scripts/demo.sh [options]

A KubeVirt-style live migration of a VM's OVN port from hv1 to hv2 on a local OVN sandbox (real ovsdb-server,
ovn-northd, ovn-controller, ovs-vswitchd), with a data-plane probe measuring the interruption.

  --via-migrator         (default) KubeVirt objects through a fake Kubernetes API server; ovnkit-migrator,
                         in-process with @kubernetes/client-node, arms and completes the port
  --direct               the demo calls @ovnkit/ovn-nb's arm/complete itself (no Kubernetes)
  --complete-after-source-release
                         (migrator only) run ovnkit-migrator with --complete-after-source-release: after
                         Succeeded the source NIC is unplugged and its pod deleted, and only then the migrator
                         completes (no OVN 23.03 completion race, see bench/README.md "completion loss")
  --outcome succeeded|failed
                         how the migration ends (default succeeded). failed: aborted at the switch-over after
                         arming; the VM resumes on hv1, VMIM Failed, the port goes back to hv1 alone
  --nics N               the VM's NICs (1-9, default 1): NIC 0 is vm1, then vm1-nic1...; all armed in one
                         transaction and completed together, each with its own probe stream
  --interval-ms N        probe packet interval (default ${DEFAULT_OPTIONS.intervalMs})
  --memory-sync-ms N     time from TargetReady to the source pause (default ${DEFAULT_OPTIONS.memorySyncMs})
  --downtime-ms N        the VM's own pause between source and target (default ${DEFAULT_OPTIONS.downtimeMs})
  --steady-ms N          traffic before the migration (default ${DEFAULT_OPTIONS.steadyMs})
  --tail-ms N            traffic after the move, source NIC still plugged (default ${DEFAULT_OPTIONS.tailMs})
  --dir DIR              run the sandbox in DIR and keep it (logs, pcaps) instead of a removed temp dir
  --json FILE            also write the timeline, analysis and per-packet records as JSON
  -h, --help             this text

Exit status: 0 when the port ends on hv2 alone, nothing reached hv2 before the RARP and the interruption
stayed under 500 ms (failed: the port ends on hv1 alone, nothing ever reached hv2, the network lost nothing);
with several NICs, when that holds for each and they were armed and completed in one transaction each; 1 otherwise; 2 on bad options; 130 on Ctrl-C (the sandbox is stopped in every case).`;

export interface DemoOptions {
  scenario: Partial<ScenarioOptions> & { driver: DriverName };
  json: string | undefined;
  help: boolean;
}

function count(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export function parseDemoArgs(argv: readonly string[], defaultDriver: DriverName): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "direct": { type: "boolean" },
      "via-migrator": { type: "boolean" },
      "complete-after-source-release": { type: "boolean" },
      "outcome": { type: "string" },
      "nics": { type: "string" },
      "interval-ms": { type: "string" },
      "memory-sync-ms": { type: "string" },
      "downtime-ms": { type: "string" },
      "steady-ms": { type: "string" },
      "tail-ms": { type: "string" },
      "dir": { type: "string" },
      "json": { type: "string" },
      "help": { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values["direct"] && values["via-migrator"]) throw new Error("--direct and --via-migrator exclude each other");
  const driver: DriverName = values["direct"] ? "direct" : values["via-migrator"] ? "migrator" : defaultDriver;
  const scenario: DemoOptions["scenario"] = { driver };
  if (values["complete-after-source-release"]) {
    if (driver !== "migrator") throw new Error("--complete-after-source-release is a migrator option (not with --direct)");
    scenario.completeAfterSourceRelease = true;
  }
  const set = <K extends keyof ScenarioOptions>(key: K, v: ScenarioOptions[K] | undefined): void => {
    if (v !== undefined) scenario[key] = v as (typeof scenario)[K];
  };
  const outcome = values["outcome"];
  if (outcome !== undefined && outcome !== "succeeded" && outcome !== "failed") throw new Error(`--outcome must be succeeded or failed, got ${JSON.stringify(outcome)}`);
  set("outcome", outcome);
  const nics = count("nics", values["nics"], 1);
  if (nics !== undefined && (!Number.isInteger(nics) || nics > 9)) throw new Error(`--nics must be an integer from 1 to 9, got ${JSON.stringify(values["nics"])}`);
  set("nics", nics);
  set("intervalMs", count("interval-ms", values["interval-ms"], 1));
  set("memorySyncMs", count("memory-sync-ms", values["memory-sync-ms"], 0));
  set("downtimeMs", count("downtime-ms", values["downtime-ms"], 0));
  set("steadyMs", count("steady-ms", values["steady-ms"], 0));
  set("tailMs", count("tail-ms", values["tail-ms"], 20));
  set("dir", values["dir"]);
  return { scenario, json: values["json"], help: values["help"] ?? false };
}
