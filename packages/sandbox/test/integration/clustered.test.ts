/** Raft: the generic 3-member cluster helper, and a sandbox whose NB and SB are clusters. */
import { expect } from "chai";
import { createServer } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  isAlive, pollUntil, reserveLoopbackPorts, run, startOvsdbCluster, startSandbox, type OvsdbCluster, type SandboxError,
} from "@ovnkit/sandbox";
import { PEER, VM1, addSwitch, expectSeqs, processesMentioning, received, sendNumbered, waitReceived } from "./support.js";

describe("sandbox: Raft clusters", function () {
  it("forms a 3-member cluster over loopback tcp, and elects a new leader when the leader is killed", async () => {
    const c: OvsdbCluster = await startOvsdbCluster({ schema: "nb" });
    try {
      expect(c.database).to.equal("OVN_Northbound");
      expect(c.raftAddresses).to.have.length(3);
      for (const a of c.raftAddresses) expect(a).to.match(/^tcp:127\.0\.0\.1:\d+$/);
      expect(c.unixRemote.split(",")).to.have.length(3);
      expect(c.tcpRemote.split(",")).to.have.length(3);
      for (let i = 0; i < 3; i++) {
        const st = await c.status(i);
        expect(st).to.match(/^Status: cluster member$/m);
        for (const a of c.raftAddresses) expect(st).to.contain(a);
      }
      const leader = await c.leader();
      await c.members[leader]!.kill9();
      const survivors = [0, 1, 2].filter((i) => i !== leader);
      const next = await pollUntil("a new leader", async () => {
        for (const i of survivors) if (/^Role: leader$/m.test(await c.status(i))) return i;
        return undefined;
      }, 15_000, 20);
      expect(next).to.not.equal(leader);
    } finally {
      await c.stop({ removeDir: true });
    }
    for (const m of c.members) expect(await isAlive(m.pid)).to.equal(false);
  });

  it("forms a cluster with Raft over unix sockets too", async () => {
    const c = await startOvsdbCluster({ schema: "sb", raft: "unix" });
    try {
      expect(c.database).to.equal("OVN_Southbound");
      for (const a of c.raftAddresses) expect(a).to.match(/^unix:.*raft\.sock$/);
      expect(await c.status(2)).to.match(/^Status: cluster member$/m);
    } finally {
      await c.stop({ removeDir: true });
    }
  });

  it("fails fast with RAFT_PORT_IN_USE when a Raft port is taken (instead of waiting for a cluster that cannot form)", async () => {
    const [taken] = await reserveLoopbackPorts(1);
    const holder = createServer((conn) => conn.destroy()); // someone else's server on that port
    await new Promise<void>((r) => holder.listen(taken, "127.0.0.1", () => r()));
    const dir = await mkdtemp(join(tmpdir(), "ovnkit-raftport-"));
    try {
      const [free1, free2] = await reserveLoopbackPorts(2);
      const t0 = performance.now();
      try {
        await startOvsdbCluster({ schema: "nb", dir, raftPorts: [taken!, free1!, free2!], timeoutMs: 15_000 });
        expect.fail("should throw");
      } catch (e) {
        expect((e as SandboxError).code).to.equal("RAFT_PORT_IN_USE");
      }
      expect(performance.now() - t0).to.be.below(10_000);
      expect(await processesMentioning(dir)).to.deep.equal([]);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs a clustered sandbox: NB and SB are 3-member clusters, ports bind, traffic flows, stop leaves nothing", async () => {
    const sb = await startSandbox({ clustered: true });
    try {
      expect(sb.nb.servers).to.have.length(3);
      expect(sb.sb.servers).to.have.length(3);
      expect(sb.nbRemote.split(",")).to.have.length(3);
      expect(sb.sbTcpRemote.split(",")).to.have.length(3);
      expect(await sb.nb.cluster!.leader()).to.be.within(0, 2);
      expect((await sb.status()).daemons).to.have.length(15);
      await addSwitch(sb, "ls0", [VM1, PEER]);
      const [vm1, peer] = await Promise.all([
        sb.addVmPort("hv1", { ifaceId: VM1.lsp, waitInstalled: true }),
        sb.addVmPort("hv2", { ifaceId: PEER.lsp, waitInstalled: true }),
      ]);
      await sb.syncHv(); // hv2 knows vm1 is on hv1
      const stream = await sendNumbered(peer, PEER, VM1, 10);
      await waitReceived(vm1, stream, 10);
      expectSeqs(await received(vm1, stream), 10);
      // clients may use the tcp member list as well
      expect((await run("ovn-nbctl", [`--db=${sb.nbTcpRemote}`, "ls-list"])).stdout).to.contain("ls0");
    } finally {
      const r = await sb.stop({ removeDir: true });
      expect(r.stopped).to.equal(15);
    }
    expect(await processesMentioning(sb.dir)).to.deep.equal([]);
  });
});
