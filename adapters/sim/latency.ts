/**
 * Latency profiles of the simulated host.
 *
 * @module
 */

/**
 * How long a simulated call takes: a fixed number of milliseconds, or a
 * range drawn from the host's seeded random generator. The call ends once
 * that time has passed, not a timer tick later: a timer covers all but the
 * last 2 ms, which are waited out one event-loop turn at a time (other calls
 * go on meanwhile), so a pipeline of many short calls is not charged for
 * Deno's timer granularity.
 *
 * @example
 * ```ts
 * import type { LatencySpec } from "@podnet/hcs/sim";
 * const fixed: LatencySpec = 5;
 * const random: LatencySpec = { minMs: 1, maxMs: 20 };
 * ```
 */
export type LatencySpec = number | { readonly minMs: number; readonly maxMs: number };

/**
 * Latency per operation or DLL function name (see `SimOp`), with `"*"` as the
 * fallback for names not listed. Unlisted names without a `"*"` take 0 ms.
 *
 * @example
 * ```ts
 * import type { LatencyProfile } from "@podnet/hcs/sim";
 * const profile: LatencyProfile = { "vm.add-nic": { minMs: 50, maxMs: 200 }, "*": 1 };
 * ```
 */
export type LatencyProfile = { readonly [op: string]: LatencySpec };
