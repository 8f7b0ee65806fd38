import * as k8s from "@kubernetes/client-node";
import type { FakeKubeApiServer } from "../index.js";

export function kubeConfigFor(server: FakeKubeApiServer): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeconfig());
  return kc;
}

/** Polls `pred` until it holds (no fixed sleeps); fails with `what` after `timeoutMs`. */
export async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The Status body of a client-node ApiException (its body is the raw JSON text). */
export function statusOf(e: unknown): { code: number; reason: string; kind: string; message: string } {
  const body = (e as { body?: unknown }).body;
  const parsed = typeof body === "string" ? (JSON.parse(body) as Record<string, unknown>) : (body as Record<string, unknown>);
  return { code: (e as { code: number }).code, reason: String(parsed.reason), kind: String(parsed.kind), message: String(parsed.message) };
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject");
}

export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; phase?: string } = {}): k8s.V1Pod {
  return {
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { containers: [{ name: "compute", image: "virt-launcher" }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
    ...(extra.phase ? { status: { phase: extra.phase } } : {}),
  };
}
