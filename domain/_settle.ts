/**
 * Waiting for reads made at once: all of them settle before the caller goes
 * on (none outlives the operation), the first failure in list order is the
 * one thrown, and a read of something gone can count as nothing.
 *
 * @module
 */
import { NotFoundError } from "./errors.ts";

/**
 * Waits until every read has settled (none outlives the operation), then
 * throws the first failure in list order, or resolves the values in order.
 */
export async function settleAll<T>(reads: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(reads);
  const values: T[] = [];
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    values.push(s.value);
  }
  return values;
}

/** The read's value, or undefined when what it reads is gone (`NotFoundError`). */
export function unlessGone<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
}
