// The inactivity probe against a real ovsdb-server: a server that stops answering (SIGSTOP) is detected and
// left; an initial dump that takes longer than the probe is not cut (the separate dump limit), while the same
// dump under a dump limit as short as the probe is cut again and again (the reconnect storm the separate limit
// prevents).
import { expect } from "chai";
import { pollUntil, startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";
import { OvsdbSession } from "../../src/client/session.js";
import { OvsdbClient } from "../../src/client/client.js";
import type { Operation } from "../../src/protocol/operations.js";
import { NB, StatusLog, expectReplicaEqualsDump, lsInsert, nbSchema, referenceDump, waitForState } from "./session-helpers.js";

const base = { database: NB, backoff: { initialMs: 5, maxMs: 50, shuffle: false } } as const;

describe("session: inactivity probe (real ovsdb-server)", function () {
  this.timeout(60_000);
  let server: OvsdbServer;
  const sessions: OvsdbSession[] = [];
  let stopped = false;
  const freeze = (): void => {
    process.kill(server.pid, "SIGSTOP");
    stopped = true;
  };
  const thaw = (): void => {
    if (stopped) process.kill(server.pid, "SIGCONT");
    stopped = false;
  };

  beforeEach(async () => {
    server = await startOvsdbServer({ schema: "nb" });
  });
  afterEach(async () => {
    thaw();
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await server.stop({ removeDir: true });
  });

  it("a server that stops answering (SIGSTOP) triggers PROBE_TIMEOUT and a reconnect; after SIGCONT the session is back, resynced", async () => {
    const session = new OvsdbSession(server.unixRemote, { ...base, probe: { intervalMs: 50, timeoutMs: 50, dumpTimeoutMs: 200 } });
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const monitor = await session.createMonitor(nbSchema, { tables: { Logical_Switch: true } });
    await session.transact(NB, [lsInsert("before")]);
    freeze();
    const t0 = performance.now();
    await waitForState(log, "reconnecting");
    const detectedMs = performance.now() - t0;
    const why = log.last("reconnecting")!.error;
    expect(why.code).to.equal("PROBE_TIMEOUT");
    expect(why.details.mode).to.equal("echo");
    expect(detectedMs).to.be.at.least(50); // not before the server had a chance to answer the echo
    // while frozen, new connections are accepted by the kernel but never answered: cut by the dump limit
    await pollUntil("a second failed attempt", () => (log.count("reconnecting") >= 2 ? true : undefined), 10_000, 2);
    expect(log.last("reconnecting")!.error.details.mode).to.equal("dump");
    thaw();
    await waitForState(log, "connected", 2);
    await session.transact(NB, [lsInsert("after")]);
    expectReplicaEqualsDump(monitor, await referenceDump(server.unixRemote, NB, ["Logical_Switch"]));
    expect(log.states().slice(0, 4)).to.deep.equal(["connecting", "connected", "reconnecting", "connected"]);
    console.log(`      probe 50+50 ms: frozen server detected after ${detectedMs.toFixed(0)} ms`);
  });

  it("an initial dump that takes far longer than the probe is not cut; under a dump limit as short as the probe it is", async () => {
    const probe = { intervalMs: 20, timeoutMs: 20 };
    const patient = new OvsdbSession(server.unixRemote, { ...base, probe: { ...probe, dumpTimeoutMs: 30_000 } });
    const hasty = new OvsdbSession(server.unixRemote, { ...base, probe: { ...probe, dumpTimeoutMs: 20 } });
    sessions.push(patient, hasty);
    const patientLog = new StatusLog(patient);
    const hastyLog = new StatusLog(hasty);
    await Promise.all([patient.connected(), hasty.connected()]);
    await patient.transact(NB, [lsInsert("row")]);

    // the server computes the dumps for a long time: it is frozen while the monitor requests are in flight
    freeze();
    const patientMonitor = patient.createMonitor(nbSchema, { tables: { Logical_Switch: true } });
    const hastyMonitor = hasty.createMonitor(nbSchema, { tables: { Logical_Switch: true } }, 30_000);
    await pollUntil("a long silent dump (10x the probe)", () => ((patient.probeStats?.silentMs ?? 0) > 400 ? true : undefined), 10_000, 5);
    expect(patient.probeStats?.dumpsInFlight).to.equal(1);
    expect(patientLog.count("reconnecting")).to.equal(0);
    expect(hastyLog.count("reconnecting")).to.be.at.least(1);
    expect(hastyLog.last("reconnecting")!.error).to.include({ code: "PROBE_TIMEOUT" });
    expect(hastyLog.last("reconnecting")!.error.details.mode).to.equal("dump");
    thaw();
    const m = await patientMonitor;
    expect(m.table("Logical_Switch").size).to.equal(1);
    expect(patientLog.states()).to.deep.equal(["connecting", "connected"]);
    expect(patient.probeStats!.longestDumpMs).to.be.greaterThan(200); // learnt (10x the probe): the next dump limit is at least 3x that
    await hastyMonitor; // once the server answers in time again, the hasty session recovers too
  });

  it("a real 20,000-row initial dump under a 20 ms probe arrives without a reconnect", async function () {
    const loader = await OvsdbClient.connect(server.unixRemote);
    const ops: Operation[] = [];
    for (let i = 0; i < 20_000; i++) ops.push(lsInsert(`ls-${i}`, { external_ids: ["map", [["owner", "x".repeat(100)], ["i", String(i)]]] }));
    await loader.transact(NB, ops, { validate: false });
    await loader.close();
    const session = new OvsdbSession(server.unixRemote, { ...base, probe: { intervalMs: 20, timeoutMs: 20, dumpTimeoutMs: 30_000 } });
    sessions.push(session);
    const log = new StatusLog(session);
    await session.connected();
    const t0 = performance.now();
    const monitor = await session.createMonitor(nbSchema, { tables: { Logical_Switch: true } });
    const dumpMs = performance.now() - t0;
    expect(monitor.table("Logical_Switch").size).to.equal(20_000);
    expect(log.states()).to.deep.equal(["connecting", "connected"]);
    console.log(`      20,000-row initial dump took ${dumpMs.toFixed(0)} ms under a 20+20 ms probe (longest silence allowed: dump limit)`);
  });
});
