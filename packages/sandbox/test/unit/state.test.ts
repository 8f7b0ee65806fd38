import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxError } from "@ovnkit/sandbox";
import { LOCK_FILE, MARKER_FILE, claimDir, renderEnv, type SandboxState } from "../../src/state.js";

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(SandboxError);
    return (e as SandboxError).code;
  }
  return "none";
}

describe("sandbox directory state (marker, start lock, env.sh)", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ovnkit-state-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("claims an empty or new directory, marks it, and releases the start lock", async () => {
    const dir = join(root, "new");
    const release = await claimDir(dir);
    expect(await readdir(dir)).to.have.members([MARKER_FILE, LOCK_FILE]);
    await release();
    expect(await readdir(dir)).to.deep.equal([MARKER_FILE]);
  });

  it("wipes a stopped sandbox but refuses a directory that is not one", async () => {
    const dir = join(root, "old");
    await (await claimDir(dir))();
    await mkdir(join(dir, "hv1"));
    await writeFile(join(dir, "hv1", "ovs-vswitchd.pid"), "999999999\n");
    await (await claimDir(dir))();
    expect(await readdir(dir)).to.deep.equal([MARKER_FILE]);

    const foreign = join(root, "foreign");
    await mkdir(foreign);
    await writeFile(join(foreign, "precious.txt"), "keep me");
    expect(await codeOf(claimDir(foreign))).to.equal("DIR_NOT_EMPTY");
    expect(await readFile(join(foreign, "precious.txt"), "utf8")).to.equal("keep me");
  });

  it("refuses a directory whose start lock is held by a live process, takes over a stale one", async () => {
    const dir = join(root, "locked");
    await mkdir(dir);
    await writeFile(join(dir, MARKER_FILE), "");
    await writeFile(join(dir, LOCK_FILE), String(process.ppid));
    expect(await codeOf(claimDir(dir))).to.equal("SANDBOX_STARTING");
    await writeFile(join(dir, LOCK_FILE), "999999999");
    await (await claimDir(dir))();
  });

  it("writes an env.sh that sh sources, with quoting that survives odd directory names", async () => {
    const dir = join(root, "it's a \"dir\" $HOME");
    const state: SandboxState = {
      version: 1, dir, startedAt: "", clustered: false,
      nbRemote: `unix:${dir}/nb/db.sock`, sbRemote: `unix:${dir}/sb/db.sock`, nbTcpRemote: "tcp:127.0.0.1:1", sbTcpRemote: "tcp:127.0.0.1:2",
      chassis: [{ name: "hv1", dir: join(dir, "hv1"), encapIp: "192.168.0.1", dbRemote: "" }, { name: "hv2", dir: join(dir, "hv2"), encapIp: "192.168.0.2", dbRemote: "" }],
      daemons: [], startMs: 1,
    };
    const file = join(root, "env.sh");
    await writeFile(file, renderEnv(state));
    const out = execFileSync("sh", ["-c", `. "$1"; printf '%s\\n' "$OVN_NB_DB" "$OVNKIT_SANDBOX_CHASSIS"; ovnkit_as hv1 sh -c 'printf "%s\\n" "$OVS_RUNDIR" "$OVN_RUNDIR"'`, "sh", file], { encoding: "utf8" });
    expect(out.split("\n")).to.deep.equal([`unix:${dir}/nb/db.sock`, "hv1 hv2", `${dir}/hv1`, `${dir}/hv1`, ""]);
  });
});
