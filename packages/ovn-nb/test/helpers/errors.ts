// Assertions on the typed errors (OvsdbError / OvnNbError) a call throws; tests assert on the stable `code`.
import { isOvsdbError } from "@ovnkit/ovsdb";

/** The `code` of the typed error `f` throws; any other error is rethrown, and no throw at all fails. */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isOvsdbError(e)) return e.code;
    throw e;
  }
  throw new Error("did not throw");
}
