/**
 * The main job: a KubeVirt-style live migration on a local OVN sandbox, end to end, with its timings.
 *
 *   bash scripts/demo.sh [--direct | --via-migrator] [--outcome succeeded|failed] [--nics N] [--help]
 *
 * See examples/demo/ (scenario.ts runs it, kubevirt-timeline.ts plays the steps, analysis.ts measures,
 * report.ts prints) and the "Main job" section of README.md.
 */
import { writeFile } from "node:fs/promises";
import { Cleanup } from "./demo/cleanup.js";
import { USAGE, parseDemoArgs, type DemoOptions } from "./demo/options.js";
import { formatReport } from "./demo/report.js";
import { runScenario } from "./demo/scenario.js";

let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2), "migrator");
} catch (e) {
  console.error(`${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const cleanup = new Cleanup().trapSignals();
const progress = (line: string): void => void process.stderr.write(`demo: ${line}\n`);
let code = 1;
try {
  const result = await runScenario(cleanup, { ...options.scenario, log: progress });
  console.log(formatReport(result));
  if (options.json) {
    const { timeline, probe, analysis, finalBinding, ...rest } = result;
    await writeFile(options.json, JSON.stringify({ ...rest, options: { ...rest.options, log: undefined }, timeline: timeline.sorted(), analysis, finalBinding, probe }, null, 2));
    progress(`wrote ${options.json}`);
  }
  code = result.analysis.ok ? 0 : 1;
} catch (e) {
  if (!cleanup.interrupted) console.error(`demo failed: ${(e as Error).stack ?? String(e)}`);
  code = 1;
} finally {
  const t = performance.now();
  await cleanup.run();
  progress(`stopped every daemon in ${Math.round(performance.now() - t)} ms`);
}
process.exit(code);
