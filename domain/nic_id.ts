/**
 * NIC IDs: derived, not random, so that retries and a restarted process reach
 * the same IDs and logs can pivot between a VM NIC and its host endpoint.
 *
 * @module
 */
import { sha1 } from "@noble/hashes/legacy";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils";

/**
 * The UUID namespace of podnet's NIC IDs (fixed forever: changing it would
 * orphan the NICs of running pods).
 *
 * @example
 * ```ts
 * import { NIC_ID_NAMESPACE } from "@podnet/hcs/ports";
 * console.log(NIC_ID_NAMESPACE);
 * ```
 */
export const NIC_ID_NAMESPACE = "20c7913c-7652-423c-9b28-90b9921ac97d";

/**
 * The NIC ID of an endpoint in a pod: the name-based (v5) UUID of
 * `"<podId>/<endpointId>"` in {@linkcode NIC_ID_NAMESPACE}. The endpoint ID
 * is a fixed-length GUID at the end, so distinct pairs never share a name.
 *
 * @example
 * ```ts
 * import { deriveNicId } from "@podnet/hcs/ports";
 * const id = deriveNicId("pod-a", "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d");
 * console.log(id[14]); // "5"
 * ```
 */
export function deriveNicId(podId: string, endpointId: string): string {
  const name = `${podId}/${endpointId.toLowerCase()}`;
  let id = recent.get(name);
  if (id === undefined) {
    id = nameBasedUuid(name);
    // A pod's IDs are derived again when its record is read back or
    // checked; keep the latest few (oldest out first).
    if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value ?? "");
    recent.set(name, id);
  }
  return id;
}

const RECENT_LIMIT = 1024;
const recent = new Map<string, string>();

/** The namespace, parsed once rather than on every call. */
const NAMESPACE_BYTES: Uint8Array = hexToBytes(NIC_ID_NAMESPACE.replaceAll("-", ""));

/**
 * The version 5 UUID of `name` in the NIC ID namespace (RFC 9562 section
 * 5.5): the first 16 bytes of the SHA-1 of the namespace and the name (UTF-8),
 * with the version and variant bits set, in the canonical lower-case form.
 * This is what the `uuid` package's `v5()` computes, and
 * `tests/nic_id_test.ts` holds the two to the same answers. podnet does not
 * call it: on Deno the package loads its Node build, whose SHA-1 is
 * `node:crypto`, and loading that costs every command-line start about 15 ms.
 */
function nameBasedUuid(name: string): string {
  const bytes = sha1(concatBytes(NAMESPACE_BYTES, utf8ToBytes(name))).subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
