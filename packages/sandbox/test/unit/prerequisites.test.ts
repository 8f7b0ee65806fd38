import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INSTALL_COMMAND, SandboxError, checkPrerequisites, findMissingPrerequisites } from "@ovnkit/sandbox";
import { REQUIRED_BINARIES } from "../../src/prerequisites.js";

const REAL = ["/usr/bin", "/usr/sbin"];

describe("sandbox prerequisites (Debian packages)", () => {
  let empty: string;
  before(async () => {
    empty = await mkdtemp(join(tmpdir(), "ovnkit-path-"));
  });
  after(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it("finds nothing missing on this machine's PATH", () => {
    expect(findMissingPrerequisites(REAL.join(":"))).to.deep.equal([]);
    expect(() => checkPrerequisites(REAL.join(":"))).to.not.throw();
  });

  it("names each missing program with its package and prints the install command", () => {
    const missing = findMissingPrerequisites(empty);
    expect(missing.map((m) => m.what).sort()).to.deep.equal(Object.keys(REQUIRED_BINARIES).sort());
    expect(missing.find((m) => m.what === "ovn-northd")).to.deep.include({ package: "ovn-central" });
    expect(missing.find((m) => m.what === "ovn-controller")).to.deep.include({ package: "ovn-host" });
    // daemons in /usr/sbin are reported as "not on PATH", not as uninstalled
    expect(missing.find((m) => m.what === "ovs-vswitchd")).to.deep.include({ foundAt: "/usr/sbin/ovs-vswitchd" });
    try {
      checkPrerequisites(empty);
      expect.fail("should throw");
    } catch (e) {
      expect(e).to.be.instanceOf(SandboxError);
      expect((e as SandboxError).code).to.equal("MISSING_PACKAGES");
      expect((e as SandboxError).message).to.contain(INSTALL_COMMAND);
      expect((e as SandboxError).message).to.contain("ovn-central");
      expect((e as SandboxError).message).to.contain("/usr/sbin");
    }
  });

  it("is satisfied by a PATH that holds exactly the required programs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ovnkit-path-"));
    try {
      for (const b of Object.keys(REQUIRED_BINARIES)) {
        const real = REAL.map((d) => join(d, b)).find((p) => existsSync(p));
        await symlink(real!, join(dir, b));
      }
      expect(findMissingPrerequisites(dir)).to.deep.equal([]);
      await rm(join(dir, "ovn-controller"));
      expect(findMissingPrerequisites(dir).map((m) => m.what)).to.deep.equal(["ovn-controller"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
