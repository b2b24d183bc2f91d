/**
 * The order NICs are moved into the pod namespace, which decides their guest
 * names: the first becomes eth0.
 *
 * @module
 */

const ETH_SUFFIX = /(?:^|[^A-Za-z0-9])eth([0-9]+)$/i;

/**
 * The N of an endpoint name that "names ethN": it ends in `eth` and digits,
 * preceded by the start of the name or a character that is not a letter or
 * digit. Case-insensitive. Leading zeros are kept in the string form so that
 * huge numbers compare exactly.
 *
 * @example
 * ```ts
 * import { ethIndex } from "@podnet/hcs/ports";
 * ethIndex("4f1d0c2b9a7e_eth1"); // "1"
 * ethIndex("pod7-veth0"); // undefined
 * ```
 */
export function ethIndex(name: string): string | undefined {
  const digits = ETH_SUFFIX.exec(name)?.[1];
  if (digits === undefined) return undefined;
  return digits.replace(/^0+(?=\d)/, "");
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders endpoints for the guest: those naming ethN by N ascending, then the
 * rest; ties keep the input (HNS) order. Stable and total; does not modify
 * its input.
 *
 * @example
 * ```ts
 * import { orderEndpoints } from "@podnet/hcs/ports";
 * const order = orderEndpoints([{ name: "p_eth1" }, { name: "mgmt" }, { name: "p_eth0" }]);
 * console.log(order.map((e) => e.name)); // ["p_eth0", "p_eth1", "mgmt"]
 * ```
 */
export function orderEndpoints<T extends { readonly name: string }>(endpoints: readonly T[]): T[] {
  return endpoints
    .map((endpoint, position) => ({ endpoint, position, n: ethIndex(endpoint.name) }))
    .sort((a, b) => {
      if (a.n !== undefined && b.n !== undefined) {
        return compareDecimal(a.n, b.n) || a.position - b.position;
      }
      if (a.n !== undefined) return -1;
      if (b.n !== undefined) return 1;
      return a.position - b.position;
    })
    .map((e) => e.endpoint);
}

/**
 * Drops repeated IDs, keeping each ID's first position.
 */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
