import { expect } from "chai";
import { parseArgs } from "../../src/cli.js";
import { validateConfig, type RawOptions } from "../../src/config.js";
import { isMigratorError } from "../../src/errors.js";
import { keyOfLauncherPod, keyOfVmi, keyOfVmim } from "../../src/controller/keys.js";
import { parseHostPort } from "../../src/observability/http-server.js";
import { launcher, vmi, vmim } from "../support/builders.js";

function configError(raw: RawOptions): string {
  try {
    validateConfig(raw, {});
  } catch (e) {
    if (isMigratorError(e, "CONFIG_INVALID")) return String(e.details.option);
    throw e;
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("migrator config and CLI", () => {
  it("parses the command line into validated options with defaults", async () => {
    const raw = await parseArgs(["--nb", "tcp:10.0.0.1:6641,tcp:10.0.0.2:6641", "--namespace", "vms", "--no-leader-elect", "--metrics-addr", "127.0.0.1:9090", "--log-level", "debug"]);
    expect(raw).to.not.equal("help");
    const c = validateConfig(raw as RawOptions, { POD_NAME: "migrator-0" });
    expect(c.nb).to.deep.equal(["tcp:10.0.0.1:6641", "tcp:10.0.0.2:6641"]);
    expect(c).to.include({ namespace: "vms", leaderElect: false, metricsAddr: "127.0.0.1:9090", logLevel: "debug", leaseNamespace: "vms", leaseName: "ovnkit-migrator", workers: 4, vmPortKey: "pod", resyncSeconds: 300 });
    expect(c.identity).to.match(/^migrator-0_[0-9a-f]{8}$/);
    expect(c.sb).to.equal(undefined);
    expect(c.kubeconfig).to.equal(undefined);
  });

  it("leader election defaults to on, the lease namespace to $POD_NAMESPACE", async () => {
    const c = validateConfig((await parseArgs(["--nb", "unix:/run/ovn/ovnnb_db.sock"])) as RawOptions, { POD_NAMESPACE: "ovnkit" });
    expect(c.leaderElect).to.equal(true);
    expect(c.leaseNamespace).to.equal("ovnkit");
    expect(c.metricsAddr).to.equal(":8080");
  });

  it("rejects bad values with CONFIG_INVALID naming the option", async () => {
    expect(configError({})).to.equal("nb");
    expect(configError({ nb: "bogus" })).to.equal("nb");
    expect(configError({ nb: "tcp:1.2.3.4:6641", sb: "udp:1.2.3.4:6642" })).to.equal("sb");
    expect(configError({ nb: "tcp:1.2.3.4:6641", namespace: "Bad_NS" })).to.equal("namespace");
    expect(configError({ nb: "tcp:1.2.3.4:6641", metricsAddr: "8080" })).to.equal("metrics-addr");
    expect(configError({ nb: "tcp:1.2.3.4:6641", logLevel: "loud" })).to.equal("log-level");
    expect(configError({ nb: "tcp:1.2.3.4:6641", workers: 0 })).to.equal("workers");
    expect(configError({ nb: "tcp:1.2.3.4:6641", leaseName: "Not Valid" })).to.equal("lease-name");
  });

  it("unknown flags and missing --nb are CONFIG_INVALID from the parser", async () => {
    for (const argv of [["--bogus"], []]) {
      try {
        await parseArgs(argv);
        expect.fail(`${argv.join(" ")} should fail`);
      } catch (e) {
        expect(isMigratorError(e, "CONFIG_INVALID"), String(e)).to.equal(true);
      }
    }
  });

  it("host:port parsing", () => {
    expect(parseHostPort(":8080")).to.deep.equal({ host: "0.0.0.0", port: 8080 });
    expect(parseHostPort("[::1]:0")).to.deep.equal({ host: "::1", port: 0 });
    expect(() => parseHostPort("host:99999")).to.throw(RangeError);
  });
});

describe("migrator keys: every object maps to its VM", () => {
  it("VMI, VMIM (spec.vmiName), launcher pod (owner reference, else kubevirt.io/domain)", () => {
    expect(keyOfVmi(vmi())).to.equal("vms/vm1");
    expect(keyOfVmim(vmim("u", "Running"))).to.equal("vms/vm1");
    const pod = launcher("virt-launcher-vm1-x");
    expect(keyOfLauncherPod(pod)).to.equal("vms/vm1");
    pod.metadata!.ownerReferences = [{ kind: "VirtualMachineInstance", name: "other", uid: "x" }];
    expect(keyOfLauncherPod(pod)).to.equal("vms/other");
    expect(keyOfLauncherPod({ metadata: { namespace: "vms" } })).to.equal(undefined);
  });
});
