/**
 * A process that changes a simulated host file many times, for the test
 * that runs several of them at once: `sim_file_writer.ts FILE N COUNT` adds
 * COUNT endpoints (IDs from N) and arms COUNT faults, one call at a time.
 *
 * @module
 */
import { SimulatedHost } from "../../sim.ts";

const [path, n, count] = Deno.args;
if (path === undefined || n === undefined || count === undefined) {
  throw new Error("usage: sim_file_writer.ts FILE N COUNT");
}
const host = SimulatedHost.openFile(path);
for (let i = 0; i < Number(count); i++) {
  const id = `e${n.padStart(7, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`;
  host.addEndpoint({ ID: id });
  host.faults.inject({ on: "vm.add-nic", nth: i + 1, action: { type: "hang" } });
  // Let the others in between.
  await new Promise((resolve) => setTimeout(resolve, 0));
}
