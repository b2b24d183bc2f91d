/**
 * Memory of a living pod's controller, measured in a process of its own
 * with `--v8-flags=--expose-gc` (`tests/_helpers/controller_memory_probe.ts`):
 * at most 4 KiB per live 3-NIC controller, and flat over 10,000
 * addEndpoint/removeEndpoint cycles.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const PROBE = fileURLToPath(new URL("./_helpers/controller_memory_probe.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("memory: at most 4 KiB per live 3-NIC controller, flat over 10,000 add/remove cycles", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--v8-flags=--expose-gc", "--allow-read", PROBE, "2000", "10000"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, err);
  const r: { bytesPerController: number; heapSamplesKiB: number[] } = JSON.parse(
    new TextDecoder().decode(output.stdout),
  );
  assert.ok(r.bytesPerController <= 4096, `${r.bytesPerController} bytes per controller`);
  // After the first samples (the engine settles its own caches), a leak of
  // even 8 bytes a cycle would show as 62 KiB over the last 8,000 cycles.
  const settled = r.heapSamplesKiB[2] ?? 0;
  const last = r.heapSamplesKiB.at(-1) ?? 0;
  assert.ok(last - settled < 64, `heap grew ${last - settled} KiB: ${r.heapSamplesKiB.join(" ")}`);
});
