/**
 * DLLs that answer at once and check nothing: the HCN calls hand back the
 * fixture's documents, the HCS calls succeed and report a guest that takes
 * namespace requests. With them a benchmark measures what podnet itself
 * costs (controller, adapters, validation of what the DLLs return), without
 * the simulated host's own work of checking every request as Windows would.
 *
 * @module
 */
import type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "../adapters/dll/hcn_api.ts";
import type { HcsApi, HcsSystemHandle } from "../adapters/dll/hcs_api.ts";

/** Host data the instant DLLs serve. */
export interface InstantHostData {
  readonly namespace: { readonly ID: string };
  readonly endpoints: readonly { readonly ID: string }[];
}

/** The instant computenetwork.dll and vmcompute.dll for one pod's host data. */
export interface InstantDlls {
  readonly hcn: HcnApi;
  readonly hcs: HcsApi;
}

interface Opened {
  readonly text: string;
}

const CAPABILITIES = JSON.stringify({
  GuestConnectionInfo: { GuestDefinedCapabilities: { NamespaceAddRequestSupported: true } },
});

/** Builds the instant DLLs over `data` (documents serialised once, here). */
export function instantDlls(data: InstantHostData): InstantDlls {
  const texts = new Map<string, string>();
  texts.set(data.namespace.ID, JSON.stringify(data.namespace));
  for (const e of data.endpoints) texts.set(e.ID, JSON.stringify(e));
  const open = (id: string): Promise<Opened> => {
    const text = texts.get(id);
    return text === undefined
      ? Promise.reject(new Error(`no document ${id}`))
      : Promise.resolve({ text });
  };
  const query = (handle: unknown): Promise<string> => Promise.resolve((handle as Opened).text);
  const none = (): Promise<string> => Promise.resolve("[]");
  const hcn: HcnApi = {
    openNamespace: (id) => open(id) as unknown as Promise<HcnNamespaceHandle>,
    queryNamespaceProperties: query,
    closeNamespace: () => {},
    enumerateNamespaces: none,
    openEndpoint: (id) => open(id) as unknown as Promise<HcnEndpointHandle>,
    queryEndpointProperties: query,
    closeEndpoint: () => {},
    enumerateEndpoints: none,
  };
  const system: HcsSystemHandle = { hcsSystem: true };
  const hcs: HcsApi = {
    openComputeSystem: () => Promise.resolve(system),
    modifyComputeSystem: () => Promise.resolve(),
    getComputeSystemProperties: () => Promise.resolve(CAPABILITIES),
    closeComputeSystem: () => {},
  };
  return { hcn, hcs };
}
