import { InvalidArgumentError } from "../../domain/errors.ts";
import type { LatencyProfile, LatencySpec } from "./latency.ts";
import { isSimOp } from "./operations.ts";
import { Mulberry32 } from "./_prng.ts";

interface Range {
  readonly min: number;
  readonly max: number;
}

function isRangeSpec(value: object): value is { minMs: number; maxMs: number } {
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes("minMs") && keys.includes("maxMs");
}

function toRange(spec: unknown, where: string): Range {
  if (typeof spec === "number") {
    if (!Number.isFinite(spec) || spec < 0) {
      throw new InvalidArgumentError(where, "must be a finite number of milliseconds >= 0");
    }
    return { min: spec, max: spec };
  }
  if (typeof spec === "object" && spec !== null && isRangeSpec(spec)) {
    const { minMs, maxMs } = spec;
    if (
      typeof minMs !== "number" || typeof maxMs !== "number" || !Number.isFinite(minMs) ||
      !Number.isFinite(maxMs) || minMs < 0 || maxMs < minMs
    ) {
      throw new InvalidArgumentError(where, "must have finite 0 <= minMs <= maxMs");
    }
    return { min: minMs, max: maxMs };
  }
  throw new InvalidArgumentError(where, "must be a number or { minMs, maxMs }");
}

/** Resolves the delay of each call from the host's latency option. */
export class LatencyModel {
  readonly #global: Range | undefined;
  readonly #byName: ReadonlyMap<string, Range>;
  readonly #random: Mulberry32;
  /** The option the model was built from (validated), for a host's state. */
  readonly spec: LatencySpec | LatencyProfile | undefined;

  constructor(latency: LatencySpec | LatencyProfile | undefined, seed: number) {
    this.#random = new Mulberry32(seed);
    const byName = new Map<string, Range>();
    this.#byName = byName;
    this.#global = LatencyModel.#parse(latency, byName);
    // Validated above, so plain numbers and objects: a copy the caller cannot change.
    this.spec = latency === undefined ? undefined : structuredClone(latency);
  }

  static #parse(
    latency: LatencySpec | LatencyProfile | undefined,
    byName: Map<string, Range>,
  ): Range | undefined {
    if (latency === undefined) return undefined;
    const value: unknown = latency;
    if (typeof value === "number") return toRange(value, "latency");
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidArgumentError("latency", "must be a LatencySpec or a profile object");
    }
    if (isRangeSpec(value)) return toRange(value, "latency");
    for (const [name, spec] of Object.entries(value)) {
      if (name !== "*" && !isSimOp(name)) {
        throw new InvalidArgumentError(`latency.${name}`, "is not an operation name");
      }
      byName.set(name, toRange(spec, `latency.${name}`));
    }
    return undefined;
  }

  /** Milliseconds the call takes; 0 when no latency applies. */
  delayMs(call: string, op: string): number {
    const range = this.#global ?? this.#byName.get(op) ?? this.#byName.get(call) ??
      this.#byName.get("*");
    if (range === undefined) return 0;
    if (range.max === range.min) return range.min;
    return range.min + this.#random.next() * (range.max - range.min);
  }

  /** The random generator's state. */
  get randomState(): number {
    return this.#random.state;
  }

  set randomState(value: number) {
    this.#random.state = value;
  }
}
