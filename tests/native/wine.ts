/**
 * Whether the tests run under Wine (the Windows lane, tools/windows_lane.sh),
 * told by the export only Wine's ntdll.dll has: `wine_get_version`.
 *
 * Under Wine a few things cannot be tested the Windows way: Wine sets
 * `SystemRoot` in every process it starts, whatever the parent asked for. A
 * test skipped under Wine says why in its name and has an in-process twin.
 *
 * @module
 */

function detect(): boolean {
  if (Deno.build.os !== "windows") return false;
  try {
    const ntdll = Deno.dlopen("ntdll.dll", {
      wine_get_version: { parameters: [], result: "pointer", optional: true },
    });
    try {
      return ntdll.symbols.wine_get_version !== null;
    } finally {
      ntdll.close();
    }
  } catch {
    // No --allow-ffi: cannot tell; Windows is the safe answer.
    return false;
  }
}

/** True when this process is Windows Deno running under Wine. */
export const UNDER_WINE: boolean = detect();
