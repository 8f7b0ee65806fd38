/** The unixctl client against real daemons' control sockets. */
import { expect } from "chai";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxError, UnixctlClient, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(SandboxError);
    return (e as SandboxError).code;
  }
  return "none";
}

describe("sandbox: unixctl client (JSON-RPC on a daemon's control socket)", function () {
  let srv: OvsdbServer;
  before(async () => {
    srv = await startOvsdbServer({ schema: "vswitch", tcp: false });
  });
  after(async () => {
    await srv.stop({ removeDir: true });
  });

  it("runs commands and returns their text output, as ovs-appctl does", async () => {
    const ctl = await UnixctlClient.connect(srv.ctlSocket);
    try {
      expect(await ctl.command("version")).to.match(/^ovsdb-server \(Open vSwitch\) 3\./);
      expect(await ctl.command("ovsdb-server/list-dbs")).to.equal(await srv.appctl("ovsdb-server/list-dbs"));
    } finally {
      await ctl.close();
    }
  });

  it("pipelines many requests on one connection and matches each reply to its request", async () => {
    const ctl = await UnixctlClient.connect(srv.ctlSocket);
    try {
      const calls = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? ctl.command("ovsdb-server/list-dbs") : ctl.command("version")));
      const out = await Promise.all(calls);
      out.forEach((o, i) => expect(o).to.match(i % 3 === 0 ? /Open_vSwitch/ : /^ovsdb-server/));
      expect(ctl.inFlight).to.equal(0);
    } finally {
      await ctl.close();
    }
  });

  it("reports a command the daemon rejects as UNIXCTL_ERROR with the daemon's message, and stays usable", async () => {
    const ctl = await UnixctlClient.connect(srv.ctlSocket);
    try {
      try {
        await ctl.command("no-such/command", "x");
        expect.fail("should throw");
      } catch (e) {
        expect((e as SandboxError).code).to.equal("UNIXCTL_ERROR");
        expect((e as Error).message).to.contain("is not a valid command");
      }
      expect(await ctl.command("version")).to.match(/ovsdb-server/);
    } finally {
      await ctl.close();
    }
  });

  it("reaches a socket whose path is longer than sun_path allows", async () => {
    const root = await mkdtemp(join(tmpdir(), "ovnkit-long-"));
    const dir = join(root, "a".repeat(60), "b".repeat(60));
    await mkdir(dir, { recursive: true });
    const long = await startOvsdbServer({ schema: "vswitch", dir, tcp: false });
    try {
      expect(Buffer.byteLength(long.ctlSocket)).to.be.greaterThan(108);
      const ctl = await UnixctlClient.connect(long.ctlSocket);
      expect(await ctl.command("version")).to.match(/ovsdb-server/);
      await ctl.close();
    } finally {
      await long.stop();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("fails with RPC_CONNECT for a missing socket and RPC_CLOSED for requests cut off by the daemon's death", async () => {
    expect(await codeOf(UnixctlClient.connect(join(tmpdir(), "no-such-dir-ovnkit", "x.ctl")))).to.equal("RPC_CONNECT");
    const victim = await startOvsdbServer({ schema: "vswitch", tcp: false });
    const ctl = await UnixctlClient.connect(victim.ctlSocket);
    try {
      const pending = ctl.command("exit"); // ovsdb-server answers "exit" then closes
      await pending.catch(() => undefined);
      await ctl.closed;
      expect(await codeOf(ctl.command("version"))).to.equal("RPC_CLOSED");
    } finally {
      await victim.stop({ removeDir: true });
    }
  });
});
