import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { buildBatches, createSession } from '../../testing/factories';
import { buildPerson, buildTenant } from '../../testing/people';
import { createTestApp, type TestApp } from '../../testing/test-app';

/** A span as OTLP/HTTP's JSON encoding carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A real OTLP/HTTP traces receiver: what an OpenTelemetry collector listens for on /v1/traces. */
class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  readonly services = new Set<string>();
  private server: Server | undefined;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url !== '/v1/traces' || req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/json')) {
          res.writeHead(404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? []) {
          for (const a of rs.resource?.attributes ?? []) if (a.key === 'service.name') this.services.add(a.value.stringValue);
          for (const ss of rs.scopeSpans ?? []) this.spans.push(...(ss.spans as OtlpSpan[]));
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v1/traces`;
  }
  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

const receiver = new OtlpReceiver();
let t: TestApp;

beforeAll(async () => {
  await receiver.start();
  t = await createTestApp({
    tracing: { endpoint: receiver.url, serviceName: 'veritas-under-test' },
    jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 1 },
  });
});
afterAll(async () => {
  await t?.close();
  await receiver.close();
});

describe('OpenTelemetry traces', () => {
  it('sends a span per request, continuing the caller’s trace, with its queries as children', async () => {
    const tenant = await buildTenant(t.app);
    const teacher = await buildPerson(t.app, tenant, 'teacher');
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const r = await t.app.inject({ url: '/v1/me', headers: { ...teacher.headers, traceparent: `00-${traceId}-${parentId}-01` } });
    expect(r.statusCode).toBe(200);
    const server = await vi.waitFor(
      () => {
        const s = receiver.spans.find((x) => x.traceId === traceId && x.name === 'GET /v1/me');
        expect(s).toBeDefined();
        return s!;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(server.parentSpanId).toBe(parentId);
    expect(attr(server, 'http.route')).toBe('/v1/me');
    expect(attr(server, 'http.response.status_code')).toBe(200);
    expect(receiver.services).toContain('veritas-under-test');
    const queries = receiver.spans.filter((x) => x.traceId === traceId && x.name === 'db.query');
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expect(q.parentSpanId).toBe(server.spanId);
      // The statement, never its parameters (the teacher's id is one).
      expect(String(attr(q, 'db.query.text'))).not.toContain(teacher.user.id);
    }
  });

  it('names spans by route pattern, not by the path with its ids', async () => {
    const s = await createSession(t.app);
    const r = await t.app.inject({ url: `/v1/sessions/${s.id}`, headers: { authorization: `Bearer ${s.writeToken}` } });
    expect(r.statusCode).toBeLessThan(500);
    await vi.waitFor(() => expect(receiver.spans.some((x) => x.name === 'GET /v1/sessions/:id')).toBe(true), { timeout: 30_000, interval: 100 });
    expect(receiver.spans.some((x) => x.name.includes(s.id))).toBe(false);
  });

  it('traces a job run (the analysis of an ended session) with its queries', async () => {
    const s = await createSession(t.app);
    for (const b of await buildBatches({ sessionId: s.id, writeToken: s.writeToken, text: 'an essay of a few words' })) {
      const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
      expect(r.statusCode, r.body).toBe(200);
    }
    const end = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
    expect(end.statusCode).toBe(200);
    const job = await vi.waitFor(
      () => {
        const j = receiver.spans.find((x) => x.name === 'job analyze-session');
        expect(j).toBeDefined();
        return j!;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(job.parentSpanId ?? '').toBe('');
    await vi.waitFor(() => expect(receiver.spans.some((x) => x.parentSpanId === job.spanId && x.name === 'db.query')).toBe(true), {
      timeout: 30_000,
      interval: 100,
    });
  }, 120_000);
});
