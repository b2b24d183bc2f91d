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
    "CancelledError",
    "ControllerEvent",
    "ControllerOperation",
    "ControllerState",
    "ControllerStep",
    "CreatePortsOptions",
    "DEFAULT_HCN_TIMEOUT_MS",
    "DEFAULT_HCS_TIMEOUT_MS",
    "EndpointUpdate",
    "ErrorRecord",
    "FileStore",
    "FinishResult",
    "GuestUnavailableError",
    "HResultError",
    "HcsErrorEvent",
    "HcsLibrary",
    "HostPorts",
    "INTERRUPT_MODERATIONS",
    "InterruptModeration",
    "InvalidArgumentError",
    "InvalidHostDataError",
    "InvalidStateError",
    "IovSettings",
    "MAX_HOST_CONCURRENCY",
    "MAX_TIMEOUT_MS",
    "MemoryStore",
    "NativeLoadError",
    "NetworkController",
    "NetworkControllerOptions",
    "NicBinding",
    "NicChangeError",
    "NicIov",
    "NicStep",
    "NotFoundError",
    "OperationOptions",
    "OperationTimeoutError",
    "PodLock",
    "PodnetError",
    "PodnetErrorCode",
    "RecordEntry",
    "ResetError",
    "RestoreOptions",
    "SetupError",
    "Snapshot",
    "SnapshotError",
    "StepPhase",
    "StepProgress",
    "StoreError",
    "SyncResult",
    "TRANSITIONS",
    "TRANSITION_ACTIONS",
    "TeardownError",
    "TeardownStep",
    "TeardownStepError",
    "TransitionAction",
    "VmUnavailableError",
    "WindowsLibraries",
    "WindowsLibrariesOptions",
    "WindowsLibraryName",
    "WindowsLibraryPaths",
    "WindowsPorts",
    "WindowsPortsOptions",
    "checkIovSettings",
    "createPorts",
    "createWindowsPorts",
  ],
  "ports.ts": [
    "CONTROLLER_STATES",
    "CallOptions",
    "ControllerState",
    "DnsSettings",
    "EndpointPolicy",
    "EndpointShare",
    "GuestCapabilities",
    "GuestModificationRequest",
    "GuestNamespace",
    "GuestNetwork",
    "GuestNic",
    "GuestNicConfig",
    "GuestPlatform",
    "GuestTransport",
    "HostEndpoint",
    "HostNamespace",
    "HostNetwork",
    "INTERRUPT_MODERATIONS",
    "InterruptModeration",
    "IovSettings",
    "IpConfiguration",
    "JsonObject",
    "JsonValue",
    "MAX_SNAPSHOT_DEPTH",
    "NIC_ID_NAMESPACE",
    "NetworkPorts",
    "NicBinding",
    "NicIov",
    "NicStep",
    "RECORDED_OPERATIONS",
    "RecordChange",
    "RecordedOperationName",
    "Route",
    "Snapshot",
    "StateStore",
    "StepProgress",
    "VmNetwork",
    "VmNic",
    "applyRecordChanges",
    "deriveNicId",
    "ethIndex",
    "orderEndpoints",
    "parseRecordChanges",
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
    "defaultFixture",
    "isSimOp",
  ],
  "native.ts": [
    "COMPUTECORE_SYMBOLS",
    "COMPUTENETWORK_SYMBOLS",
    "CallOptions",
    "ComputeSystem",
    "ComputeSystemCallOptions",
    "ComputeSystemOptions",
    "ErrorRecord",
    "FfiComputecoreApi",
    "FfiHcnApi",
    "FfiHcsApi",
    "HRESULT",
    "HResultError",
    "HcnApi",
    "HcnEndpointHandle",
    "HcnNamespaceHandle",
    "HcsApi",
    "HcsErrorEvent",
    "HcsLibrary",
    "HcsSystemHandle",
    "JsonObject",
    "JsonValue",
    "KERNEL32_SYMBOLS",
    "LazyLibrary",
    "NativeCallOptions",
    "NotFoundTarget",
    "OLE32_SYMBOLS",
    "PodnetError",
    "PodnetErrorCode",
    "VMCOMPUTE_SYMBOLS",
    "WindowsHcsApi",
    "WindowsLibraryName",
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

/**
 * The most names `@podnet/hcs` may export (issue 17: what an application
 * needs, at most 70), counted as `deno doc --json mod.ts` counts them.
 */
const MAX_FRONT_DOOR = 70;

Deno.test(`@podnet/hcs exports at most ${MAX_FRONT_DOOR} names`, async () => {
  const names = await exported("mod.ts");
  assert.ok(names.length <= MAX_FRONT_DOOR, `${names.length} names: ${names.join(", ")}`);
});

for (const [entry, names] of Object.entries(EXPECTED)) {
  Deno.test(`${entry} exports exactly what it is meant to`, async () => {
    assert.deepEqual(await exported(entry), [...names].sort());
  });
}

/** The members of a class `deno doc` shows for `entry`. */
async function members(entry: string, className: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, {
      symbols: {
        name: string;
        declarations: { def: { methods?: { name: string }[]; properties?: { name: string }[] } }[];
      }[];
    }>;
  };
  const symbol = Object.values(doc.nodes).flatMap((n) => n.symbols).find((s) =>
    s.name === className
  );
  assert.ok(symbol !== undefined, className);
  return symbol.declarations.flatMap((d) => [
    ...(d.def.methods ?? []).map((m) => m.name),
    ...(d.def.properties ?? []).map((p) => p.name),
  ]).sort();
}

Deno.test("WindowsLibraries shows only what an application calls, no plumbing", async () => {
  assert.deepEqual(
    await members("mod.ts", "WindowsLibraries"),
    [
      "[Symbol.asyncDispose]",
      "[Symbol.dispose]",
      "close",
      "closed",
      "hcsLibrary",
      "inFlight",
      "maxInFlight",
      "openHandles",
      "pending",
      "queued",
      "settled",
    ].sort(),
  );
});

Deno.test("MemoryStore shows the StateStore methods and podIds, no test counters", async () => {
  assert.deepEqual(
    await members("mod.ts", "MemoryStore"),
    ["append", "delete", "list", "load", "podIds", "save"].sort(),
  );
});

Deno.test("the entry points are the package's exports", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.deepEqual(config.exports, {
    ".": "./mod.ts",
    "./ports": "./ports.ts",
    "./sim": "./sim.ts",
    "./native": "./native.ts",
  });
});

Deno.test("internals stay inside: no helper of the adapters leaks out of @podnet/hcs", async () => {
  const mod = await import("../mod.ts");
  for (
    const name of ["withTimeLimit", "raceSignal", "LazyLibrary", "HCN_QUERY", "ComputeSystem"]
  ) {
    assert.equal(name in mod, false, name);
  }
});
