/**
 * A live migration of a two-NIC VM from hv1 to hv2 on a local sandbox, printing the SB Port_Binding as it
 * changes: arm (requested-chassis=hv1,hv2 + activation-strategy=rarp, one guarded transaction for both NICs),
 * the RARP the guest sends on hv2 (activation), and complete (requested-chassis=hv2).
 *
 *   pnpm -s exec tsx --conditions=ovnkit-source examples/migrate-port.ts [--outcome succeeded|failed]
 *
 * It starts its own sandbox (it needs to plug the VM's NICs and inject the RARP) and stops it at the end.
 */
import { randomUUID } from "node:crypto";
import { buildRarp } from "@ovnkit/sandbox";
import { NbClient, SbClient, formatBinding, type MigrationOutcome, type PortBindingState } from "@ovnkit/ovn-nb";
import { openTarget } from "./sandbox-target.js";

const outcomeArg = process.argv.indexOf("--outcome");
const outcome = (outcomeArg > 0 ? process.argv[outcomeArg + 1] : "succeeded") as MigrationOutcome;
const NICS = [
  { port: "vm1-eth0", mac: "0a:00:00:00:01:00" },
  { port: "vm1-eth1", mac: "0a:00:00:00:01:01" },
];
const ports = NICS.map((n) => n.port);

const target = await openTarget({ chassis: 2, forceOwn: true });
const sandbox = target.sandbox!;
const nb = await NbClient.connect(target.nbRemote);
const sb = await SbClient.connect(target.sbRemote, { ports });
const t0 = performance.now();
const at = () => `+${(performance.now() - t0).toFixed(1).padStart(7)} ms`;
const log = (line: string) => console.log(`${at()}  ${line}`);
/** Waits until every NIC's binding satisfies `pred`; returns ms from `since` to the moment the last one did. */
const allOf = async (what: string, pred: (b: PortBindingState) => boolean, since = performance.now()): Promise<number> => {
  const times = await Promise.all(ports.map((p) => sb.waitForBinding(p, pred).then(() => performance.now())));
  const ms = Math.max(...times) - since;
  log(`${what} (${ms.toFixed(1)} ms after the request)`);
  return ms;
};
const watch = sb.bindings$.subscribe((b) => log(`SB ${formatBinding(b)}`));

try {
  log("NB: switch ls0 and the VM's two ports, requested on hv1");
  await nb.switches.ensure({ name: "ls0" });
  for (const n of NICS) {
    await nb.switchPorts.ensure("ls0", { name: n.port, addresses: [n.mac], options: { "requested-chassis": "hv1" }, external_ids: { pod: "default/vm1" } });
  }
  log("plugging the NICs on hv1 (the running VM) and on hv2 (the migration target's pod)");
  await Promise.all(NICS.flatMap((n) => [
    sandbox.addVmPort("hv1", { ifaceId: n.port, mac: n.mac, waitInstalled: true }),
    sandbox.addVmPort("hv2", { ifaceId: n.port, mac: n.mac }),
  ]));
  await allOf("both NICs bound on hv1", (b) => b.chassis === "hv1");

  const uid = randomUUID();
  log(`arm migration ${uid}: hv1 -> hv2`);
  const armStart = performance.now();
  const armed = await nb.migration.arm({ uid, source: "hv1", target: "hv2", ports });
  log(`arm committed in ${(performance.now() - armStart).toFixed(1)} ms: ${JSON.stringify(armed)}`);
  const armMs = await allOf("SB: additional_chassis=hv2 on both NICs", (b) => b.additionalChassis.includes("hv2"), armStart);
  log(`re-arm (no write): ${JSON.stringify(await nb.migration.arm({ uid, source: "hv1", target: "hv2", ports }))}`);
  for (const p of ports) log(`inspect ${p}: ${nb.migration.inspect(p, sb).phase}`);

  await nb.global.sync("hv");
  log("the guest resumes on hv2 and QEMU sends a RARP per NIC there");
  const rarpStart = performance.now();
  for (const n of NICS) await sandbox.hv("hv2").appctl("netdev-dummy/receive", n.port, buildRarp({ mac: n.mac }).toString("hex"));
  const rarpMs = await allOf("SB: additional-chassis-activated=hv2 on both NICs", (b) => b.activatedOn.includes("hv2"), rarpStart);
  for (const p of ports) log(`inspect ${p}: ${nb.migration.inspect(p, sb).phase}`);

  log(`complete migration ${uid}: ${outcome}`);
  const completeStart = performance.now();
  const done = await nb.migration.complete({ uid, outcome, ports });
  log(`complete committed: ${JSON.stringify(done.ports)}`);
  const final = outcome === "succeeded" ? "hv2" : "hv1";
  const completeMs = await allOf(`SB: chassis=${final} alone on both NICs`, (b) => b.chassis === final && b.additionalChassis.length === 0, completeStart);
  try {
    await nb.migration.complete({ uid, outcome, ports });
  } catch (e) {
    log(`a second completion is refused: ${(e as { code: string }).code}`);
  }
  await allOf("SB: activation mark cleared by northd", (b) => b.activatedOn.length === 0);
  console.log(`\ntimings: arm -> SB additional_chassis ${armMs.toFixed(1)} ms; RARP -> activated ${rarpMs.toFixed(1)} ms; complete -> chassis=${final} ${completeMs.toFixed(1)} ms`);
} finally {
  watch.unsubscribe();
  await sb.close();
  await nb.close();
  await target.close();
}
