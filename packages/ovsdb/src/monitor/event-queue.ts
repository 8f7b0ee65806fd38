/**
 * The backpressure rule for consumers that work asynchronously: events are never dropped. The replica applies
 * every update synchronously and its streams deliver synchronously; `eventQueue` turns such a stream into an
 * async iterator backed by an UNBOUNDED buffer. When the buffer grows past `highWaterMark` the
 * `onHighWaterMark` callback is told (once per crossing; again after the queue drained below half of it), so a
 * slow consumer is visible instead of silently losing events. Memory, not correctness, is what a slow
 * consumer costs. A level-triggered consumer (re-reads the replica per key) can coalesce instead.
 */
import type { Observable, Subscription } from "rxjs";

export interface EventQueueOptions {
  /** Buffer size that triggers `onHighWaterMark`. Default 10000. */
  highWaterMark?: number;
  /** Called with the buffer size when it reaches the high-water mark. Default: process.emitWarning. */
  onHighWaterMark?: (size: number) => void;
}

export interface EventQueue<T> extends AsyncIterableIterator<T> {
  /** Events buffered and not yet consumed. */
  readonly size: number;
  /** The largest the buffer has been. */
  readonly maxSize: number;
}

export function eventQueue<T>(source: Observable<T>, options: EventQueueOptions = {}): EventQueue<T> {
  const hwm = options.highWaterMark ?? 10000;
  const warn =
    options.onHighWaterMark ??
    ((size: number) => process.emitWarning(`event queue holds ${size} events (high-water mark ${hwm}): the consumer is slow`, "OvsdbSlowConsumer"));
  const items: T[] = [];
  let head = 0;
  let maxSize = 0;
  let warned = false;
  let done = false;
  let failure: { error: unknown } | undefined;
  let waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;

  const size = (): number => items.length - head;
  const wake = (): void => {
    const w = waiter;
    if (w === undefined) return;
    if (size() > 0) {
      waiter = undefined;
      w.resolve({ value: take(), done: false });
    } else if (failure !== undefined) {
      waiter = undefined;
      w.reject(failure.error);
    } else if (done) {
      waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  };
  const take = (): T => {
    const v = items[head] as T;
    items[head++] = undefined as T;
    if (head > 1024 && head * 2 > items.length) {
      items.splice(0, head);
      head = 0;
    }
    if (warned && size() < hwm / 2) warned = false;
    return v;
  };

  const sub: Subscription = source.subscribe({
    next: (v) => {
      items.push(v);
      const n = size();
      if (n > maxSize) maxSize = n;
      if (!warned && n >= hwm) {
        warned = true;
        warn(n);
      }
      wake();
    },
    error: (e) => {
      failure = { error: e };
      wake();
    },
    complete: () => {
      done = true;
      wake();
    },
  });

  const queue: EventQueue<T> = {
    get size() {
      return size();
    },
    get maxSize() {
      return maxSize;
    },
    next(): Promise<IteratorResult<T>> {
      if (size() > 0) return Promise.resolve({ value: take(), done: false });
      if (failure !== undefined) return Promise.reject(failure.error);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    return(): Promise<IteratorResult<T>> {
      sub.unsubscribe();
      done = true;
      items.length = 0;
      head = 0;
      wake();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
