/**
 * Builds a small topology with @ovnkit/ovn-nb, idempotently (run it twice: the second run writes nothing):
 * a switch with two VM ports, a router linked to it with SNAT and a default route, a port group with an ACL.
 *
 *   pnpm -s exec tsx --conditions=ovnkit-source examples/create-switch.ts
 */
import { run } from "@ovnkit/sandbox";
import { NbClient } from "@ovnkit/ovn-nb";
import { openTarget } from "./sandbox-target.js";

const target = await openTarget();
const nb = await NbClient.connect(target.nbRemote);
try {
  const ls = await nb.switches.ensure({ name: "demo", other_config: { subnet: "10.0.0.0/24" }, external_ids: { owner: "example" } });
  for (const [i, name] of ["web1", "web2"].entries()) {
    const mac = `0a:00:00:00:00:0${i + 1}`;
    await nb.switchPorts.ensure(ls, {
      name,
      addresses: [`${mac} 10.0.0.${11 + i}`],
      port_security: [`${mac} 10.0.0.${11 + i}`],
      external_ids: { pod: `default/${name}` },
    });
  }
  await nb.routers.ensure({ name: "demo-gw" });
  if (nb.routerPorts.get("demo-gw-demo") === undefined) {
    await nb.routerPorts.linkSwitch("demo-gw", "demo", {
      routerPort: { name: "demo-gw-demo", mac: "0a:00:00:00:00:fe", networks: ["10.0.0.1/24"] },
      switchPort: "demo-to-gw",
    });
  }
  await nb.staticRoutes.add("demo-gw", { ip_prefix: "0.0.0.0/0", nexthop: "172.16.0.254" }, { mayExist: true });
  await nb.nat.add("demo-gw", { type: "snat", external_ip: "172.16.0.10", logical_ip: "10.0.0.0/24" }, { mayExist: true });
  await nb.portGroups.ensure({ name: "pg_web", ports: ["web1", "web2"] });
  await nb.acls.add({ portGroup: "pg_web" }, { direction: "to-lport", priority: 1001, match: "outport == @pg_web && tcp.dst == 80", action: "allow-related" }, { mayExist: true });

  // reads come from the replica
  console.log(`switch ${ls.name} (${ls._uuid}) ports: ${nb.switchPorts.listOf("demo").map((p) => `${p.name}=[${p.addresses.join(" ")}]`).join(", ")}`);
  console.log(`ports of pod default/web1: ${nb.switchPorts.byExternalId("pod", "default/web1").map((p) => p.name).join(", ")}`);
  console.log(`router demo-gw routes: ${nb.staticRoutes.list("demo-gw").map((r) => `${r.ip_prefix} via ${r.nexthop}`).join(", ")}`);
  console.log(`port group pg_web: ${nb.portGroups.portNames("pg_web").join(", ")}; ACLs: ${nb.acls.list({ portGroup: "pg_web" }).map((a) => `${a.direction} ${a.priority} ${a.match} ${a.action}`).join("; ")}`);
  // and ovn-nbctl, an independent reader, sees the same
  console.log((await run("ovn-nbctl", [`--db=${target.nbRemote}`, "show"])).stdout);
} finally {
  await nb.close();
  await target.close();
}
