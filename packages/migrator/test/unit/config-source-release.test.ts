import { expect } from "chai";
import { parseArgs } from "../../src/cli.js";
import { validateConfig, type RawOptions } from "../../src/config.js";
import { isMigratorError } from "../../src/errors.js";

describe("migrator config: --complete-after-source-release", () => {
  const parse = async (...extra: string[]) => validateConfig((await parseArgs(["--nb", "unix:/run/ovn/ovnnb_db.sock", ...extra])) as RawOptions, {});

  it("is off by default, with a 30 s grace", async () => {
    const c = await parse();
    expect(c.completeAfterSourceRelease).to.equal(false);
    expect(c.sourceReleaseGraceSeconds).to.equal(30);
    expect(validateConfig({ nb: "unix:/x.sock" }, {}).completeAfterSourceRelease).to.equal(false);
  });

  it("is turned on by the flag; the grace is configurable", async () => {
    const c = await parse("--complete-after-source-release", "--source-release-grace-seconds", "5");
    expect(c.completeAfterSourceRelease).to.equal(true);
    expect(c.sourceReleaseGraceSeconds).to.equal(5);
  });

  it("refuses a negative or fractional grace (CONFIG_INVALID naming the option)", () => {
    for (const v of [-1, 2.5]) {
      try {
        validateConfig({ nb: "unix:/x.sock", completeAfterSourceRelease: true, sourceReleaseGraceSeconds: v }, {});
        expect.fail(`accepted ${v}`);
      } catch (e) {
        expect(isMigratorError(e, "CONFIG_INVALID")).to.equal(true);
        expect((e as { details?: { option?: string } }).details?.option).to.equal("source-release-grace-seconds");
      }
    }
  });
});
