/**
 * Live-migration operations on a real OVN sandbox (NB, SB, ovn-northd, chassis hv1 and hv2 with the dummy
 * datapath). VM "vm1" has two NICs, each plugged on hv1 (bound) and on hv2 (the migration target's port).
 * The steps run in order on one sandbox: arm -> SB multichassis binding; guards refuse other migrations, stale
 * completions and concurrent writers; a RARP on hv2 activates; complete -> bound on hv2 alone. NB state is
 * read back with ovn-nbctl (an independent reader) as well as through the client's replica.
 */
import { expect } from "chai";
import { buildRarp, startSandbox, type Sandbox } from "@ovnkit/sandbox";
import {
  MIGRATION_KEYS, NbClient, SbClient, isOvnNbError, type OvnNbError, type PortBindingState,
} from "@ovnkit/ovn-nb";
import { rejection } from "./support.js";

const NICS = [
  { lsp: "vm1-eth0", mac: "0a:00:00:00:01:00" },
  { lsp: "vm1-eth1", mac: "0a:00:00:00:01:01" },
];
const VM2 = { lsp: "vm2-eth0", mac: "0a:00:00:00:02:00" };
const PORTS = NICS.map((n) => n.lsp);

describe("ovn-nb migration on a real OVN sandbox (2 chassis)", function () {
  let sbx: Sandbox;
  let nb: NbClient;
  let sb: SbClient;
  const timings: Record<string, number> = {};

  /** A NB option / external_ids value as ovn-nbctl reads it (undefined when the key is absent). */
  async function nbctlKey(port: string, column: "options" | "external_ids", key: string): Promise<string | undefined> {
    const out = (await sbx.nbctl("--if-exists", "get", "Logical_Switch_Port", port, `${column}:"${key}"`)).trim();
    return out === "" ? undefined : out.replace(/^"(.*)"$/, "$1");
  }

  /** Resolves when every port's binding satisfies `predicate`; returns ms from `t0` to the last one. */
  async function bindingsAt(ports: readonly string[], t0: number, predicate: (b: PortBindingState) => boolean): Promise<number> {
    const times = await Promise.all(ports.map((p) => sb.waitForBinding(p, predicate).then(() => performance.now())));
    return Math.max(...times) - t0;
  }

  before(async function () {
    sbx = await startSandbox({ chassis: 2 });
    nb = await NbClient.connect(sbx.nbRemote);
    sb = await SbClient.connect(sbx.sbRemote);
    await nb.switches.create({ name: "ls0" });
    for (const n of [...NICS, VM2]) {
      await nb.switchPorts.create("ls0", {
        name: n.lsp,
        addresses: [n.mac],
        options: { "requested-chassis": "hv1", "ovnkit-test": "keep" },
        external_ids: { pod: "ns/vm" },
      });
    }
    await Promise.all([...NICS, VM2].flatMap((n) => [
      sbx.addVmPort("hv1", { ifaceId: n.lsp, mac: n.mac, waitInstalled: true }),
      sbx.addVmPort("hv2", { ifaceId: n.lsp, mac: n.mac }),
    ]));
    await bindingsAt([...PORTS, VM2.lsp], performance.now(), (b) => b.chassis === "hv1");
  });

  after(async () => {
    await nb?.close();
    await sb?.close();
    await sbx?.stop({ removeDir: true });
    if (Object.keys(timings).length > 0) console.log(`      timings (ms): ${JSON.stringify(timings)}`);
  });

  it("arm: every NIC in one transaction; SB binds each on hv1 with hv2 as additional chassis", async () => {
    const t0 = performance.now();
    const r = await nb.migration.arm({ uid: "m1", source: "hv1", target: "hv2", ports: PORTS });
    expect(r).to.deep.equal({ changed: true, written: PORTS });
    timings.armToAdditionalChassis = await bindingsAt(PORTS, t0, (b) => b.additionalChassis.includes("hv2"));
    for (const p of PORTS) {
      expect(sb.binding(p)).to.deep.include({ chassis: "hv1", requestedChassis: "hv1" });
      expect(sb.binding(p)!.requestedAdditionalChassis).to.deep.equal(["hv2"]);
      expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv1,hv2");
      expect(await nbctlKey(p, "options", "activation-strategy")).to.equal("rarp");
      expect(await nbctlKey(p, "options", "ovnkit-test")).to.equal("keep");
      expect(await nbctlKey(p, "external_ids", MIGRATION_KEYS.uid)).to.equal("m1");
      expect(await nbctlKey(p, "external_ids", MIGRATION_KEYS.source)).to.equal("hv1");
      expect(await nbctlKey(p, "external_ids", MIGRATION_KEYS.target)).to.equal("hv2");
      expect(await nbctlKey(p, "external_ids", "pod")).to.equal("ns/vm");
      expect(nb.migration.inspect(p, sb)).to.deep.include({ phase: "armed", consistent: true });
    }
    expect(nb.migration.portsOf("m1").map((s) => s.port)).to.deep.equal(PORTS);
  });

  it("re-arming the same migration sends no transaction", async () => {
    const conn = nb.ovsdb as unknown as { transact: (...args: unknown[]) => Promise<unknown> };
    const transact = conn.transact;
    let calls = 0;
    conn.transact = function (this: unknown, ...args: unknown[]) {
      calls++;
      return transact.apply(this, args);
    };
    try {
      expect(await nb.migration.arm({ uid: "m1", source: "hv1", target: "hv2", ports: PORTS })).to.deep.equal({ changed: false, written: [] });
      expect(calls).to.equal(0);
      // the spy does count a write
      await nb.switchPorts.setExternalIds(PORTS[0]!, { spy: "1" });
      expect(calls).to.equal(1);
      await nb.switchPorts.removeExternalIds(PORTS[0]!, ["spy"]);
    } finally {
      conn.transact = transact;
    }
  });

  it("another migration cannot take armed ports (MIGRATION_CONFLICT, nothing changes)", async () => {
    const e = await rejection(nb.migration.arm({ uid: "m2", source: "hv2", target: "hv1", ports: PORTS }));
    expect(isOvnNbError(e, "MIGRATION_CONFLICT")).to.equal(true);
    expect(e.details).to.deep.include({ reason: "armed-by-other", owner: "m1", uid: "m2" });
    for (const p of PORTS) {
      expect(await nbctlKey(p, "external_ids", MIGRATION_KEYS.uid)).to.equal("m1");
      expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv1,hv2");
    }
  });

  it("a stale completion (another uid) is refused with STALE_MIGRATION and changes nothing", async () => {
    const e = await rejection(nb.migration.complete({ uid: "m0", outcome: "succeeded", ports: PORTS }));
    expect(isOvnNbError(e, "STALE_MIGRATION")).to.equal(true);
    expect(e.details).to.deep.include({ uid: "m0", owner: "m1" });
    for (const p of PORTS) expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv1,hv2");
  });

  it("a concurrent writer between read and write aborts the whole complete; its key survives", async () => {
    const plan = nb.migration.planComplete({ uid: "m1", outcome: "succeeded", ports: PORTS });
    await sbx.nbctl("set", "Logical_Switch_Port", "vm1-eth1", "external_ids:other-controller=touched");
    const e = await rejection(nb.run(plan));
    expect(isOvnNbError(e, "MIGRATION_CONFLICT")).to.equal(true);
    expect(e.details).to.deep.include({ port: "vm1-eth1", reason: "concurrent-change" });
    for (const p of PORTS) {
      expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv1,hv2");
      expect(await nbctlKey(p, "external_ids", MIGRATION_KEYS.uid)).to.equal("m1");
    }
    expect(await nbctlKey("vm1-eth1", "external_ids", "other-controller")).to.equal("touched");
    // the replica has caught up: a re-read plan goes through the guard
    expect(nb.switchPorts.get("vm1-eth1")!.external_ids.get("other-controller")).to.equal("touched");
  });

  it("a RARP on hv2's port activates the target (SB additional-chassis-activated=hv2)", async () => {
    await nb.global.sync("hv"); // hv2's RARP flows are installed
    for (const [i, n] of NICS.entries()) {
      const t0 = performance.now();
      await sbx.hv("hv2").appctl("netdev-dummy/receive", n.lsp, buildRarp({ mac: n.mac }).toString("hex"));
      const ms = await bindingsAt([n.lsp], t0, (b) => b.activatedOn.includes("hv2"));
      if (i === 0) {
        timings.rarpToActivated = ms;
        expect(nb.migration.inspect(NICS[1]!.lsp, sb).phase).to.equal("armed");
      }
      expect(nb.migration.inspect(n.lsp, sb)).to.deep.include({ phase: "activated" });
      expect(sb.binding(n.lsp)).to.deep.include({ chassis: "hv1" });
    }
  });

  it("complete succeeded: each NIC bound on hv2 alone; strategy and record gone, other keys kept", async () => {
    const t0 = performance.now();
    const r = await nb.migration.complete({ uid: "m1", outcome: "succeeded", ports: PORTS });
    expect(r).to.deep.equal({ outcome: "succeeded", ports: PORTS.map((port) => ({ port, chassis: "hv2" })) });
    timings.completeToChassisDst = await bindingsAt(PORTS, t0, (b) => b.chassis === "hv2" && b.additionalChassis.length === 0);
    await bindingsAt(PORTS, t0, (b) => b.activatedOn.length === 0);
    for (const p of PORTS) {
      expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv2");
      expect(await nbctlKey(p, "options", "activation-strategy")).to.equal(undefined);
      expect(await nbctlKey(p, "options", "ovnkit-test")).to.equal("keep");
      for (const k of Object.values(MIGRATION_KEYS)) expect(await nbctlKey(p, "external_ids", k)).to.equal(undefined);
      expect(await nbctlKey(p, "external_ids", "pod")).to.equal("ns/vm");
      expect(nb.migration.inspect(p, sb)).to.deep.include({ phase: "idle" });
    }
    expect(await nbctlKey("vm1-eth1", "external_ids", "other-controller")).to.equal("touched");
  });

  it("completing again is STALE_MIGRATION and changes nothing", async () => {
    const e = await rejection(nb.migration.complete({ uid: "m1", outcome: "failed", ports: PORTS }));
    expect(isOvnNbError(e, "STALE_MIGRATION")).to.equal(true);
    for (const p of PORTS) expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv2");
  });

  it("a failed (aborted) migration returns the port to its source", async () => {
    await nb.migration.arm({ uid: "m3", source: "hv1", target: "hv2", ports: [VM2.lsp] });
    await bindingsAt([VM2.lsp], performance.now(), (b) => b.additionalChassis.includes("hv2"));
    expect(await nb.migration.complete({ uid: "m3", outcome: "aborted", ports: [VM2.lsp] }))
      .to.deep.equal({ outcome: "aborted", ports: [{ port: VM2.lsp, chassis: "hv1" }] });
    const b = await sb.waitForBinding(VM2.lsp, (x) => x.additionalChassis.length === 0);
    expect(b.chassis).to.equal("hv1");
    expect(await nbctlKey(VM2.lsp, "options", "requested-chassis")).to.equal("hv1");
    expect(await nbctlKey(VM2.lsp, "options", "activation-strategy")).to.equal(undefined);
  });

  it("multi-NIC arm is atomic: a missing NIC -> NOT_FOUND and no NIC changes", async () => {
    const e = await rejection(nb.migration.arm({ uid: "m4", source: "hv2", target: "hv1", ports: [...PORTS, "vm1-eth9"] }));
    expect(isOvnNbError(e, "NOT_FOUND")).to.equal(true);
    expect(e.details).to.deep.include({ missing: ["vm1-eth9"] });
    for (const p of PORTS) {
      expect(await nbctlKey(p, "external_ids", MIGRATION_KEYS.uid)).to.equal(undefined);
      expect(await nbctlKey(p, "options", "requested-chassis")).to.equal("hv2");
    }
  });

  it("multi-NIC arm is atomic on the server: a NIC deleted after the plan was built aborts it all", async () => {
    for (const name of ["vm3-eth0", "vm3-eth1"]) await nb.switchPorts.create("ls0", { name, options: { "requested-chassis": "hv1" } });
    const plan = nb.migration.planArm({ uid: "m5", source: "hv1", target: "hv2", ports: ["vm3-eth0", "vm3-eth1"] });
    await sbx.nbctl("lsp-del", "vm3-eth1");
    const e = await rejection(nb.run(plan));
    expect(isOvnNbError(e, "MIGRATION_CONFLICT")).to.equal(true);
    expect(e.details).to.deep.include({ port: "vm3-eth1", reason: "concurrent-change" });
    expect(await nbctlKey("vm3-eth0", "external_ids", MIGRATION_KEYS.uid)).to.equal(undefined);
    expect(await nbctlKey("vm3-eth0", "options", "requested-chassis")).to.equal("hv1");
  });

  it("two migrations racing for one idle port: exactly one wins, the other gets MIGRATION_CONFLICT", async () => {
    const a = nb.migration.planArm({ uid: "race-a", source: "hv1", target: "hv2", ports: ["vm3-eth0"] });
    const b = nb.migration.planArm({ uid: "race-b", source: "hv1", target: "hv2", ports: ["vm3-eth0"] });
    const [ra, rb] = await Promise.allSettled([nb.run(a), nb.run(b)]);
    const won = [ra, rb].filter((r) => r.status === "fulfilled");
    const lost = [ra, rb].filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).to.have.length(1);
    expect(lost).to.have.length(1);
    expect(isOvnNbError(lost[0]!.reason, "MIGRATION_CONFLICT")).to.equal(true);
    const winner = ra.status === "fulfilled" ? "race-a" : "race-b";
    expect(await nbctlKey("vm3-eth0", "external_ids", MIGRATION_KEYS.uid)).to.equal(winner);
  });
});
