// Backoff and remote rotation of the session's dial loop (pure; clock and random injected).
import { expect } from "chai";
import fc from "fast-check";
import { ReconnectPolicy, backoffDelay, type ReconnectClock } from "../../src/client/reconnect.js";

class FakeClock implements ReconnectClock {
  t = 0;
  draws: number[] = [];
  constructor(private readonly r: number) {}
  now(): number {
    return this.t;
  }
  random = (): number => {
    this.draws.push(this.r);
    return this.r;
  };
}

describe("reconnect: backoffDelay", () => {
  it("is 0 with no failure, then grows exponentially to the maximum (no jitter)", () => {
    const o = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6].map((f) => backoffDelay(f, o, () => 0.99))).to.deep.equal([0, 100, 200, 400, 800, 1000, 1000]);
  });

  it("keeps (1 - jitter) of the delay and randomizes the rest", () => {
    const o = { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.5 };
    expect(backoffDelay(3, o, () => 0)).to.equal(200);
    expect(backoffDelay(3, o, () => 0.5)).to.equal(300);
    expect(backoffDelay(3, o, () => 0.999)).to.be.closeTo(399.8, 0.01);
  });

  it("never exceeds maxMs nor drops below (1 - jitter) of the base, for any failure count (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (failures, initialMs, extra, multiplier, jitter, r) => {
          const maxMs = initialMs + extra;
          const d = backoffDelay(failures, { initialMs, maxMs, multiplier, jitter }, () => r);
          const base = Math.min(maxMs, initialMs * multiplier ** Math.min(failures - 1, 64));
          return Number.isFinite(d) && d <= maxMs + 1e-9 && d >= base * (1 - jitter) - 1e-9;
        },
      ),
    );
  });
});

describe("reconnect: ReconnectPolicy", () => {
  const opts = { initialMs: 100, maxMs: 800, multiplier: 2, jitter: 0, stableMs: 1000, shuffle: false };

  it("rotates through the remotes in order and starts at once", () => {
    const p = new ReconnectPolicy(["a", "b", "c"], opts, new FakeClock(0));
    const first = p.next();
    expect(first).to.deep.equal({ remote: "a", delayMs: 0, attempt: 1, failures: 0 });
    p.failed();
    const seq = [p.next()];
    p.failed();
    seq.push(p.next());
    p.failed();
    seq.push(p.next());
    expect(seq.map((n) => [n.remote, n.delayMs, n.attempt])).to.deep.equal([
      ["b", 100, 2],
      ["c", 200, 3],
      ["a", 400, 4],
    ]);
  });

  it("after a stable connection is lost: next remote, no delay, attempt count restarts", () => {
    const clock = new FakeClock(0);
    const p = new ReconnectPolicy(["a", "b", "c"], opts, clock);
    p.next();
    p.failed();
    p.next(); // b
    p.connected();
    clock.t = 1000;
    p.lost();
    expect(p.next()).to.deep.equal({ remote: "c", delayMs: 0, attempt: 1, failures: 0 });
  });

  it("a flapping server (lost before stableMs) keeps backing off", () => {
    const clock = new FakeClock(0);
    const p = new ReconnectPolicy(["a"], opts, clock);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(p.next().delayMs);
      p.connected();
      clock.t += 10;
      p.lost();
    }
    expect(delays).to.deep.equal([0, 100, 200, 400, 800]);
  });

  it("a hand-over (server lost leadership) costs no backoff even when the connection was short", () => {
    const clock = new FakeClock(0);
    const p = new ReconnectPolicy(["a", "b"], opts, clock);
    p.next();
    p.failed();
    p.failed();
    p.next();
    p.connected();
    clock.t += 5;
    p.lost({ handover: true });
    const n = p.next();
    expect(n.delayMs).to.equal(0);
    expect(n.failures).to.equal(0);
  });

  it("shuffle starts the rotation at a random remote and then keeps the order", () => {
    const p = new ReconnectPolicy(["a", "b", "c", "d"], { ...opts, shuffle: true }, new FakeClock(0.6));
    expect([p.next(), p.next(), p.next(), p.next(), p.next()].map((n) => n.remote)).to.deep.equal(["c", "d", "a", "b", "c"]);
  });

  it("jitter draws from the injected random source", () => {
    const clock = new FakeClock(0.25);
    const p = new ReconnectPolicy(["a"], { ...opts, jitter: 1 }, clock);
    p.next();
    p.failed();
    p.failed();
    expect(p.next().delayMs).to.equal(50); // base 200, all of it random: 200 * 0.25
    expect(clock.draws.length).to.be.greaterThan(0);
  });

  it("rejects bad options and an empty remote list", () => {
    expect(() => new ReconnectPolicy([], opts)).to.throw(RangeError);
    expect(() => new ReconnectPolicy(["a"], { initialMs: -1 })).to.throw(RangeError);
    expect(() => new ReconnectPolicy(["a"], { multiplier: 0.5 })).to.throw(RangeError);
    expect(() => new ReconnectPolicy(["a"], { maxMs: Number.NaN })).to.throw(RangeError);
  });
});
