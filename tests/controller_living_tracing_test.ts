/**
 * Traces of the operations on a running pod: each is one span named after
 * the operation, with a child span per step (`vm-update` included); a
 * failed update carries the error status and the HRESULT.
 */
import assert from "node:assert/strict";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NetworkController } from "../domain/network_controller.ts";
import { NicChangeError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;
const EP1 = (fixture.endpoints[1]?.ID ?? "").toLowerCase();

Deno.test("tracing: addEndpoint, updateEndpoint, removeEndpoint and sync are spans with their steps", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  const c = new NetworkController({ podId: "pod-t", namespaceId: NS }, ports);
  await c.setup();
  await c.removeEndpoint(EP1);
  await c.addEndpoint(EP1);
  await c.updateEndpoint(EP1, { iov: { offloadWeight: 5 } });
  await c.sync();
  host.faults.inject({
    on: "vm.update-nic",
    nth: 1,
    action: { type: "hresult", hresult: HRESULT.E_FAIL },
  });
  await assert.rejects(c.updateEndpoint(EP1, { iov: { offloadWeight: 6 } }), NicChangeError);
  const spans = exporter.getFinishedSpans();
  const ops = spans.filter((s) => s.attributes["podnet.operation"] !== undefined);
  assert.deepEqual(ops.map((s) => s.name), [
    "podnet.setup",
    "podnet.removeEndpoint",
    "podnet.addEndpoint",
    "podnet.updateEndpoint",
    "podnet.sync",
    "podnet.updateEndpoint",
  ]);
  const childrenOf = (i: number) =>
    spans.filter((s) => s.parentSpanContext?.spanId === ops[i]?.spanContext().spanId)
      .map((s) => s.name);
  assert.deepEqual(childrenOf(1), ["podnet.guest-detach", "podnet.vm-remove"]);
  assert.ok(
    childrenOf(2).includes("podnet.vm-add") && childrenOf(2).includes("podnet.guest-attach"),
  );
  assert.deepEqual(childrenOf(3), ["podnet.vm-update"]);
  const failed = ops[5];
  assert.equal(failed?.status.code, SpanStatusCode.ERROR);
  assert.equal(failed?.attributes["podnet.error.code"], "NIC_CHANGE_FAILED");
  assert.equal(failed?.attributes["podnet.hresult"], "0x80004005");
  await c.teardown();
});
