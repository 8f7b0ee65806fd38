/**
 * Client for an OVS daemon's unixctl socket (what ovs-appctl talks to): one persistent connection, commands
 * pipelined, so a frame injection costs a socket write instead of a process spawn.
 */
import { JsonRpcStream } from "./jsonrpc-stream.js";
import { SandboxError } from "./process.js";

export class UnixctlClient {
  private constructor(private readonly rpc: JsonRpcStream, readonly path: string) {}

  static async connect(path: string): Promise<UnixctlClient> {
    return new UnixctlClient(await JsonRpcStream.connect(path), path);
  }

  /**
   * Runs one command (e.g. "netdev-dummy/receive", "vm1", "<hex>"); resolves with its output text.
   * A command the daemon rejects fails with SandboxError UNIXCTL_ERROR carrying the daemon's message.
   */
  async command(method: string, ...args: string[]): Promise<string> {
    try {
      const result = await this.rpc.call(method, args);
      return typeof result === "string" ? result : JSON.stringify(result);
    } catch (e) {
      if (e instanceof SandboxError && e.code === "RPC_ERROR") {
        throw new SandboxError("UNIXCTL_ERROR", `${this.path}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  get inFlight(): number {
    return this.rpc.inFlight;
  }

  get closed(): Promise<void> {
    return this.rpc.closed;
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}
