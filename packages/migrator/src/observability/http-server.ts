/**
 * The daemon's HTTP endpoints: /healthz (the process serves), /readyz (informers synced and NB reachable;
 * 503 with the failing checks otherwise), /metrics (Prometheus text).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { MigratorMetrics } from "./metrics.js";

export type ReadinessCheck = () => { ok: boolean; detail?: string };

export interface HealthServerOptions {
  /** "host:port" (port 0: kernel-chosen). */
  readonly address: string;
  readonly metrics: MigratorMetrics;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  if (!m) throw new RangeError(`not a host:port address: ${JSON.stringify(address)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new RangeError(`port out of range in ${JSON.stringify(address)}`);
  return { host: m[1] ?? (m[2] === "" ? "0.0.0.0" : m[2]!), port };
}

export class HealthServer {
  private constructor(private readonly server: Server, readonly port: number, readonly host: string) {}

  static async start(options: HealthServerOptions): Promise<HealthServer> {
    const { host, port } = parseHostPort(options.address);
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405).end();
        return;
      }
      if (path === "/healthz" || path === "/livez") {
        res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
      } else if (path === "/readyz") {
        const failing = Object.entries(options.checks)
          .map(([name, check]) => ({ name, ...check() }))
          .filter((c) => !c.ok);
        const body = failing.length === 0 ? "ok\n" : failing.map((c) => `[-] ${c.name}${c.detail ? `: ${c.detail}` : ""}`).join("\n") + "\n";
        res.writeHead(failing.length === 0 ? 200 : 503, { "Content-Type": "text/plain" }).end(body);
      } else if (path === "/metrics") {
        options.metrics.text().then(
          (text) => res.writeHead(200, { "Content-Type": options.metrics.registry.contentType }).end(text),
          (e: unknown) => res.writeHead(500).end(String(e)),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    return new HealthServer(server, addr.port, addr.address);
  }

  get url(): string {
    const h = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `http://${h === "0.0.0.0" ? "127.0.0.1" : h}:${this.port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
