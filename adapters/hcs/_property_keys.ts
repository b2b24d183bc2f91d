/**
 * The keys of HCS property documents that podnet reads, matched as
 * hcsshim's Go decoder matches them (case-insensitively; see
 * `adapters/_fold_keys.ts`). hcsshim decodes these documents into
 * `schema1.ContainerProperties` (`internal/hcs/schema1/schema1.go`, read in
 * `internal/hcs/system.go`): `State`, `Stopped`, `GuestConnectionInfo` and,
 * below it, `GuestDefinedCapabilities.NamespaceAddRequestSupported`.
 *
 * @module
 */
import { foldKeys, isJsonObject, keyTable } from "../_fold_keys.ts";
import type { JsonObject } from "../../ports/json.ts";

const top = keyTable(["State", "Stopped", "GuestConnectionInfo"]);
const info = keyTable(["GuestDefinedCapabilities"]);
const capabilities = keyTable(["NamespaceAddRequestSupported"]);

/** `properties` with the keys podnet reads spelled canonically (a copy only when needed). */
export function foldPropertyKeys(properties: JsonObject): JsonObject {
  let out = foldKeys(properties, top);
  const connection = out.GuestConnectionInfo;
  if (!isJsonObject(connection)) return out;
  let folded = foldKeys(connection, info);
  const caps = folded.GuestDefinedCapabilities;
  if (isJsonObject(caps)) {
    const foldedCaps = foldKeys(caps, capabilities);
    if (foldedCaps !== caps) folded = { ...folded, GuestDefinedCapabilities: foldedCaps };
  }
  if (folded !== connection) out = { ...out, GuestConnectionInfo: folded };
  return out;
}
