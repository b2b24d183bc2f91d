/**
 * `HcnApi` over computenetwork.dll through Deno FFI.
 *
 * @module
 */
import { normalizeGuid } from "../../domain/guid.ts";
import { hresultError } from "../dll/error_record.ts";
import type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "../dll/hcn_api.ts";
import { HRESULT } from "../dll/hresult.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { HCN_CALLS, type HcnKind } from "../dll/hcn_calls.ts";
import { HandleTable } from "./_handle_table.ts";
import { finishOpen, finishWithResult, runNativeCall, StringSlot } from "./_native_call.ts";
import { guidBytes } from "./guid_layout.ts";
import type { NativeLibraries } from "./_native_libraries.ts";
import { nativeLibrariesOf, type WindowsLibraries } from "./windows_libraries.ts";
import { encodeWide } from "./wide_string.ts";

type Kind = HcnKind;
const CALLS = HCN_CALLS;

/**
 * computenetwork.dll through Deno FFI. GUIDs go in in Windows layout, strings
 * as NUL-terminated UTF-16LE; every returned string is decoded then freed
 * with `CoTaskMemFree` exactly once, on success and failure alike; every
 * handle is closed on every path (a handle that came with a failure, a late
 * handle nobody waits for, the handles still open when the libraries close).
 * Opens, queries and enumerations run on worker threads (admitted by the
 * libraries' `maxInFlight`) and stop waiting when `options.signal` aborts; a
 * call that keeps running after that is reported through
 * `options.onAbandoned`. Failures are `HResultError`s built like the
 * simulated host's.
 *
 * @example
 * ```ts
 * import { WindowsLibraries } from "@podnet/hcs";
 * import { FfiHcnApi } from "@podnet/hcs/native";
 * await using libraries = new WindowsLibraries();
 * const hcn = new FfiHcnApi(libraries);
 * const ids = await hcn.enumerateNamespaces('{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}');
 * console.log(JSON.parse(ids));
 * ```
 */
export class FfiHcnApi implements HcnApi {
  readonly #libraries: NativeLibraries;
  readonly #namespaces: HandleTable<HcnNamespaceHandle>;
  readonly #endpoints: HandleTable<HcnEndpointHandle>;

  /**
   * Binds to the libraries (loaded on the first call).
   *
   * @param libraries the libraries to call through
   */
  constructor(windowsLibraries: WindowsLibraries) {
    const libraries = nativeLibrariesOf(windowsLibraries);
    this.#libraries = libraries;
    this.#namespaces = new HandleTable(
      libraries,
      CALLS.namespace.close,
      (pointer) => libraries.computenetwork.symbols.HcnCloseNamespace(pointer),
    );
    this.#endpoints = new HandleTable(
      libraries,
      CALLS.endpoint.close,
      (pointer) => libraries.computenetwork.symbols.HcnCloseEndpoint(pointer),
    );
  }

  /** HcnOpenNamespace. */
  openNamespace(id: string, options?: NativeCallOptions): Promise<HcnNamespaceHandle> {
    return this.#open(
      "namespace",
      this.#namespaces,
      id,
      () => Object.freeze({ hcnNamespace: true as const }),
      options,
    );
  }

  /** HcnQueryNamespaceProperties: the namespace document. */
  queryNamespaceProperties(
    handle: HcnNamespaceHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    return this.#query("namespace", this.#namespaces, handle, query, options);
  }

  /** HcnCloseNamespace (at once, or when the calls using the handle return). */
  closeNamespace(handle: HcnNamespaceHandle): void {
    this.#namespaces.close(handle);
  }

  /** HcnEnumerateNamespaces: a JSON array of GUID strings. */
  enumerateNamespaces(query: string, options?: NativeCallOptions): Promise<string> {
    return this.#enumerate("namespace", query, options);
  }

  /** HcnOpenEndpoint. */
  openEndpoint(id: string, options?: NativeCallOptions): Promise<HcnEndpointHandle> {
    return this.#open(
      "endpoint",
      this.#endpoints,
      id,
      () => Object.freeze({ hcnEndpoint: true as const }),
      options,
    );
  }

  /** HcnQueryEndpointProperties: the endpoint document. */
  queryEndpointProperties(
    handle: HcnEndpointHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    return this.#query("endpoint", this.#endpoints, handle, query, options);
  }

  /** HcnCloseEndpoint (at once, or when the calls using the handle return). */
  closeEndpoint(handle: HcnEndpointHandle): void {
    this.#endpoints.close(handle);
  }

  /** HcnEnumerateEndpoints: a JSON array of GUID strings. */
  enumerateEndpoints(query: string, options?: NativeCallOptions): Promise<string> {
    return this.#enumerate("endpoint", query, options);
  }

  #open<H extends object>(
    kind: Kind,
    table: HandleTable<H>,
    id: string,
    create: () => H,
    options: NativeCallOptions | undefined,
  ): Promise<H> {
    const call = CALLS[kind].open;
    try {
      const canonical = typeof id === "string" ? normalizeGuid(id) : undefined;
      if (canonical === undefined) {
        const message = `${String(id)} is not a GUID`;
        const code = HRESULT.HCN_E_GUID_CONVERSION_FAILURE;
        const record = JSON.stringify({ Error: message, ErrorCode: code, Success: false });
        throw hresultError(call, code, record);
      }
      const symbols = this.#libraries.computenetworkSymbols();
      const open = kind === "namespace" ? symbols.HcnOpenNamespace : symbols.HcnOpenEndpoint;
      const guid = guidBytes(canonical);
      const handleSlot = new BigUint64Array(1);
      const record = new StringSlot(this.#libraries);
      return runNativeCall(this.#libraries, {
        start: () => open(guid, handleSlot, record.slot),
        finish: (hresult) => finishOpen(call, hresult, handleSlot, record, table, create),
        discard: (handle) => table.discard(handle),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #query<H extends object>(
    kind: Kind,
    table: HandleTable<H>,
    handle: H,
    query: string,
    options: NativeCallOptions | undefined,
  ): Promise<string> {
    const call = CALLS[kind].query;
    try {
      const symbols = this.#libraries.computenetworkSymbols();
      const fn = kind === "namespace"
        ? symbols.HcnQueryNamespaceProperties
        : symbols.HcnQueryEndpointProperties;
      const text = encodeWide(query, "query");
      const lease = table.acquire(handle, call);
      const properties = new StringSlot(this.#libraries);
      const record = new StringSlot(this.#libraries);
      return runNativeCall(this.#libraries, {
        start: () => fn(lease.pointer, text, properties.slot, record.slot),
        finish: (hresult) => finishWithResult(call, hresult, properties, record),
        settle: () => lease.release(),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #enumerate(kind: Kind, query: string, options: NativeCallOptions | undefined): Promise<string> {
    const call = CALLS[kind].enumerate;
    try {
      const symbols = this.#libraries.computenetworkSymbols();
      const fn = kind === "namespace"
        ? symbols.HcnEnumerateNamespaces
        : symbols.HcnEnumerateEndpoints;
      const text = encodeWide(query, "query");
      const result = new StringSlot(this.#libraries);
      const record = new StringSlot(this.#libraries);
      return runNativeCall(this.#libraries, {
        start: () => fn(text, result.slot, record.slot),
        finish: (hresult) => finishWithResult(call, hresult, result, record),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
