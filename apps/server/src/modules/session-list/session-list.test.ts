import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, toBundle } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { PUBLIC_SCOPE, tenantScope } from '../../kernel/scope';

let t: TestApp;
const demo: { id: string; kind: string }[] = [];
const ordinary: string[] = [];
let ordinaryToken = '';

interface Item {
  id: string;
  kind: string;
  status: string;
  source: string;
  analysisSummary: { state: string; risk?: string; integrity?: number; flags?: number };
}
type Page = { items: Item[]; next: string | null };

async function list(query: string, headers: Record<string, string> = {}): Promise<Page> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/sessions${query}`, headers });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

/** Every page, following `next`. */
async function all(query: string, headers: Record<string, string> = {}): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const sep = query.includes('?') ? '&' : '?';
    const page: Page = await list(cursor ? `${query}${sep}cursor=${encodeURIComponent(cursor)}` : query, headers);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}

beforeAll(async () => {
  t = await createTestApp();
  const services = t.app.services;
  // Published: the demo sessions, as `veritas serve --demo` seeds them (ended bundles, analysed by the job).
  for (const [kind, seed] of [
    ['genuine', 1],
    ['paste', 2],
    ['genuine', 3],
    ['proctoring', 4],
    ['paste', 5],
  ] as const) {
    const { session } = await services.bundles.import(PUBLIC_SCOPE, await toBundle(simulate(kind, seed), { sessionId: `listDemo_${kind}_${seed}_0001` }), {
      source: 'demo',
    });
    demo.push({ id: session.id, kind: session.kind });
  }
  // A demo session still being written (active).
  const active = await services.sessions.create(PUBLIC_SCOPE, { kind: 'writing', source: 'demo' });
  demo.push({ id: active.session.id, kind: 'writing' });

  // Not published: anonymous sessions created through the API, an uploaded bundle, and a tenant's demo session.
  for (const kind of ['writing', 'proctoring']) {
    const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind } });
    expect(r.statusCode).toBe(201);
    ordinary.push(r.json().id);
    ordinaryToken = r.json().writeToken;
  }
  expect(
    (await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: await toBundle(simulate('paste', 9), { sessionId: 'listUploaded00000001' }) }))
      .statusCode,
  ).toBe(201);
  ordinary.push('listUploaded00000001');
  await services.bundles.import(tenantScope('tenant-a'), await toBundle(simulate('genuine', 6), { sessionId: 'listTenantDemo000001' }), { source: 'demo' });
  ordinary.push('listTenantDemo000001');
}, 120_000);
afterAll(async () => t?.close());

describe('GET /v1/sessions', () => {
  it('lists the published demo sessions of the public scope only, newest first, across pages', async () => {
    const items = await all('?limit=2');
    expect(items.map((i) => i.id).sort()).toEqual(demo.map((d) => d.id).sort());
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    // Newest first: the active session was created after the imports.
    expect(items[0]!.id).toBe(demo[demo.length - 1]!.id);
    expect(items.every((i) => i.source === 'demo')).toBe(true);
    const first = await list('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    expect((await list('?limit=100')).next).toBeNull();
  });

  it('never lists an ordinary anonymous session, an upload or another tenant’s session, whatever the filter or credential', async () => {
    const asWriter = { authorization: `Bearer ${ordinaryToken}` };
    for (const query of ['', '?status=active', '?status=ended', '?kind=writing', '?kind=proctoring', '?kind=sensor']) {
      for (const headers of [{}, asWriter]) {
        const ids = (await all(query, headers)).map((i) => i.id);
        for (const id of ordinary) expect(ids, `${query} ${JSON.stringify(headers)}`).not.toContain(id);
      }
    }
  });

  it('filters by kind and status', async () => {
    const kinds = (await all('?kind=proctoring')).map((i) => i.id);
    expect(kinds).toEqual(demo.filter((d) => d.kind === 'proctoring').map((d) => d.id));
    const active = await all('?status=active');
    expect(active.map((i) => i.id)).toEqual([demo[demo.length - 1]!.id]);
    expect(active[0]!.analysisSummary).toEqual({ state: 'pending' });
    const ended = await all('?status=ended&kind=writing&limit=1');
    expect(ended.map((i) => i.id).sort()).toEqual(
      demo
        .filter((d) => d.kind === 'writing' && d.id !== demo[demo.length - 1]!.id)
        .map((d) => d.id)
        .sort(),
    );
    expect(ended.every((i) => i.status === 'ended')).toBe(true);
  });

  it('answers each session with its analysis summary once the analysis is done', async () => {
    const summaryOf = async (id: string) => (await all('?limit=100')).find((i) => i.id === id)!.analysisSummary;
    const paste = demo.find((d) => d.kind === 'writing' && d.id.startsWith('listDemo_paste'))!.id;
    await expect.poll(() => summaryOf(paste), { timeout: 60_000, interval: 250 }).toMatchObject({ state: 'done' });
    const s = await summaryOf(paste);
    const full = (await t.app.inject(`/v1/sessions/${paste}/analysis`)).json();
    expect(s).toEqual({ state: 'done', risk: full.analysis.score.risk, integrity: full.analysis.score.integrity, flags: full.analysis.flags.length });
    expect(s.flags).toBeGreaterThan(0);
  });

  it('refuses a bad limit, cursor or filter with a 400 problem', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    for (const query of ['?limit=0', '?limit=101', '?limit=x', '?cursor=not-a-cursor', `?cursor=${forged}`, '?kind=novel', '?status=paused', '?cursor=']) {
      const r = await t.app.inject(`/v1/sessions${query}`);
      expect(r.statusCode, query).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().type, query).toBe('urn:veritas:problem:invalid-request');
    }
  });
});
