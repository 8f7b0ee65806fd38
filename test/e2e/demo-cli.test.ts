/**
 * The main job as a user runs it (what scripts/demo.sh execs after setup): the demo program prints the timeline
 * table and the verdict, exits 0, and leaves no daemon behind.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { processesMentioning } from "@ovnkit/sandbox";
import { runProgram } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("e2e: the demo program (examples/demo.ts)", function () {
  it("runs a migration, prints the timeline and the measured interruption, exits 0 and stops every daemon", async function () {
    this.timeout(60_000);
    const r = await runProgram(process.execPath, ["--conditions=ovnkit-source", "--import", "tsx", "examples/demo.ts"], { cwd: ROOT });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Timeline \(ms since the probe started\)$/m);
    for (const step of [
      "ovnkit-migrator ARMED: requested-chassis=\"hv1,hv2\", activation-strategy=rarp", "RARP sent", "SB: vm1 options:additional-chassis-activated=hv2",
      "ovnkit-migrator COMPLETED: requested-chassis=hv2", "SB: vm1 chassis=hv2 alone",
    ]) {
      expect(r.stdout).to.include(step);
    }
    const m = /^Result: PASS: network interruption ([\d.]+) ms \(target < 500 ms\)/m.exec(r.stdout);
    expect(m, r.stdout).to.not.equal(null);
    expect(Number(m![1])).to.be.below(500);
    expect(r.stdout).not.to.include("[FAIL]");
    const dir = /sandbox up in \d+ ms \((\S+)\)/.exec(r.stderr)?.[1];
    expect(dir, r.stderr).to.be.a("string");
    expect(await processesMentioning(dir!)).to.deep.equal([]);
  });
});
