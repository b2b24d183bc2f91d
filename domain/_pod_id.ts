/**
 * What makes a pod ID usable, said once for the constructor's options and
 * for a snapshot's `podId` (its own file so that neither imports the other).
 *
 * @module
 */

/** The longest pod ID, in characters (code points). */
const MAX_POD_ID = 256;

/** Why a pod ID cannot be used, or `undefined` when it can. */
export function podIdProblem(podId: unknown): string | undefined {
  if (typeof podId !== "string" || podId.length === 0) return "must be non-empty text";
  if (!podId.isWellFormed() || /\p{Cc}/u.test(podId)) return "must be printable text";
  let length = 0;
  for (const _ of podId) {
    if (++length > MAX_POD_ID) return `must be at most ${MAX_POD_ID} characters`;
  }
  return undefined;
}
