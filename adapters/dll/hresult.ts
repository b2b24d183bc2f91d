/**
 * HRESULT codes podnet recognises, and what they mean to it.
 *
 * @module
 */

/**
 * Named HRESULTs (unsigned) from windows-api facts: HCN facility 0x3B, HCS
 * facility 0x37, and Win32 codes as HRESULTs.
 *
 * @example
 * ```ts
 * import { HRESULT } from "@podnet/hcs/native";
 * console.log(HRESULT.ERROR_NOT_FOUND.toString(16)); // 80070490
 * ```
 */
export const HRESULT = {
  S_OK: 0x00000000,
  E_NOTIMPL: 0x80004001,
  E_FAIL: 0x80004005,
  E_INVALIDARG: 0x80070057,
  E_HANDLE: 0x80070006,
  ERROR_FILE_NOT_FOUND: 0x80070002,
  ERROR_NOT_FOUND: 0x80070490,
  ERROR_ALREADY_EXISTS: 0x800700b7,
  HCN_E_NETWORK_NOT_FOUND: 0x803b0001,
  HCN_E_ENDPOINT_NOT_FOUND: 0x803b0002,
  HCN_E_INVALID_ENDPOINT: 0x803b000c,
  HCN_E_ENDPOINT_ALREADY_ATTACHED: 0x803b0014,
  HCN_E_REQUEST_UNSUPPORTED: 0x803b0015,
  HCN_E_GUID_CONVERSION_FAILURE: 0x803b0019,
  HCN_E_INVALID_JSON: 0x803b001b,
  HCN_E_MANAGER_STOPPED: 0x803b0020,
  HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS: 0x803b002b,
  HCN_E_NAMESPACE_ATTACH_FAILED: 0x803b002e,
  HCS_E_OPERATION_PENDING: 0xc0370103,
  HCS_E_INVALID_STATE: 0xc0370105,
  HCS_E_UNEXPECTED_EXIT: 0xc0370106,
  HCS_E_UNKNOWN_MESSAGE: 0xc037010b,
  HCS_E_INVALID_JSON: 0xc037010d,
  HCS_E_SYSTEM_NOT_FOUND: 0xc037010e,
  HCS_E_SYSTEM_ALREADY_STOPPED: 0xc0370110,
  HCS_E_SYSTEM_ALREADY_STOPPED_WARNING: 0x80370110,
  HCS_E_CONNECT_FAILED: 0x80370108,
  HCS_E_CONNECTION_TIMEOUT: 0x80370109,
  HCS_E_CONNECTION_CLOSED: 0x8037010a,
} as const;

const notFound: ReadonlySet<number> = new Set([
  HRESULT.ERROR_NOT_FOUND,
  HRESULT.ERROR_FILE_NOT_FOUND,
  HRESULT.HCN_E_ENDPOINT_NOT_FOUND,
  HRESULT.HCN_E_NETWORK_NOT_FOUND,
]);

const vmGone: ReadonlySet<number> = new Set([
  HRESULT.HCS_E_SYSTEM_NOT_FOUND,
  HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED,
  HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED_WARNING,
  HRESULT.HCS_E_INVALID_STATE,
  HRESULT.HCS_E_UNEXPECTED_EXIT,
  HRESULT.E_HANDLE,
]);

const guestGone: ReadonlySet<number> = new Set([
  HRESULT.HCS_E_CONNECT_FAILED,
  HRESULT.HCS_E_CONNECTION_CLOSED,
]);

/**
 * Whether the HRESULT says the object does not exist.
 *
 * @example
 * ```ts
 * import { isNotFoundHResult } from "@podnet/hcs/native";
 * isNotFoundHResult(0x803b0002); // true
 * ```
 */
export function isNotFoundHResult(hresult: number): boolean {
  return notFound.has(hresult >>> 0);
}

/**
 * Whether the HRESULT says the compute system is gone (its NICs went with it).
 *
 * @example
 * ```ts
 * import { isVmGoneHResult } from "@podnet/hcs/native";
 * isVmGoneHResult(0xc037010e); // true
 * ```
 */
export function isVmGoneHResult(hresult: number): boolean {
  return vmGone.has(hresult >>> 0);
}

/**
 * Whether the HRESULT says the guest connection is closed or was never made.
 *
 * @example
 * ```ts
 * import { isGuestGoneHResult } from "@podnet/hcs/native";
 * isGuestGoneHResult(0x8037010a); // true
 * ```
 */
export function isGuestGoneHResult(hresult: number): boolean {
  return guestGone.has(hresult >>> 0);
}
