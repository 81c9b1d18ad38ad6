import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../../testing/test-app';

let t: TestApp;
let base: string;
let port: number;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
});
afterAll(async () => t.close());

async function expectProblem(res: Response, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as { type: string; status: number };
  expect(body.type).toBe(`urn:veritas:problem:${type}`);
  expect(body.status).toBe(status);
}

async function createSession(): Promise<{ id: string; writeToken: string }> {
  const res = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"sensor"}' });
  return (await res.json()) as { id: string; writeToken: string };
}

/** Sends a raw request and resolves with everything the server wrote before closing. */
function rawExchange(write: (socket: ReturnType<typeof connect>) => Promise<void>): Promise<{ response: string; writeError?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let writeError: string | undefined;
    let writing: Promise<void> = Promise.resolve();
    socket.on('data', (d) => (response += d.toString()));
    socket.on('error', (e: NodeJS.ErrnoException) => (writeError = e.code ?? e.message));
    socket.on('connect', () => (writing = write(socket).catch((e: Error) => void (writeError ??= e.message))));
    socket.on('close', () => void writing.then(() => resolve({ response, ...(writeError ? { writeError } : {}) })));
  });
}

describe('every error is problem+json, over a real socket', () => {
  it('answers an id over 100 characters with a 414 problem', async () => {
    await expectProblem(await fetch(`${base}/v1/sessions/${'a'.repeat(150)}`), 414, 'uri-too-long');
  });

  it('answers a malformed percent-escape with a 400 problem', async () => {
    await expectProblem(await fetch(`${base}/v1/sessions/%E0%A4%A`), 400, 'invalid-request');
  });

  it('answers a 60 KB header with a 431 problem', async () => {
    await expectProblem(await fetch(`${base}/health`, { headers: { 'x-padding': 'a'.repeat(60_000) } }), 431, 'headers-too-large');
  });

  it('answers an over-limit body with a 413 a fetch client reads', async () => {
    const s = await createSession();
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${s.writeToken}` };
    // Declared length, and chunked with no length: both read as a problem.
    await expectProblem(await fetch(`${base}/v1/sessions/${s.id}/end`, { method: 'POST', headers, body: 'x'.repeat(2_000_000) }), 413, 'body-too-large');
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (chunks++ >= 20) ctl.close();
        else ctl.enqueue(new Uint8Array(100_000).fill(120));
      },
    });
    await expectProblem(
      await fetch(`${base}/v1/sessions/${s.id}/end`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit),
      413,
      'body-too-large',
    );
  });

  it('reads the rest of a refused body before answering, so a client still sending is not reset', async () => {
    const s = await createSession();
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = 16; // 1 MiB against the 256 KiB default limit
    let sentAll = false;
    const { response, writeError } = await rawExchange(async (socket) => {
      socket.write(
        `POST /v1/sessions/${s.id}/end HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${s.writeToken}\r\nContent-Length: ${chunk.length * chunks}\r\n\r\n`,
      );
      for (let i = 0; i < chunks; i++) {
        // Wait for the kernel to take each chunk, so the server has answered (or not) between chunks.
        await new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve())));
        await new Promise((r) => setTimeout(r, 5));
        // An answer before the body is complete means the server stopped reading it.
        if (i < chunks - 1) expect(socket.bytesRead).toBe(0);
      }
      sentAll = true;
    });
    expect(writeError).toBeUndefined();
    expect(sentAll).toBe(true);
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(response).toContain('urn:veritas:problem:body-too-large');
  });
});
