/**
 * podnet: the network of a pod in a Hyper-V utility VM. For one pod it takes
 * the HCN namespace CNI prepared on the host, hot-adds one NIC per endpoint to
 * the VM, wires each into the pod's namespace inside the LCOW or WCOW guest,
 * and tears it all down again, leaking nothing whatever fails.
 *
 * Start with {@linkcode NetworkController} over ports from
 * {@linkcode createWindowsPorts} (the real DLLs) or {@linkcode createPorts}
 * (any `HcnApi`/`HcsApi`, such as the simulated host of `@podnet/hcs/sim`).
 * The other entry points are for people who extend podnet:
 * `@podnet/hcs/ports` holds the port interfaces an adapter implements (and a
 * store's helpers), `@podnet/hcs/native` the DLL level.
 *
 * What each operation does in each state is {@linkcode TRANSITIONS} (a
 * rejected call throws `InvalidStateError` and changes nothing).
 *
 * A running pod's NICs change with `addEndpoint()`, `removeEndpoint()`,
 * `updateEndpoint()` (SR-IOV) and `sync()`; a failure there touches only the
 * NIC concerned (`NicChangeError`).
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
export {
  CONTROLLER_OPERATIONS,
  CONTROLLER_STATES,
  TRANSITION_ACTIONS,
  TRANSITIONS,
} from "./domain/state.ts";
export type { ControllerOperation, ControllerState, TransitionAction } from "./domain/state.ts";
export type { NicBinding, NicIov, StepProgress } from "./domain/binding.ts";
export type { ControllerEvent, StepPhase } from "./domain/controller_event.ts";
export type { ControllerStep, NicStep, TeardownStep } from "./domain/steps.ts";
export type { Snapshot } from "./domain/snapshot.ts";
export type { SyncResult } from "./domain/_sync.ts";
export type { FinishResult } from "./domain/_finish_interrupted.ts";
export { checkIovSettings, INTERRUPT_MODERATIONS } from "./domain/iov.ts";
export type { InterruptModeration, IovSettings } from "./domain/iov.ts";

// Stores
export { MemoryStore } from "./adapters/store/memory_store.ts";
export { FileStore, type RecordEntry } from "./adapters/store/file_store.ts";
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
export type { ErrorRecord, HcsErrorEvent, PodnetErrorCode } from "./domain/errors.ts";

// Ports over the DLLs (real or simulated)
export { createPorts } from "./adapters/create_ports.ts";
export type { CreatePortsOptions, HostPorts } from "./adapters/create_ports.ts";
export { MAX_TIMEOUT_MS } from "./adapters/async/time_limit.ts";
export { DEFAULT_HCN_TIMEOUT_MS } from "./adapters/hcn/hcn_host_network.ts";
export { DEFAULT_HCS_TIMEOUT_MS } from "./adapters/hcs/compute_system.ts";

// On Windows: the real DLLs
export { createWindowsPorts } from "./adapters/ffi/create_windows_ports.ts";
export type { WindowsPorts, WindowsPortsOptions } from "./adapters/ffi/create_windows_ports.ts";
export { WindowsLibraries } from "./adapters/ffi/windows_libraries.ts";
export type { HcsLibrary, WindowsLibrariesOptions } from "./adapters/ffi/windows_libraries.ts";
export type { WindowsLibraryName, WindowsLibraryPaths } from "./adapters/ffi/library_paths.ts";
