/** The demo's command line (pure: no sandbox). */
import { expect } from "chai";
import { parseDemoArgs } from "../../examples/demo/options.js";

describe("e2e: demo options", () => {
  it("defaults to the given driver; --direct / --via-migrator choose, together they are refused", () => {
    expect(parseDemoArgs([], "migrator").scenario).to.deep.equal({ driver: "migrator" });
    expect(parseDemoArgs(["--direct"], "migrator").scenario.driver).to.equal("direct");
    expect(parseDemoArgs(["--via-migrator"], "direct").scenario.driver).to.equal("migrator");
    expect(() => parseDemoArgs(["--direct", "--via-migrator"], "migrator")).to.throw(/exclude each other/);
  });

  it("reads the phase durations, the directory and --json; refuses bad numbers and unknown options", () => {
    const o = parseDemoArgs(["--interval-ms", "2", "--memory-sync-ms", "0", "--downtime-ms", "100", "--steady-ms", "10", "--tail-ms", "40", "--dir", "/tmp/x", "--json", "out.json"], "direct");
    expect(o.scenario).to.deep.equal({ driver: "direct", intervalMs: 2, memorySyncMs: 0, downtimeMs: 100, steadyMs: 10, tailMs: 40, dir: "/tmp/x" });
    expect(o.json).to.equal("out.json");
    expect(() => parseDemoArgs(["--interval-ms", "0"], "direct")).to.throw(/--interval-ms must be a number >= 1/);
    expect(() => parseDemoArgs(["--tail-ms", "abc"], "direct")).to.throw(/--tail-ms/);
    expect(() => parseDemoArgs(["--nope"], "direct")).to.throw(/nope/);
    expect(parseDemoArgs(["-h"], "direct").help).to.equal(true);
  });

  it("reads --outcome (succeeded | failed) and --nics (1-9), refusing anything else", () => {
    expect(parseDemoArgs(["--outcome", "failed", "--nics", "2"], "direct").scenario).to.deep.equal({ driver: "direct", outcome: "failed", nics: 2 });
    expect(parseDemoArgs(["--outcome", "succeeded"], "direct").scenario.outcome).to.equal("succeeded");
    expect(() => parseDemoArgs(["--outcome", "aborted"], "direct")).to.throw(/--outcome must be succeeded or failed/);
    expect(() => parseDemoArgs(["--nics", "0"], "direct")).to.throw(/--nics must be a number >= 1/);
    expect(() => parseDemoArgs(["--nics", "1.5"], "direct")).to.throw(/--nics must be an integer from 1 to 9/);
    expect(() => parseDemoArgs(["--nics", "10"], "direct")).to.throw(/--nics must be an integer from 1 to 9/);
  });
});
