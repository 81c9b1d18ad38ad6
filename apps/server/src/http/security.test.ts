import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket } from '../testing/socket-client';
import { INGEST_PROTOCOL } from '@veritas/schema';
import { createTestApp, type TestApp } from '../testing/test-app';
import { chainBatches } from '../testing/batches';
import { buildApp } from './app';
import { loadConfig } from '../config/config';
import { openPostgres } from '../platform/db/database';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ metricsToken: 'metrics-token-of-this-test' });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => t.close());

async function newSession(): Promise<{ id: string; writeToken: string; links: Record<string, string> }> {
  return (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json();
}

/** A sealed one-event batch whose custom data holds `key`, as the text a client would send. */
async function batchWithKey(sessionId: string, token: string, key: string): Promise<string> {
  const [b] = await chainBatches(sessionId, [{ seq: 0, t: 0, type: 'custom', data: { name: 'probe', data: { PLACEHOLDER: { polluted: true } } } }], 1, token);
  return JSON.stringify(b).replace('"PLACEHOLDER"', `"${key}"`);
}

describe('security headers', () => {
  it('sends a CSP, nosniff, frame and referrer policies, and no HSTS on plain HTTP', async () => {
    const r = await fetch(`${base}/health`);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS when the public URL is https', async () => {
    const tls = await createTestApp({ publicUrl: 'https://veritas.example' });
    try {
      const r = await tls.app.inject('/health');
      expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(String(r.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    } finally {
      await tls.close();
    }
  });

  it('lets /docs run its own scripts and styles: every inline script is hashed in its CSP', async () => {
    const page = await fetch(`${base}/docs/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const html = await page.text();
    const { createHash } = await import('node:crypto');
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).filter((s) => s.trim());
    for (const code of inline) expect(csp).toContain(`'sha256-${createHash('sha256').update(code).digest('base64')}'`);
    for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) {
      const src = new URL(m[1]!, page.url);
      expect(src.origin).toBe(base);
      const script = await fetch(src);
      expect(script.status).toBe(200);
      await script.arrayBuffer();
    }
  });
});

describe('request ids and links', () => {
  it('keeps a safe x-request-id and replaces anything else', async () => {
    expect((await t.app.inject({ url: '/health', headers: { 'x-request-id': 'req-123.a:b_c' } })).headers['x-request-id']).toBe('req-123.a:b_c');
    for (const bad of ['<script>alert(1)</script>', 'a'.repeat(65), 'spaces are bad', 'ünïcode']) {
      const id = (await t.app.inject({ url: '/health', headers: { 'x-request-id': bad } })).headers['x-request-id'];
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('builds links from the listening address, never from the Host header', async () => {
    const r = await fetch(`${base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'evil.example' },
      body: '{"kind":"writing"}',
    });
    const s = (await r.json()) as { links: Record<string, string> };
    for (const link of Object.values(s.links)) {
      expect(link).not.toContain('evil.example');
      expect(link.replace(/^ws/, 'http').startsWith(base)).toBe(true);
    }
    const viaInject = (await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: { host: 'evil.example' }, payload: { kind: 'writing' } })).json();
    expect(viaInject.links.view).not.toContain('evil.example');
  });

  it('builds links from the public URL when one is configured', async () => {
    const pub = await createTestApp({ publicUrl: 'https://veritas.example/' });
    try {
      const s = (await pub.app.inject({ method: 'POST', url: '/v1/sessions', headers: { host: 'evil.example' }, payload: { kind: 'writing' } })).json();
      expect(s.links.view.startsWith('https://veritas.example/')).toBe(true);
    } finally {
      await pub.close();
    }
  });
});

describe('prototype keys in custom data', () => {
  const keys = ['__proto__', 'constructor', 'prototype', '\\u005f_proto__'];

  it('refuses them over HTTP with a 400 naming the key', async () => {
    for (const key of keys) {
      const s = await newSession();
      const r = await fetch(`${base}/v1/sessions/${s.id}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.writeToken}` },
        body: await batchWithKey(s.id, s.writeToken, key),
      });
      expect(r.status, key).toBe(400);
      const p = (await r.json()) as { type: string; detail: string };
      expect(p.type).toBe('urn:veritas:problem:invalid-request');
      expect(p.detail).toMatch(/"(__proto__|constructor|prototype)"/);
    }
  });

  it('refuses them over the WebSocket the same way, and stores nothing', async () => {
    for (const key of keys) {
      const s = await newSession();
      const { ws, opened, next } = openSocket(`${base.replace(/^http/, 'ws')}/v1/sessions/${s.id}/ingest`);
      expect(await opened).toBe('open');
      ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
      expect((await next()).type).toBe('ready');
      ws.send(`{"type":"batch","batch":${await batchWithKey(s.id, s.writeToken, key)}}`);
      const answer = await next();
      expect(answer.type, key).toBe('error');
      expect(answer.problem.type).toBe('urn:veritas:problem:invalid-request');
      expect(answer.problem.detail).toMatch(/"(__proto__|constructor|prototype)"/);
      ws.close();
      expect((await t.app.inject(`/v1/sessions/${s.id}`)).json().eventCount).toBe(0);
    }
  });
});

describe('operations exposure', () => {
  it('serves /metrics only with the configured bearer token', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const right = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-of-this-test' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('veritas_events_ingested_total');
  });

  it('logs a database outage once, at warn, however often /ready is probed', async () => {
    const lines: { level: number; msg: string }[] = [];
    const database = openPostgres('postgres://postgres@127.0.0.1:9/none', 1);
    const app = await buildApp({
      config: loadConfig({}, { dataDir: undefined, logLevel: 'info' }),
      database,
      logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    });
    try {
      for (let i = 0; i < 5; i++) {
        const r = await app.inject('/ready');
        expect(r.statusCode).toBe(503);
        expect(r.headers['retry-after']).toBe('2');
        expect(r.json().type).toBe('urn:veritas:problem:database-unavailable');
      }
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines.filter((l) => /database unreachable/.test(l.msg))).toHaveLength(1);
      expect(lines.find((l) => /database unreachable/.test(l.msg))?.level).toBe(40);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
