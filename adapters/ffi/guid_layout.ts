/**
 * GUIDs in the byte layout Windows passes them (`REFGUID`).
 *
 * @module
 */
import { InvalidArgumentError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";

/**
 * The 16 bytes of a GUID in Windows layout: `Data1` (u32), `Data2` and
 * `Data3` (u16) little-endian, then `Data4` as written. Accepts any case and
 * braces; anything else is an `InvalidArgumentError`.
 * (`guidBytes("0f1e2d3c-4b5a-...")` starts with `3c 2d 1e 0f 5a 4b`.)
 *
 * @param id the GUID text
 * @param argument the argument's name, for the error
 */
export function guidBytes(id: string, argument = "id"): Uint8Array<ArrayBuffer> {
  const canonical = typeof id === "string" ? normalizeGuid(id) : undefined;
  if (canonical === undefined) {
    throw new InvalidArgumentError(argument, `${JSON.stringify(id)} is not a GUID`);
  }
  const hex = canonical.replaceAll("-", "");
  const byte = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const out = new Uint8Array(16);
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  order.forEach((from, to) => {
    out[to] = byte(from);
  });
  return out;
}
