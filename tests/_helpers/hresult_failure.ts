/**
 * What a simulated or stand-in DLL call that must fail failed with: the
 * `HResultError` (anything else fails the test), or just its HRESULT.
 *
 * @module
 */
import assert from "node:assert/strict";
import { HResultError } from "../../domain/errors.ts";

/** The `HResultError` that `promise` rejects with. */
export async function hresultErrorOf(promise: Promise<unknown>): Promise<HResultError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof HResultError, `expected HResultError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

/** The HRESULT that `promise` rejects with. */
export async function hresultOf(promise: Promise<unknown>): Promise<number> {
  return (await hresultErrorOf(promise)).hresult;
}
