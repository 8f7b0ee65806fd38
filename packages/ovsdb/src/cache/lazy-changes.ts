/**
 * A read-only array built on first use. `Replica.applyUpdates` returns the row changes it applied, but the
 * insert-only path (an initial load) does not build them: nothing in a Monitor reads them. This keeps the return
 * type `readonly RowChange[]` and builds the elements only if the caller touches the array. (Measured on a
 * 100k-row load the saving is within noise, see bench/README.md cache-load: short-lived change objects are
 * cheap; the apply time is the enumeration of the update object and the uuid and index Maps.)
 *
 * A Proxy whose target is the real array, filled in place on the first trap: every operation then behaves
 * exactly as on a plain array (`Array.isArray`, iteration, `length`, deep equality, JSON), and the Proxy
 * invariants hold trivially. One difference: `util.inspect` / `console.log` show a Proxy's target without
 * running traps, so an untouched array prints as `[]` (touch it first, e.g. `[...changes]`).
 */

/** A `readonly T[]` whose elements come from `build()`, called at most once, on first access. */
export function lazyArray<T>(build: () => T[]): readonly T[] {
  const target: T[] = [];
  let pending: (() => T[]) | undefined = build;
  const fill = (): T[] => {
    if (pending !== undefined) {
      const make = pending;
      pending = undefined;
      const items = make();
      for (let i = 0; i < items.length; i++) target.push(items[i] as T);
    }
    return target;
  };
  // Every trap that can observe or change the contents fills first, then forwards to the (same) target.
  return new Proxy(target, {
    get: (_t, p) => Reflect.get(fill(), p),
    has: (_t, p) => Reflect.has(fill(), p),
    ownKeys: () => Reflect.ownKeys(fill()),
    getOwnPropertyDescriptor: (_t, p) => Reflect.getOwnPropertyDescriptor(fill(), p),
    set: (_t, p, v) => Reflect.set(fill(), p, v),
    defineProperty: (_t, p, d) => Reflect.defineProperty(fill(), p, d),
    deleteProperty: (_t, p) => Reflect.deleteProperty(fill(), p),
    preventExtensions: () => Reflect.preventExtensions(fill()),
  });
}
