/**
 * The symbol table of computenetwork.dll (Host Compute Network) for
 * `Deno.dlopen`: the functions podnet calls, with their C types.
 *
 * @module
 */

/**
 * computenetwork.dll, as declared in Microsoft's `computenetwork.h`. Every
 * function returns an `HRESULT` (`i32`). GUIDs go in as 16-byte buffers in
 * Windows layout; handles and returned strings come back through 8-byte
 * out-slots. The opens, queries and enumerations may wait on the HNS service,
 * so they run on a worker thread (`nonblocking`); the closes do not.
 *
 * @example Load the table yourself
 * ```ts
 * import { COMPUTENETWORK_SYMBOLS } from "@podnet/hcs/native";
 * const lib = Deno.dlopen("C:\\Windows\\System32\\computenetwork.dll", COMPUTENETWORK_SYMBOLS);
 * lib.close();
 * ```
 */
export const COMPUTENETWORK_SYMBOLS = {
  HcnOpenNamespace: {
    parameters: [
      "buffer", // REFGUID Id: const GUID* (16 bytes, Windows layout)
      "buffer", // PHCN_NAMESPACE Namespace: HCN_NAMESPACE* out-slot (8 bytes)
      "buffer", // PWSTR* ErrorRecord: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcnQueryNamespaceProperties: {
    parameters: [
      "pointer", // HCN_NAMESPACE Namespace: void*
      "buffer", // PCWSTR Query: NUL-terminated UTF-16LE
      "buffer", // PWSTR* Properties: out-slot (8 bytes), freed with CoTaskMemFree
      "buffer", // PWSTR* ErrorRecord: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcnCloseNamespace: {
    parameters: [
      "pointer", // HCN_NAMESPACE Namespace: void*
    ],
    result: "i32", // HRESULT
  },
  HcnEnumerateNamespaces: {
    parameters: [
      "buffer", // PCWSTR Query: NUL-terminated UTF-16LE
      "buffer", // PWSTR* Namespaces: out-slot (8 bytes), freed with CoTaskMemFree
      "buffer", // PWSTR* ErrorRecord: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcnOpenEndpoint: {
    parameters: [
      "buffer", // REFGUID Id: const GUID* (16 bytes, Windows layout)
      "buffer", // PHCN_ENDPOINT Endpoint: HCN_ENDPOINT* out-slot (8 bytes)
      "buffer", // PWSTR* ErrorRecord: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcnQueryEndpointProperties: {
    parameters: [
      "pointer", // HCN_ENDPOINT Endpoint: void*
      "buffer", // PCWSTR Query: NUL-terminated UTF-16LE
      "buffer", // PWSTR* Properties: out-slot (8 bytes), freed with CoTaskMemFree
      "buffer", // PWSTR* ErrorRecord: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcnCloseEndpoint: {
    parameters: [
      "pointer", // HCN_ENDPOINT Endpoint: void*
    ],
    result: "i32", // HRESULT
  },
  HcnEnumerateEndpoints: {
    parameters: [
      "buffer", // PCWSTR Query: NUL-terminated UTF-16LE
      "buffer", // PWSTR* Endpoints: out-slot (8 bytes), freed with CoTaskMemFree
      "buffer", // PWSTR* ErrorRecord: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;
