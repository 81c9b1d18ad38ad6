import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { INGEST_PROTOCOL } from '@veritas/schema';
import { createTestApp, type TestApp } from '../testing/test-app';

// Small limits, generous ceilings: each test waits for the server to act, up to a minute.
const CEILING_MS = 60_000;

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({ timeouts: { requestMs: 1_500, connectionMs: 500, keepAliveMs: 500, socketIdleMs: 500 } });
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(url).port);
});
afterAll(async () => t.close());

/** Opens a raw connection, runs `act`, and resolves with what the server wrote once it closed. */
function untilClosed(act: (socket: ReturnType<typeof connect>) => void): Promise<{ response: string; closedBy: 'server' | 'ceiling' }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    const ceiling = setTimeout(() => {
      socket.destroy();
      resolve({ response, closedBy: 'ceiling' });
    }, CEILING_MS);
    socket.on('data', (d) => (response += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(ceiling);
      resolve({ response, closedBy: 'server' });
    });
    socket.on('connect', () => act(socket));
  });
}

describe('slow and silent clients are cut off', () => {
  it(
    'closes a request that declares a body, sends five bytes and goes silent',
    async () => {
      const r = await untilClosed((s) =>
        s.write('POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kin'),
      );
      expect(r.closedBy).toBe('server');
    },
    CEILING_MS + 10_000,
  );

  it(
    'answers 408 problem+json to a request trickling in past the request timeout',
    async () => {
      let timer: NodeJS.Timeout | undefined;
      const r = await untilClosed((s) => {
        s.write('POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
        // A byte every 100 ms keeps the connection active, so only the request timeout can end it.
        timer = setInterval(() => s.writable && s.write(' '), 100);
        s.on('close', () => clearInterval(timer));
      });
      clearInterval(timer);
      expect(r.closedBy).toBe('server');
      expect(r.response).toMatch(/^HTTP\/1\.1 408/);
      expect(r.response).toContain('application/problem+json');
      expect(r.response).toContain('urn:veritas:problem:request-timeout');
    },
    CEILING_MS + 10_000,
  );

  it(
    'closes an idle keep-alive connection',
    async () => {
      const r = await untilClosed((s) => s.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
      expect(r.closedBy).toBe('server');
      expect(r.response).toMatch(/^HTTP\/1\.1 200/);
    },
    CEILING_MS + 10_000,
  );

  it(
    'closes an authorised ingest socket that goes silent, with 4408',
    async () => {
      const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).json();
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/sessions/${s.id}/ingest`);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      const ready = new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
      expect(await ready).toMatchObject({ type: 'ready' });
      const code = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), CEILING_MS))]);
      ws.terminate();
      expect(code).toBe(4408);
    },
    CEILING_MS + 10_000,
  );
});
