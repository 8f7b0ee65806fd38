/**
 * A frozen lookup object that throws OvsdbError "VALIDATION_ERROR" when read with a name it does not hold,
 * so `Model.where.no_such_column` fails with a typed error instead of a TypeError on undefined.
 */
import { OvsdbError } from "../protocol/errors.js";

/** Names that generic code probes on any object (promises, JSON, inspectors, test libraries). */
const PROBES = new Set(["then", "toJSON", "constructor", "asymmetricMatch", "nodeType", "inspect", "$$typeof", "length"]);

export function strictRecord<T extends object>(entries: T, describe: (name: string) => string, details: Record<string, unknown>): T {
  const target = Object.freeze(entries);
  return new Proxy(target, {
    get(obj, name, receiver) {
      if (typeof name === "symbol" || Object.prototype.hasOwnProperty.call(obj, name)) return Reflect.get(obj, name, receiver);
      if (PROBES.has(name) || name.startsWith("__") || name.startsWith("@@") || name in Object.prototype) {
        return Reflect.get(obj, name, receiver);
      }
      throw new OvsdbError("VALIDATION_ERROR", describe(name), { details: { ...details, column: name, reason: "unknown column" } });
    },
  });
}
