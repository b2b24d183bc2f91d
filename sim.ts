/**
 * `@podnet/hcs/sim`: a simulated Windows host (HCN, HCS and an LCOW or WCOW
 * guest) for tests, demos and benchmarks of code that drives podnet.
 *
 * @example
 * ```ts
 * import { SimulatedHost } from "@podnet/hcs/sim";
 * const host = new SimulatedHost({ guest: "lcow" });
 * console.log(host.isClean()); // true
 * ```
 *
 * @module
 */
export { SimulatedHost } from "./adapters/native/sim/simulated_host.ts";
export type {
  SimulatedHostOptions,
  SimulatedMigrationOptions,
} from "./adapters/native/sim/simulated_host.ts";
export type {
  SimulatedHostState,
  SimulatedIovSettings,
  SimulatedVmNic,
} from "./adapters/native/sim/simulated_host_state.ts";
export { SimulatedCrashError } from "./adapters/native/sim/simulated_crash_error.ts";
export type {
  FaultAction,
  FaultPlan,
  FaultSpec,
  PendingFault,
} from "./adapters/native/sim/fault_plan.ts";
export type { LatencyProfile, LatencySpec } from "./adapters/native/sim/latency.ts";
export type { TraceEntry, TraceOutcome } from "./adapters/native/sim/trace_entry.ts";
export type { Inventory } from "./adapters/native/sim/inventory.ts";
export type { SimFixture } from "./adapters/native/sim/fixture.ts";
export {
  CLOSE_CALLS,
  HCN_CALLS,
  HCS_CALLS,
  isSimOp,
  MODIFY_REQUEST_OPS,
} from "./adapters/native/sim/operations.ts";
export type { SimCall, SimOp } from "./adapters/native/sim/operations.ts";
export type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "./adapters/native/hcn_api.ts";
export type { HcsApi, HcsSystemHandle } from "./adapters/native/hcs_api.ts";
export type { NativeCallOptions } from "./adapters/native/native_call_options.ts";
export type { JsonObject, JsonValue } from "./ports/json.ts";
