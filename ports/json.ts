/**
 * JSON value types carried through the ports (documents podnet passes on
 * verbatim, such as the HCN endpoint document a WCOW guest receives).
 *
 * @module
 */

/**
 * Any JSON value.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "@podnet/hcs/ports";
 * const v: JsonValue = { a: [1, "two", null] };
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/**
 * A JSON object.
 *
 * @example
 * ```ts
 * import type { JsonObject } from "@podnet/hcs/ports";
 * const o: JsonObject = { SchemaVersion: { Major: 2, Minor: 0 } };
 * ```
 */
export type JsonObject = { [key: string]: JsonValue };
