/**
 * podnet: the network of a pod in a Hyper-V utility VM. For one pod it takes
 * the HCN namespace CNI prepared on the host, hot-adds one NIC per endpoint to
 * the VM, wires each into the pod's namespace inside the LCOW or WCOW guest,
 * and tears it all down again, leaking nothing whatever fails.
 *
 * Start with {@linkcode NetworkController} over ports from
 * {@linkcode createWindowsPorts} (the real DLLs) or {@linkcode createPorts}
 * (any `HcnApi`/`HcsApi`, such as the simulated host of `@podnet/hcs/sim`).
 * `@podnet/hcs/native` is the DLL level, for writing your own adapters.
 *
 * A controller's operations and what each does in each state (a rejected
 * call throws `InvalidStateError` and changes nothing):
 *
 * | state | setup | teardown | save | resume | patch | resetAfterMigration |
 * |---|---|---|---|---|---|---|
 * | NotConfigured | → Configured (or a `SetupError`) | nothing | reject | reject | reject | reject |
 * | Configured | reject | → TornDown (or Invalid, `TeardownError`) | → SourceMigrating | nothing | reject | after `patch()`: swap to the destination's endpoints |
 * | Invalid | reject | retry → TornDown | reject | reject | reject | retry a failed reset |
 * | TornDown | reject | nothing | reject | reject | reject | reject |
 * | SourceMigrating | reject | drop → TornDown | the same snapshot | → Configured | reject | reject |
 * | DestinationMigrating | reject | drop → TornDown | reject | bind ports → Configured | record destination | reject |
 *
 * On a running pod (every other state rejects them):
 *
 * | state | addEndpoint | removeEndpoint | updateEndpoint | sync | finishInterrupted |
 * |---|---|---|---|---|---|
 * | Configured | one more NIC (a failure undoes only it, `NicChangeError`) | one NIC off | its SR-IOV settings (HCS `Update`) | NICs in line with the namespace | after `recover()`: finish a cut-short one |
 *
 * @example Set up and tear down a pod on the simulated host
 * ```ts
 * import { createPorts, NetworkController } from "@podnet/hcs";
 * import { SimulatedHost } from "@podnet/hcs/sim";
 *
 * declare const fixture: { namespace: { ID: string } }; // an HCN namespace and its endpoints
 * const host = new SimulatedHost({ guest: "wcow" });
 * host.loadFixture(fixture);
 * using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "wcow" });
 * const controller = new NetworkController(
 *   { podId: "pod-a", namespaceId: fixture.namespace.ID, hostConcurrency: 4 },
 *   ports,
 * );
 * await controller.setup();
 * await controller.teardown();
 * ```
 *
 * @example On a Windows node
 * ```ts
 * import { createWindowsPorts, FileStore, NetworkController, WindowsLibraries } from "@podnet/hcs";
 *
 * const libraries = new WindowsLibraries(); // one per process: the DLLs, loaded on first use
 * await using ports = createWindowsPorts({ vmId: "<utility VM ID>", guest: "lcow", libraries });
 * const controller = new NetworkController({
 *   podId: "default/web-0",
 *   namespaceId: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
 *   store: new FileStore("C:/ProgramData/podnet"),
 * }, ports);
 * await controller.setup({ signal: AbortSignal.timeout(120_000) });
 * ```
 *
 * @module
 */

// The controller
export { NetworkController } from "./domain/network_controller.ts";
export { MAX_HOST_CONCURRENCY } from "./domain/controller_options.ts";
export type {
  AddEndpointOptions,
  EndpointUpdate,
  NetworkControllerOptions,
  OperationOptions,
  RestoreOptions,
} from "./domain/controller_options.ts";
export type { SyncResult } from "./domain/_sync.ts";
export type { FinishResult } from "./domain/_finish_interrupted.ts";
export { checkIovSettings, INTERRUPT_MODERATIONS } from "./domain/iov.ts";
export type { InterruptModeration, IovSettings } from "./domain/iov.ts";
export { CONTROLLER_OPERATIONS, CONTROLLER_STATES } from "./domain/state.ts";
export type { ControllerOperation, ControllerState } from "./domain/state.ts";
export type { NicBinding, NicIov, StepProgress } from "./domain/binding.ts";
export type { ControllerEvent, StepPhase } from "./domain/controller_event.ts";
export type { ControllerStep, NicStep, TeardownStep } from "./domain/steps.ts";

// Ordering and NIC IDs
export { ethIndex, orderEndpoints } from "./domain/endpoint_order.ts";
export { deriveNicId, NIC_ID_NAMESPACE } from "./domain/nic_id.ts";

// Records
export { MAX_SNAPSHOT_DEPTH, parseSnapshot, RECORDED_OPERATIONS } from "./domain/snapshot.ts";
export type { RecordedOperationName, Snapshot } from "./domain/snapshot.ts";
export { applyRecordChanges } from "./domain/record_change.ts";
export type { RecordChange } from "./domain/record_change.ts";
export { MemoryStore } from "./adapters/store/memory_store.ts";
export { FileStore } from "./adapters/store/file_store.ts";
export type { PodLock } from "./adapters/store/pod_lock.ts";

// Errors
export {
  CancelledError,
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  InvalidStateError,
  NativeLoadError,
  NicChangeError,
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

// Ports: what the controller drives
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

// Ports over the DLLs (real or simulated)
export { createPorts } from "./adapters/create_ports.ts";
export type { CreatePortsOptions, HostPorts } from "./adapters/create_ports.ts";
export { ComputeSystem } from "./adapters/hcs/compute_system.ts";
export type {
  ComputeSystemCallOptions,
  ComputeSystemOptions,
  NotFoundTarget,
} from "./adapters/hcs/compute_system.ts";
export type {
  GuestCapabilities,
  GuestModificationRequest,
  GuestTransport,
} from "./adapters/guest/guest_transport.ts";
export type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "./adapters/native/hcn_api.ts";
export type { HcsApi, HcsSystemHandle } from "./adapters/native/hcs_api.ts";
export type { NativeCallOptions } from "./adapters/native/native_call_options.ts";

// On Windows: the real DLLs
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
