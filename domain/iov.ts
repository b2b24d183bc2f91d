/**
 * A NIC's SR-IOV settings, as `updateEndpoint()` takes them and a binding
 * records them, and how they are checked.
 *
 * @module
 */
import { InvalidArgumentError } from "./errors.ts";

/**
 * The interrupt moderation modes HCS takes for an SR-IOV NIC.
 *
 * @example
 * ```ts
 * import { INTERRUPT_MODERATIONS } from "@podnet/hcs";
 * console.log(INTERRUPT_MODERATIONS.includes("Adaptive")); // true
 * ```
 */
export const INTERRUPT_MODERATIONS = [
  "Default",
  "Adaptive",
  "Off",
  "Low",
  "Medium",
  "High",
] as const;

/**
 * One interrupt moderation mode.
 *
 * @example
 * ```ts
 * import type { InterruptModeration } from "@podnet/hcs";
 * const m: InterruptModeration = "Low";
 * ```
 */
export type InterruptModeration = typeof INTERRUPT_MODERATIONS[number];

/**
 * A NIC's SR-IOV settings (HCS `IovSettings`). Each is optional; at least
 * one must be given. Numbers are unsigned 32-bit integers.
 *
 * @example
 * ```ts
 * import type { IovSettings } from "@podnet/hcs";
 * const iov: IovSettings = { offloadWeight: 100, queuePairsRequested: 4, interruptModeration: "Adaptive" };
 * ```
 */
export interface IovSettings {
  /** `OffloadWeight`: 0 turns SR-IOV off for the NIC. */
  readonly offloadWeight?: number;
  /** `QueuePairsRequested`. */
  readonly queuePairsRequested?: number;
  /** `InterruptModeration`. */
  readonly interruptModeration?: InterruptModeration;
}

const U32_MAX = 0xffff_ffff;

/**
 * Checks IOV settings given by a caller and returns a plain copy; bad input
 * is an `InvalidArgumentError` naming the field.
 *
 * @example
 * ```ts
 * import { checkIovSettings } from "@podnet/hcs";
 * const iov = checkIovSettings("options.iov", { offloadWeight: 50 });
 * console.log(iov.offloadWeight); // 50
 * ```
 *
 * @param argument the argument's name, for the error
 * @param value what the caller gave
 * @returns the settings
 * @throws {InvalidArgumentError} when a field is missing, unknown or out of range
 */
export function checkIovSettings(argument: string, value: unknown): IovSettings {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, "must be an object");
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== "offloadWeight" && key !== "queuePairsRequested" && key !== "interruptModeration") {
      throw new InvalidArgumentError(`${argument}.${key}`, "is not an IOV setting");
    }
  }
  const out: { -readonly [K in keyof IovSettings]: IovSettings[K] } = {};
  for (const key of ["offloadWeight", "queuePairsRequested"] as const) {
    const n = v[key];
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > U32_MAX) {
      throw new InvalidArgumentError(
        `${argument}.${key}`,
        `must be an integer from 0 to ${U32_MAX}`,
      );
    }
    out[key] = n;
  }
  const m = v.interruptModeration;
  if (m !== undefined) {
    if (!(INTERRUPT_MODERATIONS as readonly unknown[]).includes(m)) {
      throw new InvalidArgumentError(
        `${argument}.interruptModeration`,
        `must be one of ${INTERRUPT_MODERATIONS.join(", ")}`,
      );
    }
    out.interruptModeration = m as InterruptModeration;
  }
  if (Object.keys(out).length === 0) {
    throw new InvalidArgumentError(argument, "must give at least one IOV setting");
  }
  return out;
}
