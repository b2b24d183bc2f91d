/**
 * What each entry point exports, types included (read with `deno doc
 * --json`), so that an export cannot vanish or leak in unnoticed: change
 * these lists on purpose, in the same commit as the entry point.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

const EXPECTED: Record<string, readonly string[]> = {
  "mod.ts": [
    "AddEndpointOptions",
    "CONTROLLER_OPERATIONS",
    "CONTROLLER_STATES",
    "CallOptions",
    "CancelledError",
    "ComputeSystem",
    "ComputeSystemCallOptions",
    "ComputeSystemOptions",
    "ControllerEvent",
    "ControllerOperation",
    "ControllerState",
    "ControllerStep",
    "CreatePortsOptions",
    "DnsSettings",
    "EndpointPolicy",
    "EndpointUpdate",
    "ErrorEvent",
    "ErrorRecord",
    "FileStore",
    "FinishResult",
    "GuestCapabilities",
    "GuestModificationRequest",
    "GuestNamespace",
    "GuestNetwork",
    "GuestNic",
    "GuestNicConfig",
    "GuestPlatform",
    "GuestTransport",
    "GuestUnavailableError",
    "HResultError",
    "HcnApi",
    "HcnEndpointHandle",
    "HcnNamespaceHandle",
    "HcsApi",
    "HcsLibrary",
    "HcsSystemHandle",
    "HostEndpoint",
    "HostNamespace",
    "HostNetwork",
    "HostPorts",
    "INTERRUPT_MODERATIONS",
    "InterruptModeration",
    "InvalidArgumentError",
    "InvalidHostDataError",
    "InvalidStateError",
    "IovSettings",
    "IpConfiguration",
    "JsonObject",
    "JsonValue",
    "MAX_HOST_CONCURRENCY",
    "MAX_SNAPSHOT_DEPTH",
    "MemoryStore",
    "NIC_ID_NAMESPACE",
    "NativeCallOptions",
    "NativeLoadError",
    "NetworkController",
    "NetworkControllerOptions",
    "NetworkPorts",
    "NicBinding",
    "NicChangeError",
    "NicIov",
    "NicStep",
    "NotFoundError",
    "NotFoundTarget",
    "OperationOptions",
    "OperationTimeoutError",
    "PodLock",
    "PodnetError",
    "PodnetErrorCode",
    "RECORDED_OPERATIONS",
    "RecordChange",
    "RecordedOperationName",
    "ResetError",
    "RestoreOptions",
    "Route",
    "SetupError",
    "Snapshot",
    "SnapshotError",
    "StateStore",
    "StepPhase",
    "StepProgress",
    "StoreError",
    "SyncResult",
    "TeardownError",
    "TeardownStep",
    "TeardownStepError",
    "VmNetwork",
    "VmNic",
    "VmUnavailableError",
    "WindowsLibraries",
    "WindowsLibrariesOptions",
    "WindowsLibraryName",
    "WindowsLibraryPaths",
    "WindowsPorts",
    "WindowsPortsOptions",
    "applyRecordChanges",
    "checkIovSettings",
    "createPorts",
    "createWindowsPorts",
    "deriveNicId",
    "ethIndex",
    "orderEndpoints",
    "parseSnapshot",
  ],
  "sim.ts": [
    "CLOSE_CALLS",
    "FaultAction",
    "FaultPlan",
    "FaultSpec",
    "HCN_CALLS",
    "HCS_CALLS",
    "HcnApi",
    "HcnEndpointHandle",
    "HcnNamespaceHandle",
    "HcsApi",
    "HcsSystemHandle",
    "Inventory",
    "JsonObject",
    "JsonValue",
    "LatencyProfile",
    "LatencySpec",
    "MODIFY_REQUEST_OPS",
    "NativeCallOptions",
    "PendingFault",
    "SimCall",
    "SimFixture",
    "SimOp",
    "SimulatedCrashError",
    "SimulatedHost",
    "SimulatedHostOptions",
    "SimulatedHostState",
    "SimulatedIovSettings",
    "SimulatedMigrationOptions",
    "SimulatedVmNic",
    "TraceEntry",
    "TraceOutcome",
    "isSimOp",
  ],
  "native.ts": [
    "COMPUTECORE_SYMBOLS",
    "COMPUTENETWORK_SYMBOLS",
    "FfiComputecoreApi",
    "FfiHcnApi",
    "FfiHcsApi",
    "HRESULT",
    "HcnApi",
    "HcnEndpointHandle",
    "HcnNamespaceHandle",
    "HcsApi",
    "HcsSystemHandle",
    "KERNEL32_SYMBOLS",
    "LazyLibrary",
    "NativeCallOptions",
    "OLE32_SYMBOLS",
    "VMCOMPUTE_SYMBOLS",
    "WindowsHcsApi",
    "hresultError",
    "isGuestGoneHResult",
    "isNotFoundHResult",
    "isVmGoneHResult",
    "parseErrorRecord",
  ],
};

/** The names `deno doc` lists for an entry point. */
async function exported(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  return Object.values(doc.nodes).flatMap((n) => n.symbols.map((s) => s.name)).sort();
}

for (const [entry, names] of Object.entries(EXPECTED)) {
  Deno.test(`${entry} exports exactly what it is meant to`, async () => {
    assert.deepEqual(await exported(entry), [...names].sort());
  });
}

Deno.test("the entry points are the package's exports", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.deepEqual(config.exports, {
    ".": "./mod.ts",
    "./sim": "./sim.ts",
    "./native": "./native.ts",
  });
});

Deno.test("internals stay inside: no helper of the adapters leaks out of @podnet/hcs", async () => {
  const mod = await import("../mod.ts");
  for (const name of ["withTimeLimit", "raceSignal", "LazyLibrary", "HCN_QUERY", "TRANSITIONS"]) {
    assert.equal(name in mod, false, name);
  }
});
