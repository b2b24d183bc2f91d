/**
 * Run as a separate process (by tests/ffi_load_test.ts) with few or no
 * permissions: imports every FFI module, builds the objects, makes one call,
 * and prints what happened as JSON.
 *
 * @module
 */
import { createWindowsPorts } from "../../adapters/ffi/create_windows_ports.ts";
import { FfiHcnApi } from "../../adapters/ffi/ffi_hcn_api.ts";
import { FfiHcsApi } from "../../adapters/ffi/ffi_hcs_api.ts";
import { systemLibraryPath } from "../../adapters/ffi/library_paths.ts";
import { nativeLibrariesOf, WindowsLibraries } from "../../adapters/ffi/windows_libraries.ts";

const paths = JSON.parse(Deno.args[0] ?? "{}") as Record<string, string>;
const libraries = new WindowsLibraries(paths);
const ports = createWindowsPorts({ vmId: "uvm-probe", guest: "lcow", libraries });
new FfiHcsApi(libraries);
let call: { name: string; code: string; message: string; hint: string } | null = null;
try {
  await new FfiHcnApi(libraries).openNamespace("6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b");
} catch (error) {
  call = error instanceof Error
    ? {
      name: error.name,
      code: String((error as { code?: unknown }).code),
      message: error.message,
      hint: String((error as { hint?: unknown }).hint),
    }
    : null;
}
await ports.close();
console.log(JSON.stringify({
  imported: true,
  loaded: nativeLibrariesOf(libraries).computenetwork.loaded,
  defaultPath: systemLibraryPath("computenetwork"),
  call,
}));
