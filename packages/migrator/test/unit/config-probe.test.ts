import { expect } from "chai";
import { parseArgs } from "../../src/cli.js";
import { validateConfig, type RawOptions } from "../../src/config.js";
import { isMigratorError } from "../../src/errors.js";

describe("migrator config: --ovsdb-probe-interval-ms", () => {
  it("defaults to 5000 ms, accepts 0 (off) and any other non-negative integer", async () => {
    const parse = async (...extra: string[]) => validateConfig((await parseArgs(["--nb", "unix:/run/ovn/ovnnb_db.sock", ...extra])) as RawOptions, {});
    expect((await parse()).ovsdbProbeIntervalMs).to.equal(5000);
    expect((await parse("--ovsdb-probe-interval-ms", "0")).ovsdbProbeIntervalMs).to.equal(0);
    expect((await parse("--ovsdb-probe-interval-ms", "250")).ovsdbProbeIntervalMs).to.equal(250);
  });

  it("refuses a negative or fractional interval (CONFIG_INVALID naming the option)", () => {
    for (const v of [-1, 1.5]) {
      try {
        validateConfig({ nb: "unix:/x.sock", ovsdbProbeIntervalMs: v }, {});
        expect.fail(`accepted ${v}`);
      } catch (e) {
        expect(isMigratorError(e, "CONFIG_INVALID")).to.equal(true);
        expect((e as { details: { option?: string } }).details.option).to.equal("ovsdb-probe-interval-ms");
      }
    }
  });
});
