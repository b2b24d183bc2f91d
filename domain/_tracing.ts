/**
 * Spans through the OpenTelemetry API: one per controller operation, one
 * per step under it. The API is a no-op until the application registers a
 * tracer provider (or runs Deno with `OTEL_DENO=true`), so this costs next to
 * nothing otherwise. Parents are passed explicitly, so no context manager is
 * needed.
 *
 * Attributes: `podnet.pod.id`, `podnet.namespace.id`, `podnet.operation`,
 * `podnet.step`, `podnet.nic.id`, `podnet.endpoint.id`, and on failure
 * `podnet.error.code` and `podnet.hresult` (the HRESULT found in the
 * failure's cause chain, `0x` and eight hex digits).
 *
 * @module
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  type Span,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { HResultError, PodnetError } from "./errors.ts";

const tracer = trace.getTracer("podnet");

/** The span of a step whose operation is not traced: records nothing. */
const UNTRACED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The IDs a span is about. */
export interface SpanSubject {
  readonly podId: string;
  readonly namespaceId: string;
  readonly nicId?: string | undefined;
  readonly endpointId?: string | undefined;
}

/** Starts the span of an operation. */
export function startOperationSpan(operation: string, subject: SpanSubject): Span {
  return tracer.startSpan(`podnet.${operation}`, {
    attributes: { "podnet.operation": operation, ...attributes(subject) },
  });
}

/** Starts the span of a step, under its operation's span. */
export function startStepSpan(step: string, subject: SpanSubject, parent: Span | undefined): Span {
  // No provider, or sampled out: the steps are not traced either.
  if (parent !== undefined && !parent.isRecording()) return UNTRACED;
  return tracer.startSpan(
    `podnet.${step}`,
    { attributes: { "podnet.step": step, ...attributes(subject) } },
    parent === undefined ? undefined : trace.setSpan(context.active(), parent),
  );
}

/** Ends a span: with an error status and the failure's codes when it failed. */
export function endSpan(span: Span, failure?: unknown, failed = failure !== undefined): void {
  if (failed) {
    const code = failure instanceof PodnetError || hasCode(failure) ? failure.code : undefined;
    if (code !== undefined) span.setAttribute("podnet.error.code", code);
    const hresult = hresultOf(failure);
    if (hresult !== undefined) span.setAttribute("podnet.hresult", hresult.hex);
    if (failure instanceof Error) span.recordException(failure);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: failure instanceof Error ? failure.message : String(failure),
    });
  }
  span.end();
}

function attributes(s: SpanSubject): Record<string, string> {
  return {
    "podnet.pod.id": s.podId,
    "podnet.namespace.id": s.namespaceId,
    ...(s.nicId === undefined ? {} : { "podnet.nic.id": s.nicId }),
    ...(s.endpointId === undefined ? {} : { "podnet.endpoint.id": s.endpointId }),
  };
}

function hasCode(value: unknown): value is { code: string } {
  return typeof value === "object" && value !== null &&
    typeof (value as { code?: unknown }).code === "string";
}

/** The first HResultError in a failure's cause chain (bounded). */
function hresultOf(failure: unknown): HResultError | undefined {
  let c = failure;
  for (let depth = 0; depth < 8 && c !== undefined && c !== null; depth++) {
    if (c instanceof HResultError) return c;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}
