/**
 * ovnkit-sandbox: start / stop / status / env / as for an OVN sandbox in a directory.
 * Connection strings go to stdout as `export` lines (so `eval "$(ovnkit-sandbox start)"` works); progress and
 * errors go to stderr. Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import yargs from "yargs";
import { rundirEnv } from "./daemon.js";
import { SandboxError } from "./process.js";
import { SBIN_DIRS } from "./prerequisites.js";
import { sandboxStatus, startSandbox, stopSandbox } from "./sandbox.js";
import { ENV_FILE, assertSandboxDir, readState } from "./state.js";

const NAME = "ovnkit-sandbox";

function defaultDir(): string {
  return resolve(process.env["OVNKIT_SANDBOX_DIR"] ?? ".sandbox");
}

/** OVS daemons live in /usr/sbin, which a non-root PATH often lacks. */
function pathWithSbin(path: string | undefined): string {
  const dirs = (path ?? "").split(delimiter).filter((d) => d.length > 0);
  return [...dirs, ...SBIN_DIRS.filter((d) => !dirs.includes(d))].join(delimiter);
}

class UsageError extends Error {}

const err = (line: string) => process.stderr.write(`${NAME}: ${line}\n`);
const out = (text: string) => process.stdout.write(text);

async function cmdStart(a: { dir: string; chassis: number; clustered: boolean; raft: "tcp" | "unix"; json: boolean }): Promise<number> {
  const sb = await startSandbox({ dir: a.dir, chassis: a.chassis, clustered: a.clustered, raft: a.raft });
  const t = sb.timings;
  if (a.json) {
    out(`${JSON.stringify({ ...sb.env(), timings: t }, null, 2)}\n`);
  } else {
    err(`started ${sb.chassis.length} chassis (${sb.chassis.map((c) => c.name).join(" ")}), ${sb.clustered ? "clustered (3-member Raft)" : "standalone"} NB/SB in ${t.total} ms (central up at ${t.central} ms, chassis at ${t.chassis} ms, all flows at ${t.ready} ms)`);
    out(await readFile(join(sb.dir, ENV_FILE), "utf8").then((s) => s.split("\n").filter((l) => l.startsWith("export ")).join("\n") + "\n"));
    err(`source ${join(sb.dir, ENV_FILE)} for these and ovnkit_as (e.g. ovnkit_as hv1 ovs-vsctl show); stop with: ${NAME} stop --dir ${sb.dir}`);
  }
  // the daemons are detached and keep running; only this process' connections are closed
  await Promise.all(sb.chassis.map((c) => c.close()));
  return 0;
}

async function cmdStop(a: { dir: string }): Promise<number> {
  const r = await stopSandbox(a.dir);
  err(r.stopped === 0 ? `nothing was running in ${resolve(a.dir)}` : `stopped ${r.stopped} daemons in ${r.ms} ms`);
  return 0;
}

async function cmdStatus(a: { dir: string; json: boolean }): Promise<number> {
  const s = await sandboxStatus(a.dir);
  if (a.json) {
    out(`${JSON.stringify(s, null, 2)}\n`);
  } else {
    const width = Math.max(...s.daemons.map((d) => d.label.length), 10);
    for (const d of s.daemons) out(`${d.label.padEnd(width)}  pid ${String(d.pid).padEnd(8)} ${d.alive ? "running" : "stopped"}\n`);
    out(`${s.running ? "running" : s.aliveCount === 0 ? "stopped" : `degraded: ${s.aliveCount}/${s.daemons.length} daemons alive`}: ${s.dir}\n`);
  }
  return s.running ? 0 : 3;
}

async function cmdEnv(a: { dir: string }): Promise<number> {
  await assertSandboxDir(resolve(a.dir));
  if (!(await readState(resolve(a.dir)))) throw new SandboxError("NOT_STARTED", `the sandbox in ${resolve(a.dir)} never finished starting`);
  out(await readFile(join(resolve(a.dir), ENV_FILE), "utf8"));
  return 0;
}

/** `as [--dir D] <member> [--] <command...>`: runs a command in a member's run directory. */
async function cmdAs(args: string[]): Promise<number> {
  let dir = defaultDir();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--dir" && i + 1 < args.length) dir = resolve(args[++i]!);
    else if (a.startsWith("--dir=")) dir = resolve(a.slice(6));
    else break;
  }
  const member = args[i];
  let cmd = args.slice(i + 1);
  if (cmd[0] === "--") cmd = cmd.slice(1);
  if (!member || cmd.length === 0) {
    err("usage: ovnkit-sandbox as [--dir DIR] <hvN|main|northd|nb|sb> [--] <command...>");
    return 2;
  }
  await assertSandboxDir(dir);
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: "inherit", env: rundirEnv(join(dir, member)) });
  return new Promise((res) => {
    child.on("error", (e) => {
      err(`${cmd[0]}: ${e.message}`);
      res(127);
    });
    child.on("exit", (code, signal) => res(code ?? (signal ? 128 : 1)));
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  process.env["PATH"] = pathWithSbin(process.env["PATH"]);
  try {
    if (argv[0] === "as") return await cmdAs(argv.slice(1));
    let code = 0;
    const dirOption = { type: "string", default: defaultDir(), describe: "sandbox directory ($OVNKIT_SANDBOX_DIR, else ./.sandbox)" } as const;
    await yargs([...argv])
      .scriptName(NAME)
      .usage(`${NAME} <command> [options]`)
      .command("start", "start a sandbox (NB, SB, northd, chassis hv1..hvN)", (y) => y
        .option("dir", dirOption)
        .option("chassis", { type: "number", default: 2, describe: "number of chassis" })
        .option("clustered", { type: "boolean", default: false, describe: "NB and SB as 3-member Raft clusters" })
        .option("raft", { choices: ["tcp", "unix"] as const, default: "tcp" as const, describe: "Raft links (with --clustered)" })
        .option("json", { type: "boolean", default: false, describe: "print connection strings and timings as JSON" })
        .strict(),
      async (a) => { code = await cmdStart(a); })
      .command("stop", "stop the sandbox's daemons", (y) => y.option("dir", dirOption).strict(), async (a) => { code = await cmdStop(a); })
      .command("status", "show the sandbox's daemons (exit 0 if all run, 3 otherwise)", (y) => y
        .option("dir", dirOption)
        .option("json", { type: "boolean", default: false })
        .strict(),
      async (a) => { code = await cmdStatus(a); })
      .command("env", "print the sandbox's env.sh (export lines and ovnkit_as)", (y) => y.option("dir", dirOption).strict(), async (a) => { code = await cmdEnv(a); })
      .command("as <member> <command...>", "run a command in a member's run directory (e.g. as hv1 ovs-vsctl show)")
      .demandCommand(1, "give a command")
      .strict()
      .exitProcess(false)
      .fail((msg, e) => {
        // throwing is what stops yargs from running the command after a validation failure
        throw e ?? new UsageError(msg);
      })
      .help()
      .parseAsync();
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message} (see ${NAME} --help)`);
      return 2;
    }
    if (e instanceof SandboxError) {
      err(`error [${e.code}]: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
