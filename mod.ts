/**
 * podnet: the network of a pod in a Hyper-V utility VM. For one pod it takes
 * the HCN namespace CNI prepared on the host, hot-adds one NIC per endpoint to
 * the VM, wires each into the pod's namespace inside the LCOW or WCOW guest,
 * and tears it all down again, leaking nothing whatever fails.
 *
 * Start with {@linkcode NetworkController} and {@linkcode createPorts}; test
 * against the simulated host in `@podnet/hcs/sim`.
 *
 * @example
 * ```ts
 * import { createPorts, NetworkController } from "@podnet/hcs";
 * import { SimulatedHost } from "@podnet/hcs/sim";
 *
 * declare const fixture: { namespace: { ID: string } };
 * const host = new SimulatedHost({ guest: "wcow" });
 * host.loadFixture(fixture);
 * using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "wcow" });
 * const controller = new NetworkController({ podId: "pod-a", namespaceId: fixture.namespace.ID }, ports);
 * await controller.setup();
 * await controller.teardown();
 * ```
 *
 * @module
 */

// Domain
export { NetworkController } from "./domain/network_controller.ts";
export { MAX_HOST_CONCURRENCY } from "./domain/controller_options.ts";
export type {
  NetworkControllerOptions,
  OperationOptions,
  RestoreOptions,
} from "./domain/controller_options.ts";
export { CONTROLLER_OPERATIONS, CONTROLLER_STATES, TRANSITIONS } from "./domain/state.ts";
export type { ControllerOperation, ControllerState, TransitionAction } from "./domain/state.ts";
export type { NicBinding, StepProgress } from "./domain/binding.ts";
export type { ControllerEvent, StepPhase } from "./domain/controller_event.ts";
export type { ControllerStep, NicStep, TeardownStep } from "./domain/steps.ts";
export { ethIndex, orderEndpoints, uniqueIds } from "./domain/endpoint_order.ts";
export { deriveNicId, NIC_ID_NAMESPACE } from "./domain/nic_id.ts";
export { isCanonicalGuid, normalizeGuid } from "./domain/guid.ts";
export { MAX_SNAPSHOT_DEPTH, parseSnapshot } from "./domain/snapshot.ts";
export type { Snapshot } from "./domain/snapshot.ts";
export { applyRecordChanges } from "./domain/record_change.ts";
export type { RecordChange } from "./domain/record_change.ts";
export {
  CancelledError,
  formatHResult,
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  InvalidStateError,
  NativeLoadError,
  NotFoundError,
  OperationTimeoutError,
  PodnetError,
  ResetError,
  SetupError,
  SnapshotError,
  StoreError,
  TeardownError,
  TeardownStepError,
  VmUnavailableError,
} from "./domain/errors.ts";
export type { ErrorEvent, ErrorRecord, PodnetErrorCode } from "./domain/errors.ts";

// Ports
export type { CallOptions } from "./ports/call_options.ts";
export type { JsonObject, JsonValue } from "./ports/json.ts";
export type {
  DnsSettings,
  EndpointPolicy,
  HostEndpoint,
  HostNamespace,
  HostNetwork,
  IpConfiguration,
  Route,
} from "./ports/host_network.ts";
export type { VmNetwork, VmNic } from "./ports/vm_network.ts";
export type {
  GuestNamespace,
  GuestNetwork,
  GuestNic,
  GuestNicConfig,
  GuestPlatform,
} from "./ports/guest_network.ts";
export type { StateStore } from "./ports/state_store.ts";
export type { NetworkPorts } from "./ports/network_ports.ts";

// Adapters
export { createPorts } from "./adapters/create_ports.ts";
export type { CreatePortsOptions, HostPorts } from "./adapters/create_ports.ts";
export { ComputeSystem, DEFAULT_HCS_TIMEOUT_MS } from "./adapters/hcs/compute_system.ts";
export type {
  ComputeSystemCallOptions,
  ComputeSystemOptions,
  NotFoundTarget,
} from "./adapters/hcs/compute_system.ts";
export { buildVmNicRequest, HcsVmNetwork } from "./adapters/hcs/hcs_vm_network.ts";
export type { VmNicRequestType } from "./adapters/hcs/hcs_vm_network.ts";
export {
  DEFAULT_HCN_TIMEOUT_MS,
  HCN_QUERY,
  HcnHostNetwork,
} from "./adapters/hcn/hcn_host_network.ts";
export type { HcnHostNetworkOptions } from "./adapters/hcn/hcn_host_network.ts";
export { buildLcowAdapter, LcowGuestNetwork } from "./adapters/guest/lcow.ts";
export { WcowGuestNetwork } from "./adapters/guest/wcow.ts";
export type { GuestAdapterOptions } from "./adapters/guest/guest_adapter_options.ts";
export type {
  GuestCapabilities,
  GuestModificationRequest,
  GuestTransport,
} from "./adapters/guest/guest_transport.ts";
export { MemoryStore } from "./adapters/store/memory_store.ts";
export { FileStore } from "./adapters/store/file_store.ts";
export type { PodLock } from "./adapters/store/pod_lock.ts";

// Windows: FFI bindings of the real DLLs
export { createWindowsPorts } from "./adapters/native/ffi/create_windows_ports.ts";
export type {
  WindowsPorts,
  WindowsPortsOptions,
} from "./adapters/native/ffi/create_windows_ports.ts";
export { WindowsLibraries } from "./adapters/native/ffi/windows_libraries.ts";
export type {
  HcsLibrary,
  WindowsLibrariesOptions,
} from "./adapters/native/ffi/windows_libraries.ts";
export type {
  WindowsLibraryName,
  WindowsLibraryPaths,
} from "./adapters/native/ffi/library_paths.ts";
export { LazyLibrary } from "./adapters/native/ffi/lazy_library.ts";
export { COMPUTENETWORK_SYMBOLS } from "./adapters/native/ffi/computenetwork_symbols.ts";
export { VMCOMPUTE_SYMBOLS } from "./adapters/native/ffi/vmcompute_symbols.ts";
export { COMPUTECORE_SYMBOLS } from "./adapters/native/ffi/computecore_symbols.ts";
export { OLE32_SYMBOLS } from "./adapters/native/ffi/ole32_symbols.ts";
export { KERNEL32_SYMBOLS } from "./adapters/native/ffi/kernel32_symbols.ts";
export { FfiHcnApi } from "./adapters/native/ffi/ffi_hcn_api.ts";
export { FfiHcsApi } from "./adapters/native/ffi/ffi_hcs_api.ts";
export { FfiComputecoreApi } from "./adapters/native/ffi/ffi_computecore_api.ts";
export { WindowsHcsApi } from "./adapters/native/ffi/windows_hcs_api.ts";

// DLL level
export type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "./adapters/native/hcn_api.ts";
export type { HcsApi, HcsSystemHandle } from "./adapters/native/hcs_api.ts";
export type { NativeCallOptions } from "./adapters/native/native_call_options.ts";
export {
  HRESULT,
  isGuestGoneHResult,
  isNotFoundHResult,
  isVmGoneHResult,
} from "./adapters/native/hresult.ts";
export { hresultError, parseErrorRecord } from "./adapters/native/error_record.ts";
export { withTimeLimit } from "./adapters/native/time_limit.ts";
export { raceSignal } from "./adapters/native/race_signal.ts";
