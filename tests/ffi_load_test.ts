import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NativeLoadError } from "../domain/errors.ts";
import { createWindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import { FfiHcnApi } from "../adapters/ffi/ffi_hcn_api.ts";
import { FfiHcsApi } from "../adapters/ffi/ffi_hcs_api.ts";
import { systemLibraryPath } from "../adapters/ffi/library_paths.ts";
import { trustedSystemRoot } from "../adapters/ffi/_system_root.ts";
import { WindowsHcsApi } from "../adapters/ffi/windows_hcs_api.ts";
import { nativeLibrariesOf, WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import { InvalidArgumentError } from "../domain/errors.ts";
import { buildStandins } from "./native/standin_build.ts";
import { openStandins, readFixture } from "./native/standins.ts";
import { UNDER_WINE } from "./native/wine.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
// Built up front: the permission test below runs without --allow-run.
const built = await buildStandins();
/** A folder that does not exist. */
const NOWHERE = join(built.dir, "no-such-dir");

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function loadError(...patterns: RegExp[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof NativeLoadError, String(e));
    assert.equal(e.code, "NATIVE_LOAD_FAILED");
    // One line: the OS's own message (on Windows it ends in "\r\n") stays in `cause`.
    assert.doesNotMatch(e.message, /[\r\n]/, JSON.stringify(e.message));
    // What to do about it is advice: in `hint`, not in the message.
    const text = `${e.message} / hint: ${e.hint ?? ""}`;
    for (const pattern of patterns) assert.match(text, pattern);
    return true;
  };
}

Deno.test("nothing is loaded until the first call", async () => {
  await using standins = await openStandins();
  standins.seed(await readFixture());
  await using libraries = new WindowsLibraries(standins.paths);
  const hcn = new FfiHcnApi(libraries);
  const loaded = () =>
    [
      nativeLibrariesOf(libraries).computenetwork,
      nativeLibrariesOf(libraries).computecore,
      nativeLibrariesOf(libraries).vmcompute,
      nativeLibrariesOf(libraries).ole32,
      nativeLibrariesOf(libraries).kernel32,
    ].map((l) => l.loaded);
  assert.deepEqual(loaded(), [false, false, false, false, false]);
  const handle = await hcn.openNamespace(NS);
  hcn.closeNamespace(handle);
  // computenetwork and the two helpers it needs; no HCS library yet.
  assert.deepEqual(loaded(), [true, false, false, true, true]);
  assert.equal(libraries.hcsLibrary, undefined);
  await standins.assertClean(libraries);
});

Deno.test("a missing library is a NativeLoadError naming it, its path and the option to set", async () => {
  const missing = join(NOWHERE, basename(built.paths.computenetwork));
  await using libraries = new WindowsLibraries({ ...built.paths, computenetwork: missing });
  const hcn = new FfiHcnApi(libraries);
  await assert.rejects(
    hcn.openNamespace(NS),
    loadError(
      /^Cannot load computenetwork\.dll from .*no-such-dir.* \/ hint: check that /,
      /libraries\.computenetwork$/,
    ),
  );
  // A missing helper library fails the same way, before any call is made.
  await using noOle32 = new WindowsLibraries({ ...built.paths, ole32: missing });
  await assert.rejects(new FfiHcsApi(noOle32).openComputeSystem("uvm-1"), loadError(/ole32\.dll/));
  assert.equal(nativeLibrariesOf(noOle32).vmcompute.loaded, false);
});

Deno.test("a library without the functions is a NativeLoadError listing the missing ones", async () => {
  await using libraries = new WindowsLibraries({
    ...built.paths,
    vmcompute: built.paths.kernel32,
  });
  await assert.rejects(
    new FfiHcsApi(libraries).openComputeSystem("uvm-1"),
    loadError(
      new RegExp(`^Cannot load vmcompute\\.dll from .*${escape(basename(built.paths.kernel32))}`),
      /does not export HcsOpenComputeSystem, HcsModifyComputeSystem, HcsGetComputeSystemProperties, HcsCloseComputeSystem/,
    ),
  );
  assert.equal(nativeLibrariesOf(libraries).vmcompute.loaded, false);
});

Deno.test({
  name: "without --allow-ffi the first call is a NativeLoadError saying so",
  permissions: { read: true, env: true, ffi: false },
  async fn() {
    const libraries = new WindowsLibraries(built.paths);
    const hcn = new FfiHcnApi(libraries);
    await assert.rejects(
      hcn.openNamespace(NS),
      loadError(
        /computenetwork\.dll|ole32\.dll/,
        /: FFI is not permitted \/ hint: run Deno with --allow-ffi$/,
      ),
    );
    await libraries.close();
  },
});

Deno.test({
  name: "off Windows there is no default path: the error says to pass one",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using libraries = new WindowsLibraries();
    await assert.rejects(
      new FfiHcnApi(libraries).enumerateNamespaces("{}"),
      loadError(/: it exists only on Windows \/ hint: pass libraries\.ole32 /),
    );
  },
});

Deno.test("the default path is the full System32 path, never a bare name", () => {
  assert.equal(systemLibraryPath("vmcompute", "D:\\Win"), "D:\\Win\\System32\\vmcompute.dll");
  assert.equal(systemLibraryPath("ole32", "C:\\Windows\\"), "C:\\Windows\\System32\\ole32.dll");
  assert.match(systemLibraryPath("kernel32"), /^[A-Za-z]:\\.+\\System32\\kernel32\.dll$/);
});

async function probe(permissions: string[], env: Record<string, string>, ...args: string[]) {
  const script = fileURLToPath(new URL("./native/import_probe.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", ...permissions, script, ...args],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("importing and constructing need no permission; the first call asks for --allow-ffi", async () => {
  const result = await probe([], {}, JSON.stringify(built.paths));
  assert.equal(result.imported, true);
  assert.equal(result.loaded, false);
  // SystemRoot could not be read: the usual location.
  assert.equal(result.defaultPath, "C:\\Windows\\System32\\computenetwork.dll");
  assert.equal(result.call.name, "NativeLoadError");
  assert.match(result.call.message, /FFI is not permitted$/);
  assert.equal(result.call.hint, "run Deno with --allow-ffi");
});

// Wine sets SystemRoot in every process it starts, whatever the parent
// asked for: under Wine the child-process tests cannot see their SystemRoot,
// and the in-process twins below check the same logic.
const WINE_RESETS_SYSTEMROOT = " [skipped under Wine: it resets SystemRoot in child processes]";

// A relative path would resolve against the current directory, a UNC path to
// another machine: both would load whatever DLL is there.
const UNTRUSTED_ROOTS = ["Windows", ".\\Windows", "\\\\server\\share\\Windows", "C:Windows", ""];

Deno.test({
  name: `SystemRoot is read when the first default path is needed${WINE_RESETS_SYSTEMROOT}`,
  ignore: UNDER_WINE,
  async fn() {
    const result = await probe(["--allow-env=SystemRoot"], { SystemRoot: "E:\\WinNT" });
    assert.equal(result.defaultPath, "E:\\WinNT\\System32\\computenetwork.dll");
  },
});

Deno.test({
  name: "a SystemRoot that is not an absolute drive path is not trusted: the usual location" +
    WINE_RESETS_SYSTEMROOT,
  ignore: UNDER_WINE,
  async fn() {
    for (const root of UNTRUSTED_ROOTS) {
      const result = await probe(["--allow-env=SystemRoot"], { SystemRoot: root });
      assert.equal(result.defaultPath, "C:\\Windows\\System32\\computenetwork.dll", root);
    }
  },
});

Deno.test("SystemRoot is read when the first default path is needed (in-process)", () => {
  const root = Deno.env.get("SystemRoot");
  if (Deno.build.os === "windows") assert.ok(root !== undefined, "Windows always sets SystemRoot");
  assert.equal(
    systemLibraryPath("computenetwork"),
    `${trustedSystemRoot(root)}\\System32\\computenetwork.dll`,
  );
});

Deno.test("a SystemRoot that is not an absolute drive path is not trusted (in-process)", () => {
  for (const root of UNTRUSTED_ROOTS) assert.equal(trustedSystemRoot(root), "C:\\Windows", root);
  assert.equal(trustedSystemRoot(undefined), "C:\\Windows");
  assert.equal(trustedSystemRoot("E:\\WinNT"), "E:\\WinNT");
  assert.equal(trustedSystemRoot("d:/windows"), "d:/windows");
});

Deno.test("by default the HCS library is computecore.dll when it loads, else vmcompute.dll", async () => {
  await using standins = await openStandins();
  standins.addSystem("uvm-1", "lcow");
  standins.addEndpoint({ ID: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" });
  // computecore loads: it is chosen, and vmcompute is never loaded.
  await using both = new WindowsLibraries(standins.paths);
  const chosen = new WindowsHcsApi(both);
  chosen.closeComputeSystem(await chosen.openComputeSystem("uvm-1"));
  assert.deepEqual([chosen.library, both.hcsLibrary], ["computecore", "computecore"]);
  assert.deepEqual([
    nativeLibrariesOf(both).computecore.loaded,
    nativeLibrariesOf(both).vmcompute.loaded,
  ], [true, false]);
  // It does not load (missing, or too old to export the functions): vmcompute.
  for (
    const computecore of [join(NOWHERE, basename(built.paths.computecore)), built.paths.kernel32]
  ) {
    await using libraries = new WindowsLibraries({ ...standins.paths, computecore });
    const hcs = new WindowsHcsApi(libraries);
    hcs.closeComputeSystem(await hcs.openComputeSystem("uvm-1"));
    assert.equal(hcs.library, "vmcompute");
    assert.deepEqual([
      nativeLibrariesOf(libraries).computecore.loaded,
      nativeLibrariesOf(libraries).vmcompute.loaded,
    ], [false, true]);
  }
  // Named, it is used whether or not the other one loads.
  await using named = new WindowsLibraries(standins.paths, { hcs: "vmcompute" });
  assert.equal(nativeLibrariesOf(named).chooseHcs(), "vmcompute");
  await using ports = createWindowsPorts({
    vmId: "uvm-1",
    guest: "lcow",
    libraries: named,
    hcs: "computecore",
  });
  const nic = {
    nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
    endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
  };
  await ports.vm.addNic(nic);
  await ports.vm.removeNic(nic);
  assert.equal(standins.callCount("hcs", "HcsModifyComputeSystem"), 2, "sent to computecore");
  await ports.close();
  await standins.assertClean(named);
  assert.throws(
    () => new WindowsLibraries({}, { hcs: "vmcompute.dll" as "vmcompute" }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "hcs",
  );
});

Deno.test("createWindowsPorts over bad paths fails only when called, and then clearly", async () => {
  await using ports = createWindowsPorts({
    vmId: "uvm-1",
    guest: "wcow",
    libraries: { ...built.paths, vmcompute: join(NOWHERE, basename(built.paths.vmcompute)) },
    hcs: "vmcompute",
  });
  assert.equal(ports.ownsLibraries, true);
  await assert.rejects(
    ports.vm.addNic({
      nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
      endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
    }),
    loadError(new RegExp(`vmcompute\\.dll from ${escape(NOWHERE)}`)),
  );
  await using computecore = createWindowsPorts({
    vmId: "uvm-1",
    guest: "wcow",
    libraries: { ...built.paths, computecore: join(NOWHERE, basename(built.paths.computecore)) },
    hcs: "computecore",
  });
  await assert.rejects(
    computecore.vm.removeNic({
      nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
      endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
    }),
    loadError(new RegExp(`computecore\\.dll from ${escape(NOWHERE)}`)),
  );
});

Deno.test("createWindowsPorts names the argument it cannot use, before any library loads", () => {
  const cases: [unknown, string][] = [
    [undefined, "options"],
    ["uvm", "options"],
    [{ vmId: "uvm", guest: "lcow", libraries: 7 }, "libraries"],
    [{ vmId: "uvm", guest: "lcow", libraries: { vmcompute: 7 } }, "libraries.vmcompute"],
    [{ vmId: "uvm", guest: "lcow", libraries: { computenetwork: "" } }, "libraries.computenetwork"],
    [{ vmId: "", guest: "lcow" }, "vmId"],
    [{ vmId: "uvm", guest: "bsd" }, "guest"],
    [{ vmId: "uvm", guest: "lcow", timeoutMs: 0 }, "timeoutMs"],
    [{ vmId: "uvm", guest: "lcow", hcs: "v3" }, "hcs"],
    [{ vmId: "uvm", guest: "lcow", guestTransport: {} }, "options.transport"],
  ];
  for (const [options, argument] of cases) {
    assert.throws(
      () => createWindowsPorts(options as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
      `${argument}: ${Deno.inspect(options)}`,
    );
  }
});
