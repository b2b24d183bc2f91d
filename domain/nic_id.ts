/**
 * NIC IDs: derived, not random, so that retries and a restarted process reach
 * the same IDs and logs can pivot between a VM NIC and its host endpoint.
 *
 * @module
 */
import { uuidBytes, uuidV5 } from "./_uuid_v5.ts";

/**
 * The UUID namespace of podnet's NIC IDs (fixed forever: changing it would
 * orphan the NICs of running pods).
 *
 * @example
 * ```ts
 * import { NIC_ID_NAMESPACE } from "@podnet/hcs";
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
 * import { deriveNicId } from "@podnet/hcs";
 * const id = deriveNicId("pod-a", "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d");
 * console.log(id[14]); // "5"
 * ```
 */
export function deriveNicId(podId: string, endpointId: string): string {
  const name = `${podId}/${endpointId.toLowerCase()}`;
  let id = recent.get(name);
  if (id === undefined) {
    id = uuidV5(name, NAMESPACE_BYTES);
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
const NAMESPACE_BYTES: Uint8Array = uuidBytes(NIC_ID_NAMESPACE);
