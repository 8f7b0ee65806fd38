// The inactivity probe's timing rules, driven by a fake clock (the same probe against a SIGSTOPped real
// ovsdb-server is in test/integration/probe.test.ts).
import { expect } from "chai";
import { isOvsdbError, type OvsdbError } from "../../src/protocol/errors.js";
import { InactivityProbe, tapTransport, type ProbeTimers } from "../../src/client/probe.js";
import type { Transport, TransportHandlers } from "../../src/transport/transport.js";

/** Timers on a virtual clock; `defer` runs at the next advance (after "pending I/O"). */
class FakeTimers implements ProbeTimers {
  t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private deferred: (() => void)[] = [];
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  defer = (fn: () => void): void => {
    this.deferred.push(fn);
  };
  /** Moves time forward, firing timers in order and then deferred callbacks, like the event loop. */
  advance(ms: number, beforeDeferred?: () => void): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
      if (this.deferred.length > 0) {
        beforeDeferred?.();
        for (const d of this.deferred.splice(0)) d();
      }
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

function setup(options: { intervalMs?: number; timeoutMs?: number; dumpTimeoutMs?: number }, learnedDumpMs = 0) {
  const timers = new FakeTimers();
  const echoes: number[] = [];
  const deaths: OvsdbError[] = [];
  const probe = new InactivityProbe(options, { echo: async () => void echoes.push(timers.t), dead: (e) => void deaths.push(e) }, timers, learnedDumpMs);
  return { timers, echoes, deaths, probe };
}

describe("probe: InactivityProbe", () => {
  it("sends an echo after intervalMs of silence and declares the connection dead timeoutMs later", () => {
    const { timers, echoes, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50 });
    probe.start();
    timers.advance(99);
    expect(echoes).to.deep.equal([]);
    timers.advance(1);
    expect(echoes).to.deep.equal([100]);
    timers.advance(49);
    expect(deaths).to.have.length(0);
    timers.advance(1);
    expect(deaths).to.have.length(1);
    expect(isOvsdbError(deaths[0], "PROBE_TIMEOUT")).to.equal(true);
    expect(deaths[0]!.details.mode).to.equal("echo");
    expect(timers.pending).to.equal(0); // stopped after the verdict
  });

  it("any received byte is life: a regular flow never sends an echo", () => {
    const { timers, echoes, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50 });
    probe.start();
    for (let i = 0; i < 50; i++) {
      timers.advance(60);
      probe.activity();
    }
    expect(echoes).to.deep.equal([]);
    expect(deaths).to.deep.equal([]);
  });

  it("an answered echo keeps the connection (the reply is activity)", () => {
    const { timers, echoes, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50 });
    probe.start();
    timers.advance(100);
    timers.advance(10);
    probe.activity(); // echo reply
    timers.advance(100); // 100 ms of silence after the reply: the second echo
    timers.advance(10);
    probe.activity();
    timers.advance(60);
    expect(echoes).to.deep.equal([100, 210]);
    expect(deaths).to.deep.equal([]);
    expect(probe.stats.echoesSent).to.equal(2);
  });

  it("while an initial dump is awaited only the (longer) dump limit applies", async () => {
    const { timers, echoes, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50, dumpTimeoutMs: 1000 });
    probe.start();
    let reply!: (v: string) => void;
    const dump = probe.trackDump(new Promise<string>((r) => (reply = r)));
    timers.advance(999);
    expect(deaths).to.deep.equal([]);
    expect(echoes).to.deep.equal([]);
    expect(probe.stats.limitMs).to.equal(1000);
    reply("dump");
    expect(await dump).to.equal("dump");
    expect(probe.stats.dumpsInFlight).to.equal(0);
    expect(probe.stats.longestDumpMs).to.equal(999);
    // back to the short probe, now measured from the reply
    timers.advance(100);
    expect(echoes).to.deep.equal([1099]);
    timers.advance(50);
    expect(deaths).to.have.length(1);
  });

  it("a stalled dump is cut at the dump limit (mode dump)", () => {
    const { timers, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50, dumpTimeoutMs: 300 });
    probe.start();
    void probe.trackDump(new Promise(() => undefined));
    timers.advance(200);
    probe.activity(); // bytes of the dump streaming
    timers.advance(299);
    expect(deaths).to.deep.equal([]);
    timers.advance(1);
    expect(deaths).to.have.length(1);
    expect(deaths[0]!.details.mode).to.equal("dump");
  });

  it("the dump limit adapts to 3x the longest dump seen (carried over from an earlier connection)", () => {
    const { timers, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50, dumpTimeoutMs: 300 }, 400);
    probe.start();
    void probe.trackDump(new Promise(() => undefined));
    expect(probe.stats.limitMs).to.equal(1200);
    timers.advance(1199);
    expect(deaths).to.deep.equal([]);
    timers.advance(1);
    expect(deaths).to.have.length(1);
  });

  it("a dump that failed teaches nothing (the limit does not grow from cuts)", async () => {
    const { timers, probe } = setup({ intervalMs: 100, timeoutMs: 50, dumpTimeoutMs: 300 });
    probe.start();
    let fail!: (e: Error) => void;
    const dump = probe.trackDump(new Promise((_, f) => (fail = f)));
    timers.advance(250);
    fail(new Error("connection lost"));
    await dump.catch(() => undefined);
    expect(probe.stats.longestDumpMs).to.equal(0);
    expect(probe.stats.dumpsInFlight).to.equal(0);
  });

  it("lag guard: data read in the same event-loop turn as a late deadline saves the connection", () => {
    const { timers, deaths, probe } = setup({ intervalMs: 100, timeoutMs: 50 });
    probe.start();
    timers.advance(100); // echo sent
    // the process was busy: the deadline fires late, and the reply is already waiting in the socket
    timers.advance(500, () => probe.activity());
    expect(deaths).to.deep.equal([]);
  });

  it("intervalMs 0 disables it; stop() cancels its timer", () => {
    const off = setup({ intervalMs: 0 });
    off.probe.start();
    expect(off.probe.enabled).to.equal(false);
    off.timers.advance(1e6);
    expect(off.deaths).to.deep.equal([]);
    const on = setup({ intervalMs: 100 });
    on.probe.start();
    expect(on.timers.pending).to.equal(1);
    on.probe.stop();
    expect(on.timers.pending).to.equal(0);
    on.timers.advance(1e6);
    expect(on.echoes).to.deep.equal([]);
  });

  it("rejects bad options", () => {
    expect(() => new InactivityProbe({ intervalMs: -1 }, { echo: async () => undefined, dead: () => undefined })).to.throw(RangeError);
    expect(() => new InactivityProbe({ dumpTimeoutMs: Number.POSITIVE_INFINITY }, { echo: async () => undefined, dead: () => undefined })).to.throw(RangeError);
  });
});

describe("probe: tapTransport", () => {
  it("reports each chunk before passing it on, and forwards write/close", () => {
    const log: string[] = [];
    let handlers!: TransportHandlers;
    const inner: Transport = {
      remote: { type: "unix", path: "/x", text: "unix:/x" },
      closed: false,
      attach: (h) => (handlers = h),
      write: (d) => void log.push(`write ${String(d)}`),
      close: () => void log.push("close"),
    };
    const tapped = tapTransport(inner, () => log.push("activity"));
    tapped.attach({ data: (c) => void log.push(`data ${c.toString()}`), close: (e) => void log.push(`closed ${e?.code ?? "clean"}`) });
    handlers.data(Buffer.from("a"));
    tapped.write("w");
    handlers.close(undefined);
    tapped.close();
    expect(log).to.deep.equal(["activity", "data a", "write w", "closed clean", "close"]);
    expect(tapped.remote.text).to.equal("unix:/x");
  });
});
