import { expect } from "chai";
import { Controller, type ReconcileContext, type ReconcileResult } from "../../src/controller/controller.js";
import { ExponentialRateLimiter, Backoff } from "../../src/controller/rate-limiter.js";
import { WorkQueue } from "../../src/controller/work-queue.js";
import { isMigratorError } from "../../src/errors.js";
import { memoryLogger, silentLogger } from "../../src/observability/logger.js";
import { MigratorMetrics } from "../../src/observability/metrics.js";

async function until(pred: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("migrator work queue", () => {
  it("deduplicates keys that wait", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.length).to.equal(2);
    expect((await q.get())!.key).to.equal("a");
    expect((await q.get())!.key).to.equal("b");
  });

  it("never hands one key out twice at once: an add while processing is queued again on done()", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    const first = await q.get();
    q.add("a");
    q.add("a");
    expect(q.length).to.equal(0);
    let second: string | undefined;
    void q.get().then((i) => (second = i?.key));
    await new Promise((r) => setImmediate(r));
    expect(second).to.equal(undefined);
    q.done(first!.key);
    await until(() => second === "a", "re-queued key");
    q.done("a");
    expect(q.length).to.equal(0);
  });

  it("reports when a key was first added since it was last handed out", async () => {
    let now = 1000;
    const q = new WorkQueue<string>({ now: () => now });
    q.add("a");
    now = 1500;
    q.add("a");
    const item = await q.get();
    expect(item).to.deep.equal({ key: "a", addedAt: 1000 });
    now = 2000;
    q.add("a");
    q.done("a");
    expect((await q.get())!.addedAt).to.equal(2000);
  });

  it("addAfter delays; an earlier pending delayed add wins", async () => {
    const q = new WorkQueue<string>();
    const t0 = Date.now();
    q.addAfter("a", 200);
    q.addAfter("a", 20);
    q.addAfter("a", 500);
    q.addAfter("b", 100);
    expect(q.waitingDelayed).to.equal(2);
    expect(q.length).to.equal(0);
    const first = await q.get();
    expect(Date.now() - t0).to.be.at.least(15);
    const second = await q.get();
    // "a" kept its earliest delay (20 ms), so it comes before "b" (100 ms), whatever the timer slack.
    expect([first!.key, second!.key]).to.deep.equal(["a", "b"]);
  });

  it("rate-limited requeue backs off exponentially per key and forget() resets it", () => {
    const rl = new ExponentialRateLimiter<string>({ baseMs: 10, maxMs: 100 });
    expect([rl.when("a"), rl.when("a"), rl.when("a"), rl.when("b"), rl.when("a"), rl.when("a")]).to.deep.equal([10, 20, 40, 10, 80, 100]);
    expect(rl.retries("a")).to.equal(5);
    rl.forget("a");
    expect(rl.when("a")).to.equal(10);
    const b = new Backoff({ baseMs: 5, maxMs: 20 });
    expect([b.next(), b.next(), b.next(), b.next()]).to.deep.equal([5, 10, 20, 20]);
    b.reset();
    expect(b.next()).to.equal(5);
  });

  it("shutDown wakes waiting getters with undefined and drops delayed adds; mustGet rejects with QUEUE_SHUT_DOWN", async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.addAfter("x", 10_000);
    q.shutDown();
    expect(await waiting).to.equal(undefined);
    expect(q.waitingDelayed).to.equal(0);
    q.add("y");
    expect(q.length).to.equal(0);
    try {
      await q.mustGet();
      expect.fail("mustGet should reject");
    } catch (e) {
      expect(isMigratorError(e, "QUEUE_SHUT_DOWN")).to.equal(true);
    }
  });
});

describe("migrator controller workers", () => {
  function controllerWith(reconcile: (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>, workers = 3) {
    const queue = new WorkQueue<string>({ rateLimiter: new ExponentialRateLimiter({ baseMs: 5, maxMs: 50 }) });
    const { log, lines } = memoryLogger();
    const metrics = new MigratorMetrics();
    const c = new Controller({ name: "test", queue, reconciler: { reconcile }, log, workers, metrics });
    return { c, queue, lines, metrics };
  }

  it("runs different keys in parallel but one key never concurrently with itself", async () => {
    const running = new Set<string>();
    let maxParallel = 0;
    let overlaps = 0;
    let calls = 0;
    const { c, queue } = controllerWith(async (key) => {
      if (running.has(key)) overlaps++;
      running.add(key);
      maxParallel = Math.max(maxParallel, running.size);
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      running.delete(key);
      return {};
    });
    c.start();
    for (let i = 0; i < 20; i++) for (const k of ["a", "b", "c"]) c.enqueue(k);
    await until(() => calls >= 3 && queue.length === 0 && queue.inFlight === 0, "drain");
    // 60 adds, but each key runs at most twice: once at once, once more for all the adds made while it ran.
    expect(calls).to.be.at.most(6);
    const firstBatch = calls;
    for (let i = 0; i < 5; i++) {
      c.enqueue("a");
      await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => queue.length === 0 && queue.inFlight === 0, "drain 2");
    await c.stop();
    expect(overlaps).to.equal(0);
    expect(maxParallel).to.equal(3);
    expect(calls - firstBatch).to.be.at.least(1).and.at.most(5);
  });

  it("errors requeue with backoff, success forgets; panics (TypeError, thrown strings) become RECONCILE_PANIC", async () => {
    let n = 0;
    const { c, queue, lines, metrics } = controllerWith(async (key) => {
      n++;
      if (n === 1) throw "boom";
      if (n === 2) (undefined as unknown as { x: number }).x = 1;
      if (n === 3) throw Object.assign(new Error("kube said no"), { code: "KUBE_API_ERROR" });
      return {};
    });
    c.start();
    c.enqueue("k");
    await until(() => n === 4 && queue.inFlight === 0, "4 attempts");
    expect(queue.retries("k")).to.equal(0);
    const errors = lines.filter((l) => l.msg === "reconcile failed");
    expect(errors.map((l) => l.code)).to.deep.equal(["RECONCILE_PANIC", "RECONCILE_PANIC", "KUBE_API_ERROR"]);
    expect(errors.map((l) => l.retries)).to.deep.equal([1, 2, 3]);
    const text = await metrics.text();
    expect(text).to.match(/ovnkit_migrator_reconcile_errors_total\{code="RECONCILE_PANIC"\} 2/);
    expect(text).to.match(/ovnkit_migrator_reconciles_total\{result="success"\} 1/);
    await c.stop();
  });

  it("requeueAfter re-adds the key later; each reconcile has its own id in every log line", async () => {
    const ids: string[] = [];
    const { c, queue, lines } = controllerWith(async (_key, ctx) => {
      ids.push(ctx.id);
      ctx.log.info("inside");
      return ids.length === 1 ? { requeueAfterMs: 20 } : {};
    });
    c.start();
    c.enqueue("ns/vm");
    await until(() => ids.length === 2 && queue.inFlight === 0, "requeued run");
    await c.stop();
    expect(new Set(ids).size).to.equal(2);
    const inside = lines.filter((l) => l.msg === "inside");
    expect(inside.map((l) => l.reconcileId)).to.deep.equal(ids);
    expect(inside.every((l) => l.key === "ns/vm")).to.equal(true);
  });

  it("stop() waits for the reconcile in flight", async () => {
    let finished = false;
    const { c } = controllerWith(async () => {
      await new Promise((r) => setTimeout(r, 30));
      finished = true;
      return {};
    }, 1);
    c.start();
    c.enqueue("a");
    await new Promise((r) => setTimeout(r, 5));
    await c.stop();
    expect(finished).to.equal(true);
  });

  it("a silent logger and no metrics work too", async () => {
    const queue = new WorkQueue<string>();
    let ran = false;
    const c = new Controller({ name: "x", queue, reconciler: { reconcile: async () => ((ran = true), {}) }, log: silentLogger() });
    c.start();
    c.enqueue("a");
    await until(() => ran, "ran");
    await c.stop();
  });
});
