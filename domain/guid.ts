/**
 * GUID text: recognising and normalising the forms Windows accepts.
 *
 * @module
 */

const BODY = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const GUID = new RegExp(`^(?:\\{(${BODY})\\}|(${BODY}))$`);

/**
 * Returns the GUID in canonical form (lower case, no braces), or `undefined`
 * when the text is not a GUID. Braces must come in pairs.
 *
 * @example
 * ```ts
 * import { normalizeGuid } from "@podnet/hcs";
 * normalizeGuid("{6F1A2B3C-4D5E-4F60-8A9B-0C1D2E3F4A5B}"); // "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"
 * normalizeGuid("eth0"); // undefined
 * ```
 */
export function normalizeGuid(text: string): string | undefined {
  const m = GUID.exec(text);
  const body = m?.[1] ?? m?.[2];
  return body?.toLowerCase();
}

/**
 * Whether the text is a GUID in canonical form (lower case, no braces).
 *
 * @example
 * ```ts
 * import { isCanonicalGuid } from "@podnet/hcs";
 * isCanonicalGuid("6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"); // true
 * ```
 */
export function isCanonicalGuid(text: string): boolean {
  return normalizeGuid(text) === text;
}
