import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { parseArgs } from "../../src/cli.js";
import { validateConfig, type RawOptions } from "../../src/config.js";

const dir = new URL("../../deploy/", import.meta.url);
const load = (f: string) => k8s.loadAllYaml(readFileSync(new URL(f, dir), "utf8")) as { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown }[];

describe("migrator deploy manifests", () => {
  const rbac = load("rbac.yaml");
  const deploy = load("deployment.yaml");
  const deployment = deploy.find((o) => o.kind === "Deployment") as unknown as k8s.V1Deployment;
  const container = deployment.spec!.template.spec!.containers[0]!;

  it("the Deployment's arguments are accepted by the CLI and the probes hit the metrics address", async () => {
    const raw = await parseArgs(container.args!);
    const config = validateConfig(raw as RawOptions, { POD_NAMESPACE: deployment.metadata!.namespace!, POD_NAME: "x" });
    expect(config.leaderElect).to.equal(true);
    expect(config.leaseNamespace).to.equal("ovnkit");
    const port = Number(config.metricsAddr.split(":").pop());
    expect(container.ports!.find((p) => p.name === "metrics")!.containerPort).to.equal(port);
    expect(container.livenessProbe!.httpGet!.path).to.equal("/healthz");
    expect(container.readinessProbe!.httpGet!.path).to.equal("/readyz");
    expect(container.env!.map((e) => e.name)).to.include.members(["POD_NAME", "POD_NAMESPACE"]);
  });

  it("RBAC grants what the daemon does: watch pods/VMIs/VMIMs, write Events, hold its Lease in its namespace", () => {
    const sa = deployment.spec!.template.spec!.serviceAccountName!;
    expect(rbac.find((o) => o.kind === "ServiceAccount")!.metadata).to.deep.include({ name: sa, namespace: deployment.metadata!.namespace });
    const rules = (rbac.find((o) => o.kind === "ClusterRole") as unknown as k8s.V1ClusterRole).rules!;
    const allows = (group: string, resource: string, verbs: string[]) =>
      rules.some((r) => r.apiGroups!.includes(group) && r.resources!.includes(resource) && verbs.every((v) => r.verbs.includes(v)));
    expect(allows("", "pods", ["list", "watch"])).to.equal(true);
    expect(allows("kubevirt.io", "virtualmachineinstances", ["list", "watch"])).to.equal(true);
    expect(allows("kubevirt.io", "virtualmachineinstancemigrations", ["list", "watch"])).to.equal(true);
    expect(allows("events.k8s.io", "events", ["create", "patch"])).to.equal(true);
    expect(rules.some((r) => r.verbs.some((v) => ["update", "patch", "delete"].includes(v)) && r.resources!.some((x) => x !== "events"))).to.equal(false);
    const role = rbac.find((o) => o.kind === "Role") as unknown as k8s.V1Role;
    expect(role.metadata!.namespace).to.equal(deployment.metadata!.namespace);
    expect(role.rules![0]).to.deep.include({ apiGroups: ["coordination.k8s.io"], resources: ["leases"] });
    expect(role.rules![0]!.verbs).to.include.members(["get", "create", "update"]);
    for (const b of rbac.filter((o) => o.kind.endsWith("Binding")) as unknown as k8s.V1RoleBinding[]) {
      expect(b.subjects![0]).to.deep.include({ kind: "ServiceAccount", name: sa, namespace: deployment.metadata!.namespace });
    }
  });
});
