import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  /** The OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** How long spans wait to be sent together, in ms (the exporter's batch delay). */
  exportDelayMs?: number;
}

/** Traces of one process: a span per request, per database query inside it, per job run. */
export interface Tracing {
  /** Starts a span, a child of the W3C `traceparent` in `headers` when it carries one. */
  startServerSpan(name: string, headers: Record<string, string | string[] | undefined>, attributes: Attributes): Span;
  /** Starts a root span for work no request started (a job run). */
  startInternalSpan(name: string, attributes: Attributes): Span;
  /** Runs `fn` with `span` as the parent of what it does (its queries). */
  within<T>(span: Span, fn: () => T): T;
  /** Makes `span` the parent of what the current asynchronous flow does from now on (a request's later hooks and handler). */
  enter(span: Span): void;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

interface Scope {
  tracer: Tracer;
  span: Span;
}

/**
 * The current span, per asynchronous flow. Ours rather than OpenTelemetry's global context manager:
 * several apps share a process in tests, each with its own exporter, and nothing here is global.
 */
const scope = new AsyncLocalStorage<Scope>();
const propagator = new W3CTraceContextPropagator();

/**
 * Tracing over OTLP/HTTP, or none (undefined) when no endpoint is configured: then nothing is
 * recorded and the hooks cost one lookup. Spans are made by hand at the few places that matter
 * (requests, queries, jobs) instead of by OpenTelemetry's auto-instrumentation, which patches
 * modules as they load and needs a loader hook under ESM.
 */
export function createTracing(options: TracingOptions | undefined): Tracing | undefined {
  if (!options) return undefined;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: options.endpoint, timeoutMillis: 5_000 }),
        scheduledDelayMillis: options.exportDelayMs ?? 2_000,
        // A collector that is down costs memory up to this many spans, then spans are dropped, never requests.
        maxQueueSize: 4_096,
      }),
    ],
  });
  const tracer = provider.getTracer('veritas', options.serviceVersion);
  return {
    startServerSpan(name, headers, attributes) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      return tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    },
    startInternalSpan(name, attributes) {
      return tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, root: true });
    },
    within: (span, fn) => scope.run({ tracer, span }, fn),
    enter: (span) => scope.enterWith({ tracer, span }),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * Records a finished database query as a child of the current span, if there is one (Kysely's log
 * hook calls it after the query, in the caller's flow). The statement is the SQL text: its
 * parameters, which may be personal data, are never recorded.
 */
export function recordQuery(statement: string, durationMs: number, error?: unknown): void {
  const current = scope.getStore();
  if (!current) return;
  const end = Date.now();
  const span = current.tracer.startSpan(
    'db.query',
    { kind: SpanKind.CLIENT, startTime: end - durationMs, attributes: { 'db.system.name': 'postgresql', 'db.query.text': statement.slice(0, 2_000) } },
    trace.setSpan(ROOT_CONTEXT, current.span),
  );
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end(end);
}

/** The trace id of the current span, for log lines. */
export function currentTraceId(): string | undefined {
  return scope.getStore()?.span.spanContext().traceId;
}
