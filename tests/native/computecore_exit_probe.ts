/**
 * Run as a separate process (by tests/ffi_computecore_test.ts): one property
 * query through computecore, held 100 ms by the stand-in, then the program
 * ends without closing its libraries. It must wait for the query (the
 * completion callback keeps the event loop alive while an operation waits)
 * and then exit (it does not afterwards). Prints what it saw as JSON.
 *
 * @module
 */
import { FfiComputecoreApi } from "../../adapters/ffi/ffi_computecore_api.ts";
import { WindowsLibraries } from "../../adapters/ffi/windows_libraries.ts";

const paths = JSON.parse(Deno.args[0] ?? "{}") as Record<string, string>;
const vm = Deno.args[1] ?? "uvm-probe";
const text = (value: string) => new TextEncoder().encode(`${value}\0`);
// This process has its own copy of the stand-in's state: seed it here.
const controls = Deno.dlopen(paths.computecore ?? "", {
  HcsStandinAddSystem: { parameters: ["buffer", "buffer", "i32"], result: "i32" },
  StandinSetDelay: { parameters: ["buffer", "u32"], result: "void" },
});
controls.symbols.HcsStandinAddSystem(text(vm), text("lcow"), 1);
controls.symbols.StandinSetDelay(text("HcsGetComputeSystemProperties"), 100);

const libraries = new WindowsLibraries(paths, { hcs: "computecore" });
const hcs = new FfiComputecoreApi(libraries);
const handle = await hcs.openComputeSystem(vm);
const started = performance.now();
const properties = JSON.parse(await hcs.getComputeSystemProperties(handle, ""));
const waited = performance.now() - started >= 90;
hcs.closeComputeSystem(handle);
console.log(JSON.stringify({ properties, waited }));
