import type { FastifyInstance } from 'fastify';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Tracing } from '../../platform/tracing';

const spans = new WeakMap<object, Span>();

/**
 * A server span per request, named by its route pattern (never the raw path, which holds ids and
 * share tokens), continuing the caller's trace when it sends `traceparent`; the request's queries
 * are its children. The trace id joins the request's log lines.
 */
export function installTracing(app: FastifyInstance, tracing: Tracing): void {
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const span = tracing.startServerSpan(`${req.method} ${route}`, req.headers, {
      'http.request.method': req.method,
      'http.route': route,
      'url.scheme': req.protocol,
      'client.address': req.ip,
    });
    spans.set(req, span);
    // Set synchronously, before this hook's promise settles: the later hooks and the handler run in its flow.
    tracing.enter(span);
    req.log = reply.log = req.log.child({ traceId: span.spanContext().traceId });
  });
  app.addHook('onResponse', async (req, reply) => {
    const span = spans.get(req);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  app.addHook('onClose', async () => tracing.shutdown());
}
