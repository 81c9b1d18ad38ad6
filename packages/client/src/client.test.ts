import { describe, expect, it } from 'vitest';
import { createVeritasClient, idempotent, ok, VeritasProblem } from './index';

/** A fetch that answers `answer` and keeps each request it was given. */
function answering(answer: () => Response) {
  const seen: Request[] = [];
  return { seen, fetch: async (r: Request) => (seen.push(r), answer()) };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json', ...headers } });

describe('createVeritasClient', () => {
  it('sends the API key as a bearer, the Idempotency-Key given, and leaves a request its own Authorization', async () => {
    const f = answering(() => json(201, { id: 's1', writeToken: 'w' }));
    const veritas = createVeritasClient({ baseUrl: 'http://veritas.test', apiKey: 'vk_abc', fetch: f.fetch });
    const made = await ok(veritas.POST('/v1/sessions', { body: { kind: 'writing' }, params: idempotent('key-1') }));
    expect(made.id).toBe('s1');
    expect(f.seen[0]!.headers.get('Authorization')).toBe('Bearer vk_abc');
    expect(f.seen[0]!.headers.get('Idempotency-Key')).toBe('key-1');
    await veritas.POST('/v1/sessions/{id}/end', { params: { path: { id: 's1' } }, headers: { Authorization: 'Bearer write-token' } });
    expect(f.seen[1]!.headers.get('Authorization')).toBe('Bearer write-token');
  });

  it('asks a function for the access token on every request', async () => {
    const f = answering(() => json(200, {}));
    let n = 0;
    const veritas = createVeritasClient({ baseUrl: 'http://veritas.test', accessToken: async () => `t${++n}`, fetch: f.fetch });
    await veritas.GET('/v1/me');
    await veritas.GET('/v1/me');
    expect(f.seen.map((r) => r.headers.get('Authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('refuses both an API key and an access token', () => {
    expect(() => createVeritasClient({ baseUrl: 'http://x', apiKey: 'a', accessToken: 'b' })).toThrow(TypeError);
  });

  it('throws a problem+json answer as a VeritasProblem with its stable code and Retry-After', async () => {
    const problem = { type: 'urn:veritas:problem:rate-limited', title: 'Too many requests', status: 429, detail: 'slow down', requestId: 'r1' };
    const veritas = createVeritasClient({ baseUrl: 'http://veritas.test', fetch: answering(() => json(429, problem, { 'Retry-After': '7' })).fetch });
    const err = await veritas.GET('/v1/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VeritasProblem);
    expect(err).toMatchObject({ code: 'rate-limited', status: 429, message: 'slow down', requestId: 'r1', retryAfter: 7 });
  });

  it('names an answer that is not a problem (a proxy page) by its status, without its HTML', async () => {
    const page = () =>
      new Response('<html><body>Bad gateway</body></html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } });
    const veritas = createVeritasClient({ baseUrl: 'http://veritas.test', fetch: answering(page).fetch });
    const err = await veritas.GET('/v1/me').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http-502', status: 502, message: 'Bad Gateway', detail: undefined, retryAfter: undefined });
  });
});
