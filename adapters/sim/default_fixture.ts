/**
 * The fixture `podnet sim init` and `deno task demo` use when given none: a
 * pod of 3 NICs (`fixtures/pod-3nic.json`, the team's sample host data),
 * imported as a JSON module so that a bundle or a compiled executable
 * carries it too.
 *
 * @module
 */

/**
 * A fresh copy of the 3-NIC fixture (a namespace and its endpoints).
 *
 * @example
 * ```ts
 * import { defaultFixture, SimulatedHost } from "@podnet/hcs/sim";
 * const host = new SimulatedHost({ guest: "lcow" });
 * host.loadFixture(await defaultFixture());
 * ```
 */
export async function defaultFixture(): Promise<unknown> {
  const module = await import("./fixtures/pod-3nic.json", { with: { type: "json" } });
  return structuredClone(module.default);
}
