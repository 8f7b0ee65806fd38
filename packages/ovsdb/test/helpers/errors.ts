// Assertions on the OvsdbError a call throws or a promise rejects with (tests assert on its stable `code`).
import { expect } from "chai";
import { OvsdbError } from "../../src/protocol/errors.js";

/** Runs `f`, which must throw an OvsdbError, and returns that error. */
export function thrown(f: () => unknown): OvsdbError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(OvsdbError);
    return e as OvsdbError;
  }
  return expect.fail("expected an OvsdbError to be thrown");
}

/** The `code` of the OvsdbError that `f` must throw. */
export function codeOf(f: () => unknown): string {
  return thrown(f).code;
}

/** Runs `f`, which must throw an OvsdbError with code VALIDATION_ERROR, and returns that error. */
export function validationError(f: () => unknown): OvsdbError {
  const e = thrown(f);
  expect(e.code).to.equal("VALIDATION_ERROR");
  return e;
}

/** Awaits `p`, which must reject with an OvsdbError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<OvsdbError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(OvsdbError);
    return e as OvsdbError;
  }
  return expect.fail("expected a rejection with an OvsdbError");
}
