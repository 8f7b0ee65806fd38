/** Sandbox start/stop/status against real daemons: no leftovers, refusals, failures, parallel sandboxes. */
import { expect } from "chai";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxError, isAlive, sandboxStatus, startSandbox, stopSandbox, type Sandbox } from "@ovnkit/sandbox";
import { PEER, VM1, addSwitch, expectSeqs, processesMentioning, received, sendNumbered, waitReceived } from "./support.js";

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(SandboxError);
    return { code: (e as SandboxError).code, message: (e as Error).message };
  }
  return expect.fail("expected a SandboxError");
}

/**
 * Binds VM1 on hv1 and PEER on hv2, sends `count` frames peer -> VM1; returns the sequence numbers VM1 got and the
 * number of frames it got in all.
 */
async function trafficCheck(sb: Sandbox, count: number): Promise<{ seqs: number[]; total: number }> {
  await addSwitch(sb, "ls0", [VM1, PEER]);
  const [vm1, peer] = await Promise.all([
    sb.addVmPort("hv1", { ifaceId: VM1.lsp, waitInstalled: true }),
    sb.addVmPort("hv2", { ifaceId: PEER.lsp, waitInstalled: true }),
  ]);
  await sb.syncHv(); // hv2 knows vm1 is on hv1
  const stream = await sendNumbered(peer, PEER, VM1, count);
  await waitReceived(vm1, stream, count);
  return { seqs: await received(vm1, stream), total: vm1.received.length };
}

describe("sandbox: lifecycle", function () {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ovnkit-lifecycle-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("start/stop cycles in one directory leave no process behind", async () => {
    const dir = join(root, "cycles");
    const seenPids = new Set<number>();
    for (let cycle = 0; cycle < 2; cycle++) {
      const sb = await startSandbox({ dir });
      const status = await sandboxStatus(dir);
      expect(status.running).to.equal(true);
      expect(status.daemons).to.have.length(11); // nb, sb, northd, main db+vswitchd, 2 x (db, vswitchd, controller)
      const procs = await processesMentioning(dir);
      expect(procs.map((p) => p.pid).sort()).to.deep.equal(status.daemons.map((d) => d.pid).sort());
      for (const d of status.daemons) {
        expect(seenPids.has(d.pid), `pid ${d.pid} reused across cycles`).to.equal(false);
        seenPids.add(d.pid);
      }
      const env = await readFile(join(dir, "env.sh"), "utf8");
      expect(env).to.contain(`export OVN_NB_DB='${sb.nbRemote}'`);
      expect(env).to.contain(`export OVN_SB_DB_TCP='${sb.sbTcpRemote}'`);
      expect(sb.nbTcpRemote).to.match(/^tcp:127\.0\.0\.1:\d+$/);
      const stopped = await sb.stop();
      expect(stopped.stopped).to.equal(11);
      expect(await processesMentioning(dir)).to.deep.equal([]);
      for (const d of status.daemons) expect(await isAlive(d.pid), `${d.label} pid ${d.pid}`).to.equal(false);
      const after = await sandboxStatus(dir);
      expect(after.running).to.equal(false);
      expect(after.aliveCount).to.equal(0);
    }
    expect((await stopSandbox(dir)).stopped).to.equal(0);
  });

  it("refuses a directory with a running sandbox and a non-empty directory that is not a sandbox", async () => {
    const dir = join(root, "busy");
    const sb = await startSandbox({ dir });
    try {
      const pids = (await processesMentioning(dir)).map((p) => p.pid).sort();
      const err = await codeOf(startSandbox({ dir }));
      expect(err.code).to.equal("SANDBOX_RUNNING");
      expect(err.message).to.contain("stop");
      expect((await processesMentioning(dir)).map((p) => p.pid).sort()).to.deep.equal(pids);
      expect((await sandboxStatus(dir)).running).to.equal(true);
    } finally {
      await sb.stop();
    }
    const foreign = join(root, "foreign");
    await mkdir(foreign);
    await writeFile(join(foreign, "notes.txt"), "mine");
    expect((await codeOf(startSandbox({ dir: foreign }))).code).to.equal("DIR_NOT_EMPTY");
    expect(await readFile(join(foreign, "notes.txt"), "utf8")).to.equal("mine");
    expect(await processesMentioning(foreign)).to.deep.equal([]);
    expect((await codeOf(stopSandbox(foreign))).code).to.equal("NOT_A_SANDBOX");
  });

  it("reports a daemon that fails to start with its error and log tail, and stops what had started", async () => {
    const dir = join(root, "failing");
    const err = await codeOf(startSandbox({ dir, extraArgs: { northd: [`--unixctl=${join(dir, "missing", "northd.ctl")}`] } }));
    expect(err.code).to.equal("DAEMON_FAILED");
    expect(err.message).to.contain("ovn-northd failed to start");
    expect(err.message).to.contain("could not initialize control socket");
    expect(err.message).to.match(/--- .*ovn-northd\.log \(last lines\) ---\n.*stream_unix\|ERR\|.*binding failed/s);
    expect(await processesMentioning(dir)).to.deep.equal([]);

    const err2 = await codeOf(startSandbox({ dir, chassis: 3, extraArgs: { controller: ["--no-such-option"] } }));
    expect(err2.code).to.equal("DAEMON_FAILED");
    expect(err2.message).to.match(/hv[123] ovn-controller failed to start: ovn-controller: unrecognized option '--no-such-option'/);
    expect(await processesMentioning(dir)).to.deep.equal([]);
    // the directory is reusable after a failed start
    const sb = await startSandbox({ dir });
    await sb.stop({ removeDir: true });
  });

  it("rejects a bad chassis count before starting anything", async () => {
    expect((await codeOf(startSandbox({ dir: join(root, "bad"), chassis: 0 }))).code).to.equal("BAD_OPTION");
    expect((await codeOf(startSandbox({ dir: join(root, "bad"), chassis: 2.5 }))).code).to.equal("BAD_OPTION");
  });

  it("runs two sandboxes at once, each with its own ports, daemons and traffic", async () => {
    const [a, b] = await Promise.all([startSandbox({ dir: join(root, "a") }), startSandbox({ dir: join(root, "b") })]);
    try {
      expect(a.nbTcpRemote).to.not.equal(b.nbTcpRemote);
      expect(a.sbTcpRemote).to.not.equal(b.sbTcpRemote);
      // same logical names, MACs and IPs in both: each sandbox sees only its own frames
      const [gotA, gotB] = await Promise.all([trafficCheck(a, 20), trafficCheck(b, 30)]);
      expectSeqs(gotA.seqs, 20);
      expectSeqs(gotB.seqs, 30);
      expect([gotA.total, gotB.total]).to.deep.equal([20, 30]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await processesMentioning(join(root, "a"))).to.deep.equal([]);
    expect(await processesMentioning(join(root, "b"))).to.deep.equal([]);
  });
});
