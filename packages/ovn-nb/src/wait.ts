/**
 * Waiting for a replica to reach a state, driven by its change batches (no polling): `probe` is evaluated now
 * and after every applied message; the promise resolves with the first non-undefined value, at the moment
 * the update that produced it was applied.
 */
import type { Subscription } from "rxjs";
import { OvsdbError, type Monitor } from "@ovnkit/ovsdb";

export interface WaitOptions {
  /** Reject with REQUEST_TIMEOUT after this long. Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type AnyMonitor = Monitor<any>;

export function waitForState<T>(monitor: AnyMonitor, what: string, probe: () => T | undefined, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const subs: Subscription[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const s of subs) s.unsubscribe();
      options.signal?.removeEventListener("abort", onAbort);
      f();
    };
    const check = (): void => {
      let v: T | undefined;
      try {
        v = probe();
      } catch (e) {
        finish(() => reject(e));
        return;
      }
      if (v !== undefined) finish(() => resolve(v as T));
    };
    const onAbort = (): void => finish(() => reject(new OvsdbError("CANCELLED", `waiting for ${what}: aborted`)));
    subs.push(monitor.batches$.subscribe({ next: check }));
    subs.push(
      monitor.status$.subscribe((s) => {
        if (s.state === "failed") finish(() => reject(s.error));
        if (s.state === "cancelled") finish(() => reject(new OvsdbError("CANCELLED", `waiting for ${what}: the monitor was cancelled`)));
      }),
    );
    if (done) {
      for (const s of subs) s.unsubscribe();
      return;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) return onAbort();
    timer = setTimeout(
      () => finish(() => reject(new OvsdbError("REQUEST_TIMEOUT", `timed out after ${timeoutMs} ms waiting for ${what}`, { details: { what, timeoutMs } }))),
      timeoutMs,
    );
    check();
  });
}
