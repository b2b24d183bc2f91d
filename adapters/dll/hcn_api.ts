/**
 * The DLL-level interface of computenetwork.dll (HCN): strings in, strings
 * out, opaque handles. Implemented by `ffi/` (the real DLL) and `sim/`.
 *
 * @module
 */
import type { NativeCallOptions } from "./native_call_options.ts";

/**
 * An open HCN namespace handle (opaque).
 *
 * @example
 * ```ts
 * import type { HcnNamespaceHandle } from "@podnet/hcs/native";
 * let handle: HcnNamespaceHandle | undefined;
 * ```
 */
export interface HcnNamespaceHandle {
  /** Brand. */
  readonly hcnNamespace: true;
}

/**
 * An open HCN endpoint handle (opaque).
 *
 * @example
 * ```ts
 * import type { HcnEndpointHandle } from "@podnet/hcs/native";
 * let handle: HcnEndpointHandle | undefined;
 * ```
 */
export interface HcnEndpointHandle {
  /** Brand. */
  readonly hcnEndpoint: true;
}

/**
 * computenetwork.dll, one method per function podnet uses. IDs are GUID
 * strings (any case, braces allowed). Every failure (a failing HRESULT, or a
 * non-empty error record with a success HRESULT) rejects with an
 * `HResultError` carrying the parsed error record. Returned strings are
 * already decoded and freed. `close*` never throws for a handle this API
 * returned and not yet closed; closing twice throws.
 *
 * Each asynchronous call takes `NativeCallOptions`: when its `signal` aborts
 * it rejects at once with the signal's reason. If the DLL call keeps running
 * after that (a worker thread cannot be stopped), the implementation calls
 * `options.onAbandoned` once with a promise that resolves when the call has
 * really finished and its results are freed or closed; an implementation
 * whose work stops with the wait never calls it.
 *
 * @example
 * ```ts
 * import type { HcnApi } from "@podnet/hcs/native";
 * async function namespaceJson(hcn: HcnApi, id: string): Promise<string> {
 *   const h = await hcn.openNamespace(id);
 *   try {
 *     return await hcn.queryNamespaceProperties(h, '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}');
 *   } finally {
 *     hcn.closeNamespace(h);
 *   }
 * }
 * ```
 */
export interface HcnApi {
  /** HcnOpenNamespace. */
  openNamespace(id: string, options?: NativeCallOptions): Promise<HcnNamespaceHandle>;
  /** HcnQueryNamespaceProperties: the namespace document. */
  queryNamespaceProperties(
    handle: HcnNamespaceHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string>;
  /** HcnCloseNamespace. */
  closeNamespace(handle: HcnNamespaceHandle): void;
  /** HcnEnumerateNamespaces: a JSON array of GUID strings. */
  enumerateNamespaces(query: string, options?: NativeCallOptions): Promise<string>;
  /** HcnOpenEndpoint. */
  openEndpoint(id: string, options?: NativeCallOptions): Promise<HcnEndpointHandle>;
  /** HcnQueryEndpointProperties: the endpoint document. */
  queryEndpointProperties(
    handle: HcnEndpointHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string>;
  /** HcnCloseEndpoint. */
  closeEndpoint(handle: HcnEndpointHandle): void;
  /** HcnEnumerateEndpoints: a JSON array of GUID strings. */
  enumerateEndpoints(query: string, options?: NativeCallOptions): Promise<string>;
}
