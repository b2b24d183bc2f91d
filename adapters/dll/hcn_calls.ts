/**
 * The computenetwork.dll functions for each kind of HCN object, as both
 * implementations of `HcnApi` (FFI and the simulated host) name their calls
 * in errors and traces.
 *
 * @module
 */

/** The kinds of HCN object `HcnApi` opens. */
export type HcnKind = "namespace" | "endpoint";

/**
 * The DLL functions that open, query, close and enumerate each kind
 * (`HCN_CALLS.endpoint.open` is `"HcnOpenEndpoint"`).
 */
export const HCN_CALLS = {
  namespace: {
    open: "HcnOpenNamespace",
    query: "HcnQueryNamespaceProperties",
    close: "HcnCloseNamespace",
    enumerate: "HcnEnumerateNamespaces",
  },
  endpoint: {
    open: "HcnOpenEndpoint",
    query: "HcnQueryEndpointProperties",
    close: "HcnCloseEndpoint",
    enumerate: "HcnEnumerateEndpoints",
  },
} as const;
