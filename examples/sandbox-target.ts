/**
 * Where the examples connect: the sandbox named by OVN_NB_DB / OVN_SB_DB (set by `eval "$(ovnkit-sandbox start)"`
 * or by sourcing its env.sh), or else a throwaway sandbox started here and stopped on exit.
 */
import { startSandbox, type Sandbox } from "@ovnkit/sandbox";

export interface Target {
  nbRemote: string;
  sbRemote: string;
  /** The sandbox object when this process started it (VM ports, frame injection). */
  sandbox: Sandbox | undefined;
  close(): Promise<void>;
}

export async function openTarget(options: { chassis?: number; forceOwn?: boolean } = {}): Promise<Target> {
  const nb = process.env["OVN_NB_DB"];
  const sb = process.env["OVN_SB_DB"];
  if (!options.forceOwn && nb !== undefined && sb !== undefined) {
    console.log(`using the sandbox of OVN_NB_DB=${nb} OVN_SB_DB=${sb}`);
    return { nbRemote: nb, sbRemote: sb, sandbox: undefined, close: async () => {} };
  }
  const t0 = performance.now();
  const sandbox = await startSandbox({ chassis: options.chassis ?? 2 });
  console.log(`started a sandbox (${sandbox.chassis.map((c) => c.name).join(", ")}) in ${Math.round(performance.now() - t0)} ms: ${sandbox.dir}`);
  return {
    nbRemote: sandbox.nbRemote,
    sbRemote: sandbox.sbRemote,
    sandbox,
    close: async () => {
      await sandbox.stop({ removeDir: true });
    },
  };
}
