/**
 * Watches Logical_Switch_Ports live: NB row events (insert / modify with the changed columns / delete) from the
 * client's replica, and where each port is bound from the SB. Against a running sandbox (OVN_NB_DB/OVN_SB_DB
 * set) it watches until Ctrl-C or --seconds N; with no sandbox it starts one and drives a short scenario
 * (create ports, bind them, arm and complete a migration, delete one) so there is something to see.
 *
 *   pnpm -s exec tsx --conditions=ovnkit-source examples/watch-ports.ts [--seconds N]
 */
import { NbClient, SbClient, formatBinding, nb, sameValue } from "@ovnkit/ovn-nb";
import { openTarget } from "./sandbox-target.js";

const secondsArg = process.argv.indexOf("--seconds");
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : undefined;

const target = await openTarget();
const client = await NbClient.connect(target.nbRemote);
const sb = await SbClient.connect(target.sbRemote);
const t0 = performance.now();
const log = (line: string) => console.log(`+${(performance.now() - t0).toFixed(1).padStart(7)} ms  ${line}`);
const show = (v: unknown): string =>
  v instanceof Map ? `{${[...v].map(([k, x]) => `${k}=${x}`).join(", ")}}` : Array.isArray(v) ? `[${v.join(", ")}]` : String(v);

const nbEvents = client.monitor.changesOf("Logical_Switch_Port").subscribe((e) => {
  if (e.kind === "initial") return log(`NB port ${e.new.name} (existing)`);
  if (e.kind === "insert") return log(`NB port ${e.new.name} created: addresses=${show(e.new.addresses)} options=${show(e.new.options)}`);
  if (e.kind === "delete") return log(`NB port ${e.old.name} deleted`);
  const changed = nb.LogicalSwitchPort.columns.filter((c) => !sameValue((e.old as unknown as Record<string, unknown>)[c], (e.new as unknown as Record<string, unknown>)[c]));
  log(`NB port ${e.new.name} modified: ${changed.map((c) => `${c}=${show((e.new as unknown as Record<string, unknown>)[c])}`).join(" ")}`);
});
for (const p of client.switchPorts.list()) log(`NB port ${p.name} (existing)`);
const sbEvents = sb.bindings$.subscribe((b) => log(`SB ${formatBinding(b)}`));

async function scenario(): Promise<void> {
  const sandbox = target.sandbox!;
  await client.switches.ensure({ name: "ls0" });
  await client.switchPorts.create("ls0", { name: "vm1", addresses: ["0a:00:00:00:00:01 10.0.0.11"], options: { "requested-chassis": "hv1" } });
  await client.switchPorts.create("ls0", { name: "vm2", addresses: ["0a:00:00:00:00:02 10.0.0.12"] });
  await sandbox.addVmPort("hv1", { ifaceId: "vm1", waitInstalled: true });
  await sandbox.addVmPort("hv2", { ifaceId: "vm1" });
  await sandbox.addVmPort("hv2", { ifaceId: "vm2", waitInstalled: true });
  await client.switchPorts.setExternalIds("vm2", { pod: "default/vm2" });
  await client.migration.arm({ uid: "demo-migration", source: "hv1", target: "hv2", ports: ["vm1"] });
  await sb.waitForBinding("vm1", (b) => b.additionalChassis.includes("hv2"));
  await client.migration.complete({ uid: "demo-migration", outcome: "succeeded", ports: ["vm1"] });
  await sb.waitForBinding("vm1", (b) => b.chassis === "hv2" && b.additionalChassis.length === 0 && b.up === true);
  await client.switchPorts.delete("vm2");
  await client.barrier();
}

try {
  if (target.sandbox !== undefined && seconds === undefined) {
    await scenario();
  } else {
    log(seconds === undefined ? "watching; Ctrl-C to stop" : `watching for ${seconds} s`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      if (seconds !== undefined) setTimeout(resolve, seconds * 1000);
    });
  }
} finally {
  nbEvents.unsubscribe();
  sbEvents.unsubscribe();
  await sb.close();
  await client.close();
  await target.close();
}
