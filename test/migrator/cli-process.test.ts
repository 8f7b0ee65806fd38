import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { NbClient } from "@ovnkit/ovn-nb";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { FakeKubeApiServer } from "../fake-kube/index.js";
import { KubeVirtDriver } from "./support/kubevirt-driver.js";
import { until } from "./support/wait.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "packages/migrator/src/cli.ts");

/** The ovnkit-migrator command as a real process: flags, logs, a migration on a real NB, SIGTERM, RBAC coverage. */
describe("ovnkit-migrator process (CLI) with the fake API server and a real NB", function () {
  this.timeout(30_000);
  let kube: FakeKubeApiServer;
  let nbServer: OvsdbServer;
  let nb: NbClient;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    kube = await FakeKubeApiServer.start({ bookmarkIntervalMs: 500 });
    nbServer = await startOvsdbServer({ schema: "nb" });
    nb = await NbClient.connect(nbServer.unixRemote);
    dir = mkdtempSync(join(tmpdir(), "ovnkit-migrator-"));
  });
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await nb.close();
    await nbServer.stop({ removeDir: true });
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a migration end to end, logs JSON with reconcile ids, exits 0 on SIGTERM, and stays within its RBAC", async () => {
    await nb.switches.create({ name: "ls1" });
    await nb.switchPorts.create("ls1", { name: "vm1.vms", options: { "requested-chassis": "node-a" }, external_ids: { pod: "vms/vm1" } });
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kube.kubeconfig());
    const lines: Record<string, unknown>[] = [];
    let buffered = "";
    child = spawn(process.execPath, ["--import", "tsx", "--conditions=ovnkit-source", cli,
      "--kubeconfig", kubeconfig, "--nb", nbServer.unixRemote, "--leader-elect", "--lease-namespace", "ovnkit",
      "--metrics-addr", "127.0.0.1:0", "--log-level", "debug", "--identity", "proc-1"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    await until(() => lines.some((l) => l.msg === "ovnkit-migrator started"), `start (stderr: ${stderr})`, 15_000);
    const metricsUrl = String(lines.find((l) => l.msg === "ovnkit-migrator started")!.metrics);
    await until(async () => (await fetch(`${metricsUrl}/readyz`)).status === 200, "ready");
    await until(() => lines.some((l) => l.msg === "controller started"), "leading");

    const kv = new KubeVirtDriver(kube);
    const vm = kv.createVm("vm1", "node-a");
    const m = vm.migrate("mig1").scheduling().targetScheduled("node-b");
    const rc = () => nb.switchPorts.get("vm1.vms")!.options.get("requested-chassis");
    await until(() => rc() === "node-a,node-b", "armed");
    m.vmiKnows().targetDomainReady().succeed();
    await until(() => rc() === "node-b", "completed");
    await until(() => lines.some((l) => l.msg === "ports armed"), "the arm logged");
    const armedLine = lines.find((l) => l.msg === "ports armed")!;
    expect(armedLine.reconcileId).to.match(/^[0-9a-f]{12}$/);
    expect(armedLine).to.include({ key: "vms/vm1", migrationUid: m.uid, source: "node-a", target: "node-b" });

    child.kill("SIGTERM");
    expect(await exited).to.equal(0);
    expect(lines.some((l) => l.msg === "lease released")).to.equal(true);

    // Every request the daemon made is allowed by deploy/rbac.yaml (lease namespace = its Role's namespace).
    const rbac = k8s.loadAllYaml(readFileSync(join(root, "packages/migrator/deploy/rbac.yaml"), "utf8")) as (k8s.V1ClusterRole | k8s.V1Role)[];
    const rules = rbac.filter((o) => o.kind === "ClusterRole" || o.kind === "Role").flatMap((r) => (r.rules ?? []).map((rule) => ({ rule, namespace: r.kind === "Role" ? r.metadata!.namespace : undefined })));
    const denied = kube.requests.filter((req) => {
      const p = kube.registry.parse(req.path);
      return !rules.some(({ rule, namespace }) =>
        (namespace === undefined || namespace === p.namespace) &&
        rule.apiGroups!.includes(p.def.group) && rule.resources!.includes(p.def.plural) && rule.verbs.includes(req.verb!));
    }).map((r) => `${r.verb} ${r.path}`);
    expect(denied).to.deep.equal([]);
    expect(new Set(kube.requests.map((r) => r.verb))).to.include.members(["list", "watch", "get", "create", "update"]);
  });

  it("exits 2 on a bad option without touching anything", async () => {
    const p = spawn(process.execPath, ["--import", "tsx", "--conditions=ovnkit-source", cli, "--nb", "nope"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => p.on("exit", (c) => resolve(c)));
    expect(code).to.equal(2);
    expect(err).to.match(/--nb: invalid remote "nope"/);
  });
});
