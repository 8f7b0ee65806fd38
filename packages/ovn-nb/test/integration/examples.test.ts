/**
 * The examples run as documented (one command each, their own sandbox) and print what they claim. Keeps them
 * from rotting; each starts its own ~0.5 s sandbox.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

function runExample(file: string, args: string[] = []): Promise<string> {
  const env = { ...process.env };
  delete env["OVN_NB_DB"];
  delete env["OVN_SB_DB"];
  return new Promise((res, rej) => {
    execFile("node", ["--conditions=ovnkit-source", "--import", "tsx", `examples/${file}`, ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${file} failed: ${err.message}\n${stdout}\n${stderr}`));
      else res(stdout);
    });
  });
}

describe("examples (each against its own sandbox)", function () {
  it("migrate-port.ts: arm, activation by RARP, complete on hv2, stale second completion, three timings", async () => {
    const out = await runExample("migrate-port.ts");
    expect(out).to.match(/SB vm1-eth0: chassis=hv1 additional=\[hv2\] activated=\[\]/);
    expect(out).to.match(/SB vm1-eth1: chassis=hv1 additional=\[hv2\] activated=\[hv2\]/);
    expect(out).to.match(/SB vm1-eth0: chassis=hv2 additional=\[\]/);
    expect(out).to.contain("SB: chassis=hv2 alone on both NICs");
    expect(out).to.contain('re-arm (no write): {"changed":false,"written":[]}');
    expect(out).to.contain("a second completion is refused: STALE_MIGRATION");
    expect(out).to.match(/timings: arm -> SB additional_chassis [\d.]+ ms; RARP -> activated [\d.]+ ms; complete -> chassis=hv2 [\d.]+ ms/);
  });

  it("create-switch.ts: the topology, read back from the replica and by ovn-nbctl show", async () => {
    const out = await runExample("create-switch.ts");
    expect(out).to.match(/ports: demo-to-gw=\[router\], web1=\[0a:00:00:00:00:01 10\.0\.0\.11\], web2=/);
    expect(out).to.contain("ports of pod default/web1: web1");
    expect(out).to.contain("router-port: demo-gw-demo");
    expect(out).to.contain('type: "snat"');
  });

  it("watch-ports.ts: NB events and SB bindings of its scenario", async () => {
    const out = await runExample("watch-ports.ts");
    expect(out).to.match(/NB port vm1 created: addresses=\[0a:00:00:00:00:01 10\.0\.0\.11\]/);
    expect(out).to.match(/NB port vm1 modified: options=\{activation-strategy=rarp, requested-chassis=hv1,hv2\}/);
    expect(out).to.match(/SB vm1: chassis=hv1 additional=\[hv2\]/);
    expect(out).to.match(/SB vm1: chassis=hv2 additional=\[\] activated=\[\] up=true/);
    expect(out).to.contain("NB port vm2 deleted");
  });
});
