import { normalizeGuid } from "../../domain/guid.ts";
import type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "../dll/hcn_api.ts";
import { HRESULT } from "../dll/hresult.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { HCN_CALLS, type HcnKind } from "../dll/hcn_calls.ts";
import { matchesFilter, parseHcnQuery } from "./_hcn_query.ts";
import { hcnFailure } from "./_records.ts";
import type { CallContext, Runner } from "./_runner.ts";
import type { HandleRecord, StoredDocument, World } from "./_world.ts";

type Kind = HcnKind;

/** The DLL functions of each kind, and the HRESULT HCN answers for a missing one. */
const CALLS = {
  namespace: { ...HCN_CALLS.namespace, notFound: HRESULT.ERROR_NOT_FOUND },
  endpoint: { ...HCN_CALLS.endpoint, notFound: HRESULT.HCN_E_ENDPOINT_NOT_FOUND },
} as const;

function ctx(
  call: string,
  target: string | undefined,
  options: NativeCallOptions | undefined,
): CallContext {
  return { call, op: call, target, signal: options?.signal };
}

/** The simulated computenetwork.dll. */
export class SimHcn implements HcnApi {
  constructor(private readonly world: World, private readonly runner: Runner) {}

  #store(kind: Kind): Map<string, StoredDocument> {
    return kind === "namespace" ? this.world.namespaces : this.world.endpoints;
  }

  #open(kind: Kind, id: string, options: NativeCallOptions | undefined): Promise<object> {
    const call = CALLS[kind].open;
    const key = normalizeGuid(id);
    return this.runner.run(ctx(call, key ?? id, options), () => {
      if (key === undefined) {
        throw hcnFailure(call, HRESULT.HCN_E_GUID_CONVERSION_FAILURE, `${id} is not a GUID`);
      }
      if (!this.#store(kind).has(key)) {
        throw hcnFailure(call, CALLS[kind].notFound, `The ${kind} ${key} was not found`);
      }
      const handle = kind === "namespace"
        ? Object.freeze({ hcnNamespace: true as const })
        : Object.freeze({ hcnEndpoint: true as const });
      this.world.handles.set(handle, { kind, key });
      return handle;
    }, (handle) => this.world.handles.delete(handle));
  }

  #handle(kind: Kind, call: string, handle: object): HandleRecord {
    const record = this.world.handles.get(handle);
    if (record === undefined || record.kind !== kind) {
      throw hcnFailure(call, HRESULT.E_HANDLE, `The ${kind} handle is not open`);
    }
    return record;
  }

  #query(
    kind: Kind,
    handle: object,
    query: string,
    options: NativeCallOptions | undefined,
  ): Promise<string> {
    const call = CALLS[kind].query;
    const target = this.world.handles.get(handle)?.key;
    return this.runner.run(ctx(call, target, options), () => {
      const { key } = this.#handle(kind, call, handle);
      parseHcnQuery(call, query);
      const stored = this.#store(kind).get(key);
      if (stored === undefined) {
        throw hcnFailure(call, CALLS[kind].notFound, `The ${kind} ${key} was not found`);
      }
      return stored.text;
    });
  }

  #close(kind: Kind, handle: object): void {
    const call = CALLS[kind].close;
    const target = this.world.handles.get(handle)?.key;
    this.runner.runSync(ctx(call, target, undefined), () => {
      this.#handle(kind, call, handle);
      this.world.handles.delete(handle);
    });
  }

  #enumerate(kind: Kind, query: string, options: NativeCallOptions | undefined): Promise<string> {
    const call = CALLS[kind].enumerate;
    const target = filterTarget(query);
    return this.runner.run(ctx(call, target, options), () => {
      const { filter } = parseHcnQuery(call, query);
      const ids: string[] = [];
      for (const stored of this.#store(kind).values()) {
        if (filter === undefined || matchesFilter(stored.doc, filter)) ids.push(stored.id);
      }
      return JSON.stringify(ids);
    });
  }

  openNamespace(id: string, options?: NativeCallOptions): Promise<HcnNamespaceHandle> {
    return this.#open("namespace", id, options) as Promise<HcnNamespaceHandle>;
  }

  queryNamespaceProperties(
    handle: HcnNamespaceHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    return this.#query("namespace", handle, query, options);
  }

  closeNamespace(handle: HcnNamespaceHandle): void {
    this.#close("namespace", handle);
  }

  enumerateNamespaces(query: string, options?: NativeCallOptions): Promise<string> {
    return this.#enumerate("namespace", query, options);
  }

  openEndpoint(id: string, options?: NativeCallOptions): Promise<HcnEndpointHandle> {
    return this.#open("endpoint", id, options) as Promise<HcnEndpointHandle>;
  }

  queryEndpointProperties(
    handle: HcnEndpointHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    return this.#query("endpoint", handle, query, options);
  }

  closeEndpoint(handle: HcnEndpointHandle): void {
    this.#close("endpoint", handle);
  }

  enumerateEndpoints(query: string, options?: NativeCallOptions): Promise<string> {
    return this.#enumerate("endpoint", query, options);
  }
}

/** The filter's ID, for the trace, when the query names one. */
function filterTarget(query: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(query);
    if (typeof doc !== "object" || doc === null || !("Filter" in doc)) return undefined;
    if (typeof doc.Filter !== "string") return undefined;
    const filter: unknown = JSON.parse(doc.Filter);
    if (typeof filter !== "object" || filter === null || !("ID" in filter)) return undefined;
    return typeof filter.ID === "string" ? normalizeGuid(filter.ID) ?? filter.ID : undefined;
  } catch {
    return undefined;
  }
}
