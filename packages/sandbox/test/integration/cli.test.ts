/** The ovnkit-sandbox command as a user runs it (a real process per command). */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { processesMentioning } from "./support.js";

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/ovnkit-sandbox.mjs");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command; the default directory points into the test's temp dir, never into the repository. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, OVNKIT_SANDBOX_DIR: join(root, "default"), ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function sh(script: string): Promise<Result> {
  return new Promise((res) => {
    execFile("bash", ["-c", script], { timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let root: string;

describe("sandbox: ovnkit-sandbox command", function () {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ovnkit-cli-"));
  });
  after(async () => {
    await cli(["stop", "--dir", join(root, "box")]);
    await rm(root, { recursive: true, force: true });
  });

  it("start prints connection strings and writes env.sh; status, env, as and stop work; nothing is left", async () => {
    const dir = join(root, "box");
    const start = await cli(["start", "--dir", dir, "--chassis", "3"]);
    expect(start.code, start.stderr).to.equal(0);
    const exported = Object.fromEntries([...start.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(exported["OVN_NB_DB"]).to.equal(`unix:${dir}/nb/db.sock`);
    expect(exported["OVN_SB_DB_TCP"]).to.match(/^tcp:127\.0\.0\.1:\d+$/);
    expect(exported["OVNKIT_SANDBOX_CHASSIS"]).to.equal("hv1 hv2 hv3");
    expect(start.stderr).to.match(/started 3 chassis \(hv1 hv2 hv3\), standalone NB\/SB in \d+ ms/);

    // a user sources env.sh and uses the OVN tools, over unix and tcp, and runs OVS tools "as" a chassis
    const user = await sh(`. '${dir}/env.sh' && ovn-nbctl ls-add demo && ovn-nbctl --db="$OVN_NB_DB_TCP" ls-list && ovn-sbctl --db="$OVN_SB_DB_TCP" --bare --columns=name list Chassis | sort | xargs && ovnkit_as hv2 ovs-vsctl br-exists br-int && ovnkit_as hv2 ovs-appctl -t ovs-vswitchd version | head -1`);
    expect(user.code, user.stderr).to.equal(0);
    expect(user.stdout).to.match(/ \(demo\)\n/);
    expect(user.stdout).to.contain("hv1 hv2 hv3\n");
    expect(user.stdout).to.match(/ovs-vswitchd \(Open vSwitch\) 3\./);

    const status = await cli(["status", "--dir", dir]);
    expect(status.code).to.equal(0);
    expect(status.stdout).to.match(/^hv3 ovn-controller\s+pid \d+\s+running$/m);
    expect(status.stdout).to.contain(`running: ${dir}`);
    const json = JSON.parse((await cli(["status", "--dir", dir, "--json"])).stdout) as { daemons: unknown[]; running: boolean };
    expect(json.running).to.equal(true);
    expect(json.daemons).to.have.length(14);

    expect((await cli(["env", "--dir", dir])).stdout).to.contain(`export OVN_SB_DB='unix:${dir}/sb/db.sock'`);
    const as = await cli(["as", "--dir", dir, "hv1", "--", "ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id"]);
    expect(as.code, as.stderr).to.equal(0);
    expect(as.stdout.trim()).to.equal("hv1");

    const again = await cli(["start", "--dir", dir]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain("error [SANDBOX_RUNNING]");

    const stop = await cli(["stop", "--dir", dir]);
    expect(stop.code).to.equal(0);
    expect(stop.stderr).to.match(/stopped 14 daemons in \d+ ms/);
    expect(await processesMentioning(dir)).to.deep.equal([]);
    const stopped = await cli(["status", "--dir", dir]);
    expect(stopped.code).to.equal(3);
    expect(stopped.stdout).to.contain(`stopped: ${dir}`);
  });

  it("says which Debian packages are missing and how to install them, before touching the directory", async () => {
    const dir = join(root, "nopkgs");
    const r = await cli(["start", "--dir", dir], { PATH: join(root, "empty-bin") });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("error [MISSING_PACKAGES]");
    expect(r.stderr).to.contain("apt-get install -y ovn-central ovn-host openvswitch-switch openvswitch-common ovn-common");
    expect(r.stderr).to.match(/ovn-northd \(ovn-central\)/);
    expect(existsSync(dir)).to.equal(false);
  });

  it("rejects unknown commands and options with a usage error", async () => {
    expect((await cli(["launch"])).code).to.equal(2);
    expect((await cli(["start", "--chasis", "2"])).code).to.equal(2);
    expect((await cli(["as", "hv1"])).code).to.equal(2);
    expect(existsSync(join(root, "default"))).to.equal(false);
    const stopNothing = await cli(["stop", "--dir", root]);
    expect(stopNothing.code).to.equal(1);
    expect(stopNothing.stderr).to.contain("error [NOT_A_SANDBOX]");
  });
});
