import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { LeaderElector, memoryLogger } from "@ovnkit/migrator/internal";
import { FakeKubeApiServer, LEASE } from "../fake-kube/index.js";
import { until } from "./support/wait.js";

const TIMING = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

interface Candidate {
  elector: LeaderElector;
  events: string[];
  startedAt?: number;
  done: Promise<void>;
}

describe("migrator leader election (coordination.k8s.io Lease) with two instances", () => {
  let server: FakeKubeApiServer;
  const candidates: Candidate[] = [];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
  });
  afterEach(async () => {
    server.faults.clear();
    await Promise.all(candidates.splice(0).map((c) => c.elector.stop()));
    await server.stop();
  });

  function candidate(identity: string, extra: { releaseOnStop?: boolean } = {}): Candidate {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const events: string[] = [];
    const c = { events } as Candidate;
    c.elector = new LeaderElector({
      kubeConfig: kc, namespace: "kube-system", name: "ovnkit-migrator", identity, log: memoryLogger().log, ...TIMING, ...extra,
      onStartedLeading: () => {
        c.startedAt = Date.now();
        events.push("started");
      },
      onStoppedLeading: () => {
        events.push("stopped");
      },
    });
    c.done = c.elector.run();
    candidates.push(c);
    return c;
  }

  const lease = () => server.store.get(LEASE, "kube-system", "ovnkit-migrator") as { spec: { holderIdentity: string; renewTime: string; leaseTransitions: number; leaseDurationSeconds: number } };
  const leaders = () => candidates.filter((c) => c.elector.isLeader);

  it("exactly one of two instances leads; the lease names it and it keeps renewing", async () => {
    const a = candidate("a");
    const b = candidate("b");
    await until(() => leaders().length === 1, "a leader");
    const leader = leaders()[0]!;
    const follower = leader === a ? b : a;
    expect(lease().spec.holderIdentity).to.equal(leader === a ? "a" : "b");
    expect(lease().spec.leaseDurationSeconds).to.equal(1);
    const renew1 = lease().spec.renewTime;
    expect(renew1).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await until(() => lease().spec.renewTime !== renew1, "a renewal");
    await until(() => follower.elector.leader !== undefined, "the follower observes the lease");
    expect(follower.elector.isLeader).to.equal(false);
    expect(follower.elector.leader).to.equal(lease().spec.holderIdentity);
    expect(leaders()).to.have.length(1);
  });

  it("a leader that stops releases the lease: the other takes over well before the lease would expire", async () => {
    const a = candidate("a");
    await until(() => a.elector.isLeader, "a leads");
    const b = candidate("b");
    await until(() => b.elector.leader === "a", "b sees a");
    const t0 = Date.now();
    await a.elector.stop();
    expect(a.events).to.deep.equal(["started", "stopped"]);
    await until(() => b.elector.isLeader, "b leads");
    expect(b.startedAt! - t0).to.be.below(TIMING.leaseDurationMs);
    expect(lease().spec.holderIdentity).to.equal("b");
    expect(lease().spec.leaseTransitions).to.equal(1);
  });

  it("a leader that dies without releasing is replaced only after leaseDuration", async () => {
    const a = candidate("a", { releaseOnStop: false });
    await until(() => a.elector.isLeader, "a leads");
    const b = candidate("b");
    await until(() => b.elector.leader === "a", "b sees a");
    const lastRenew = Date.parse(lease().spec.renewTime);
    await a.elector.stop();
    await until(() => b.elector.isLeader, "b leads", 5000);
    expect(b.startedAt! - lastRenew).to.be.at.least(TIMING.leaseDurationMs - TIMING.retryPeriodMs);
    expect(lease().spec.holderIdentity).to.equal("b");
  });

  it("a 409 on one renewal is survived (retried within renewDeadline)", async () => {
    const a = candidate("a");
    await until(() => a.elector.isLeader, "a leads");
    server.faults.conflictOnNextWrite("leases");
    await until(() => server.faults.pendingErrors === 0, "409 consumed");
    const renew = lease().spec.renewTime;
    await until(() => lease().spec.renewTime !== renew, "a later renewal");
    expect(a.events).to.deep.equal(["started"]);
  });

  it("a leader that cannot renew for renewDeadline steps down; the other leads once the API heals", async () => {
    const a = candidate("a");
    await until(() => a.elector.isLeader, "a leads");
    const b = candidate("b");
    await until(() => b.elector.leader === "a", "b sees a");
    server.faults.failNext({ verbs: ["update", "create"], resource: "leases", code: 500, count: 1_000_000 });
    const t0 = Date.now();
    await until(() => a.events.includes("stopped"), "a steps down", 3000);
    expect(Date.now() - t0).to.be.at.least(TIMING.renewDeadlineMs - TIMING.retryPeriodMs);
    await a.done;
    expect(b.elector.isLeader).to.equal(false);
    server.faults.clear();
    await until(() => b.elector.isLeader, "b leads", 5000);
  });

  it("injected API latency beyond renewDeadline makes the leader step down even though requests hang", async () => {
    const a = candidate("a");
    await until(() => a.elector.isLeader, "a leads");
    server.faults.latencyMs = 2000;
    const t0 = Date.now();
    await until(() => a.events.includes("stopped"), "a steps down", 3000);
    expect(Date.now() - t0).to.be.below(TIMING.leaseDurationMs + 500);
    server.faults.latencyMs = 0;
  });
});
