#!/usr/bin/env node
// Entry point of the ovnkit-sandbox command: the TypeScript sources through tsx when it is available (in the
// repository), the compiled dist/ otherwise (an installed package).
let cli;
try {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(new URL("../src/cli.ts", import.meta.url).href);
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  cli = await import(new URL("../dist/cli.js", import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
