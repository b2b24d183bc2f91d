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
export { SimulatedHost } from "./adapters/sim/simulated_host.ts";
export { defaultFixture } from "./adapters/sim/default_fixture.ts";
export type {
  SimulatedHostOptions,
  SimulatedMigrationOptions,
} from "./adapters/sim/simulated_host.ts";
export type {
  SimulatedHostState,
  SimulatedIovSettings,
  SimulatedVmNic,
} from "./adapters/sim/simulated_host_state.ts";
export { SimulatedCrashError } from "./adapters/sim/simulated_crash_error.ts";
export type { FaultAction, FaultPlan, FaultSpec, PendingFault } from "./adapters/sim/fault_plan.ts";
export type { LatencyProfile, LatencySpec } from "./adapters/sim/latency.ts";
export type { TraceEntry, TraceOutcome } from "./adapters/sim/trace_entry.ts";
export type { Inventory } from "./adapters/sim/inventory.ts";
export type { SimFixture } from "./adapters/sim/fixture.ts";
export {
  CLOSE_CALLS,
  HCN_CALLS,
  HCS_CALLS,
  isSimOp,
  MODIFY_REQUEST_OPS,
} from "./adapters/sim/operations.ts";
export type { SimCall, SimOp } from "./adapters/sim/operations.ts";
export type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "./adapters/dll/hcn_api.ts";
export type { HcsApi, HcsSystemHandle } from "./adapters/dll/hcs_api.ts";
export type { NativeCallOptions } from "./adapters/dll/native_call_options.ts";
export type { JsonObject, JsonValue } from "./ports/json.ts";
