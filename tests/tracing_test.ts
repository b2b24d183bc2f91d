/**
 * Traces: with a tracer provider registered (here the SDK's, exporting to
 * memory), a controller operation is one span and each of its steps a child
 * span carrying the pod, namespace, NIC and endpoint IDs; a failed step and
 * operation carry an error status, the error code and the HRESULT.
 */
import assert from "node:assert/strict";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NetworkController } from "../domain/network_controller.ts";
import { SetupError } from "../domain/errors.ts";
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

function stack(guest: "lcow" | "wcow") {
  const host = new SimulatedHost({ guest });
  host.loadFixture(fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  return { host, ports };
}

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

Deno.test("tracing: a 3-NIC setup is one span with a child span per step", async () => {
  exporter.reset();
  const { ports } = stack("wcow");
  const c = new NetworkController({ podId: "pod-t", namespaceId: NS }, ports);
  await c.setup();
  ports[Symbol.dispose]();
  const spans = exporter.getFinishedSpans();
  const [op] = named(spans, "podnet.setup");
  assert.ok(op, "the operation's span");
  assert.equal(op.attributes["podnet.pod.id"], "pod-t");
  assert.equal(op.attributes["podnet.namespace.id"], NS);
  assert.equal(op.attributes["podnet.state"], "Configured");
  assert.equal(op.status.code, SpanStatusCode.UNSET);
  const steps = spans.filter((s) => s !== op);
  for (const s of steps) {
    assert.equal(s.parentSpanContext?.spanId, op.spanContext().spanId, `${s.name} is a child`);
    assert.equal(s.spanContext().traceId, op.spanContext().traceId);
    assert.equal(s.attributes["podnet.pod.id"], "pod-t");
    assert.equal(`podnet.${s.attributes["podnet.step"]}`, s.name, "one name per step");
  }
  assert.equal(named(spans, "podnet.read-namespace").length, 1);
  assert.equal(named(spans, "podnet.read-endpoint").length, 3);
  assert.equal(named(spans, "podnet.guest-namespace-add").length, 1);
  for (const step of ["guest-prepare", "vm-add", "guest-attach"]) {
    const perNic = named(spans, `podnet.${step}`);
    assert.equal(perNic.length, 3, step);
    const nics = new Set(perNic.map((s) => s.attributes["podnet.nic.id"]));
    assert.deepEqual([...nics].sort(), c.bindings.map((b) => b.nicId).sort());
    for (const s of perNic) {
      const binding = c.bindings.find((b) => b.nicId === s.attributes["podnet.nic.id"]);
      assert.equal(s.attributes["podnet.endpoint.id"], binding?.endpointId);
    }
  }
});

Deno.test("tracing: a failed setup marks the failed step and the operation, with the HRESULT", async () => {
  exporter.reset();
  const { host, ports } = stack("lcow");
  host.faults.inject({
    on: "vm.add-nic",
    nth: 2,
    action: { type: "hresult", hresult: HRESULT.E_INVALIDARG },
  });
  const c = new NetworkController({ podId: "pod-f", namespaceId: NS }, ports);
  await assert.rejects(c.setup(), SetupError);
  ports[Symbol.dispose]();
  const spans = exporter.getFinishedSpans();
  const [op] = named(spans, "podnet.setup");
  assert.ok(op);
  assert.equal(op.status.code, SpanStatusCode.ERROR);
  assert.equal(op.attributes["podnet.error.code"], "SETUP_FAILED");
  assert.equal(op.attributes["podnet.hresult"], "0x80070057");
  assert.equal(op.attributes["podnet.state"], "TornDown");
  const failed = spans.filter((s) => s.status.code === SpanStatusCode.ERROR && s !== op);
  assert.equal(failed.length, 1, "one step failed");
  const [step] = failed;
  assert.equal(step?.name, "podnet.vm-add");
  assert.equal(step?.attributes["podnet.hresult"], "0x80070057");
  assert.equal(step?.attributes["podnet.error.code"], "HRESULT");
  assert.ok(step?.attributes["podnet.nic.id"]);
  assert.ok(step?.events.some((e) => e.name === "exception"), "the exception is recorded");
  // The rollback's undo steps are spans of the same operation.
  const undone = named(spans, "podnet.vm-remove");
  assert.ok(undone.length >= 1);
  for (const s of undone) assert.equal(s.parentSpanContext?.spanId, op.spanContext().spanId);
});

Deno.test("tracing: teardown is a span too, and each undo step under it", async () => {
  const { ports } = stack("lcow");
  const c = new NetworkController({ podId: "pod-d", namespaceId: NS }, ports);
  await c.setup();
  exporter.reset();
  await c.teardown();
  ports[Symbol.dispose]();
  const spans = exporter.getFinishedSpans();
  const [op] = named(spans, "podnet.teardown");
  assert.ok(op);
  assert.equal(named(spans, "podnet.vm-remove").length, 3);
  assert.equal(named(spans, "podnet.guest-detach").length, 3);
  assert.ok(
    spans.every((s) => s === op || s.parentSpanContext?.spanId === op.spanContext().spanId),
  );
});
