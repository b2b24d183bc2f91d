/**
 * A living pod through the FFI bindings against the stand-in DLLs, over
 * computecore and vmcompute, LCOW and WCOW: updateEndpoint sends an HCS
 * `Update` with `IovSettings` the stand-in accepts, removeEndpoint and
 * addEndpoint change one NIC, sync removes the NIC of a deleted endpoint.
 * Every test ends with no outstanding string and no open handle.
 */
import assert from "node:assert/strict";
import { InvalidArgumentError, NotFoundError } from "../domain/errors.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { createWindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import { WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import { HCS_LIBRARIES, openStandins, readFixture } from "./native/standins.ts";

const fixture = await readFixture();
const NS = fixture.namespace.ID;
const VM = "uvm-ffi-living";
const POD = "default/web-0";
const [EP0, EP1, EP2] = fixture.endpoints.map((e) => e.ID.toLowerCase());

for (const hcs of HCS_LIBRARIES) {
  for (const guest of ["lcow", "wcow"] as const) {
    Deno.test(`${hcs}, ${guest}: update, remove, add and sync of a running pod through FFI`, async () => {
      const standins = await openStandins(hcs);
      const libraries = new WindowsLibraries(standins.paths, { hcs });
      try {
        standins.seed(fixture);
        standins.addSystem(VM, guest);
        const ports = createWindowsPorts({ vmId: VM, guest, libraries });
        try {
          const c = new NetworkController({ podId: POD, namespaceId: NS }, ports);
          await c.setup();
          const modifies = () =>
            standins.documents("hcs").filter((d) => d.Call === "HcsModifyComputeSystem");
          const before = modifies().length;

          // Bad settings: refused before any call.
          await assert.rejects(
            c.updateEndpoint(EP1 as string, { iov: { queuePairsRequested: 2 ** 32 } }),
            InvalidArgumentError,
          );
          assert.equal(modifies().length, before);

          await c.updateEndpoint(EP1 as string, {
            iov: { offloadWeight: 100, queuePairsRequested: 4, interruptModeration: "Adaptive" },
          });
          const update = JSON.parse(modifies().at(-1)?.Document ?? "{}");
          assert.equal(update.RequestType, "Update");
          assert.match(update.ResourcePath, /^VirtualMachine\/Devices\/NetworkAdapters\//);
          assert.deepEqual(update.Settings.IovSettings, {
            OffloadWeight: 100,
            QueuePairsRequested: 4,
            InterruptModeration: "Adaptive",
          });
          assert.equal(update.Settings.EndpointId.toLowerCase(), EP1);
          assert.equal(modifies().length, before + 1, "no guest request");
          assert.equal(c.bindings.find((b) => b.endpointId === EP1)?.iov?.progress, "done");

          await c.removeEndpoint(EP0 as string);
          assert.equal(standins.systemState(VM).Nics.length, 2);
          assert.equal(await c.addEndpoint(EP0 as string), true);
          assert.equal(c.bindings.at(-1)?.endpointId, EP0, "after the others");
          assert.equal(standins.systemState(VM).Nics.length, 3);

          // CNI deletes eth2's endpoint: sync takes its NIC off.
          const eth2 = c.bindings.find((b) => b.endpointId === EP2);
          assert.ok(eth2);
          standins.removeHcnObject(EP2 as string);
          const sync = await c.sync();
          assert.deepEqual(sync, { added: [], removed: [EP2] });
          assert.equal(standins.systemState(VM).Nics.length, 2);
          // An update of a NIC the VM does not have fails as HCS would.
          await assert.rejects(
            ports.vm.updateNic?.({ nicId: eth2.nicId, endpointId: eth2.endpointId }, {
              offloadWeight: 1,
            }) ?? Promise.resolve(),
            NotFoundError,
          );

          await c.teardown();
          assert.equal(standins.systemState(VM).Nics.length, 0);
        } finally {
          await ports.close();
        }
        await standins.assertClean(libraries);
      } finally {
        await libraries.close();
        await standins.close();
      }
    });
  }
}
