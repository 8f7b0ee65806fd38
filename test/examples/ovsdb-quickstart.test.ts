/**
 * examples/ovsdb-quickstart.ts runs end to end against a real ovsdb-server it starts itself (OVN_NB_DB unset):
 * exit 0 and the output of every step. Also checks that every TypeScript snippet of packages/ovsdb/README.md is
 * a verbatim excerpt of that file, so the README cannot drift from code that runs.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const example = join(root, "examples/ovsdb-quickstart.ts");
const readme = join(root, "packages/ovsdb/README.md");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runExample(timeoutMs: number): Promise<Run> {
  const env = { ...process.env };
  delete env["OVN_NB_DB"];
  delete env["OVN_SB_DB"];
  const child = spawn(process.execPath, ["--conditions=ovnkit-source", "--import", "tsx", example], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  // on a hang the example gets SIGTERM, which makes it stop the ovsdb-server it started
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

describe("examples/ovsdb-quickstart.ts", function () {
  this.timeout(60_000);
  let result: Run;

  before(async () => {
    result = await runExample(45_000);
  });

  it("exits 0 after every step", () => {
    expect(result.code, `stderr:\n${result.stderr}\nstdout:\n${result.stdout}`).to.equal(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).to.equal("done");
  });

  it("prints each step's result", () => {
    const out = result.stdout;
    expect(out).to.match(/^started ovsdb-server \(OVN_Northbound\): unix:\S+ tcp:127\.0\.0\.1:\d+ ssl:127\.0\.0\.1:\d+$/m);
    expect(out).to.contain("list_dbs: OVN_Northbound, _Server\n");
    expect(out).to.match(/^get_schema: OVN_Northbound \d+\.\d+\.\d+, \d+ tables$/m);
    expect(out).to.contain('tcp: echo ["hello"]\n');
    expect(out).to.match(/^ssl: ssl:127\.0\.0\.1:\d+ serves OVN_Northbound, _Server$/m);
    expect(out).to.match(/^transact: inserted [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}$/m);
    expect(out).to.match(/^stream: (initial|insert) Logical_Switch qs-ls0$/m);
    expect(out).to.contain("  event insert Logical_Switch_Port qs-vm1\n");
    expect(out).to.contain('replica: qs-vm1 tag=100 addresses=["0a:00:00:00:00:01 10.0.0.11"] pod=default/vm1\n');
    expect(out).to.contain("replica: by pod default/vm1 -> qs-vm1\n");
    expect(out).to.contain("  event modify Logical_Switch_Port qs-vm1\n");
    expect(out).to.contain('mutate: tag=101 options=[["requested-chassis","hv1,hv2"]] pod index -> 0 rows\n');
    expect(out).to.contain("error: VALIDATION_ERROR (an integer <= 4095)\n");
    expect(out).to.contain('error: TRANSACTION_ERROR kind="constraint violation" scope=commit index=1\n');
  });

  it("the session survives kill -9 + restart: the replica kept its rows, the waiting transaction went through", () => {
    const lines = result.stdout.split("\n");
    const connected = lines.filter((l) => l.startsWith("session: connected to standalone server"));
    expect(connected, result.stdout).to.have.length(2);
    expect(connected[0]).to.match(/resync \{"monitors":0,"fast":0,"full":0,"ms":\d+\}$/);
    // a standalone server keeps no transaction history: the monitor is reloaded from a full dump (exact deltas)
    expect(connected[1]).to.match(/resync \{"monitors":1,"fast":0,"full":1,"ms":\d+\}$/);
    const i = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(i("session: reconnecting (CONNECTION_CLOSED)")).to.be.greaterThan(lines.indexOf(connected[0]!));
    expect(lines).to.include("session: server killed, replica still has qs-ls0: true");
    expect(i("session: qs-ls1 in the replica after the reconnect: true")).to.be.greaterThan(lines.indexOf(connected[1]!));
    expect(result.stdout).to.match(/^codegen: \d+ files, e.g. acl\.ts, address-set\.ts, bfd\.ts$/m);
  });

  it("every ts snippet of packages/ovsdb/README.md is a verbatim excerpt of the example", async () => {
    const [md, source] = await Promise.all([readFile(readme, "utf8"), readFile(example, "utf8")]);
    const blocks = [...md.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    expect(blocks.length).to.be.greaterThan(5);
    for (const block of blocks) {
      // the README drops the example's indentation: compare line by line, each block as a contiguous run
      const want = block.trimEnd().split("\n").map((l) => l.trim());
      const have = source.split("\n").map((l) => l.trim());
      const at = have.findIndex((_, k) => want.every((w, j) => have[k + j] === w));
      expect(at, `README snippet not found in examples/ovsdb-quickstart.ts:\n${block}`).to.be.greaterThan(-1);
    }
  });
});
