import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genesisHash, macKeyFromToken, sealBatch, type SessionKind, type VeritasEvent } from '@veritas/schema';
import { analyzeSession, createIncrementalAnalyzer, type AnalysisResult, type Flag } from '@veritas/analysis';
import { mulberry32, simulate, toBundle } from '@veritas/simulator';
import { loadConfig, type Config } from '../../config/config';
import { buildApp, type App } from '../../http/app';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';
import { tenantScope } from '../../kernel/scope';
import { startRole } from '../../roles/start-role';
import { createSession as createSessionFor } from '../../testing/factories';

interface Created {
  id: string;
  writeToken: string;
}

const createSession = (app: App, kind: string): Promise<Created> => createSessionFor(app, { kind: kind as SessionKind, meta: {} });

/** Sends events as sealed, chained batches whose sizes `size()` draws. Returns the last hash. */
async function send(app: App, s: Created, events: VeritasEvent[], size: () => number, prev?: string): Promise<string> {
  const key = await macKeyFromToken(s.writeToken);
  let hash = prev ?? (await genesisHash(s.id));
  for (let i = 0; i < events.length;) {
    const n = Math.max(1, Math.min(1000, size()));
    const b = await sealBatch(events.slice(i, i + n), hash, key);
    const r = await app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
    expect(r.statusCode, r.body).toBe(200);
    hash = b.hash;
    i += n;
  }
  return hash;
}

async function end(app: App, s: Created) {
  const r = await app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
  expect(r.statusCode).toBe(200);
}

/** Polls the analysis route until its answer is final (200). */
async function finalAnalysis(app: App, id: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await app.inject({ method: 'GET', url: `/v1/sessions/${id}/analysis` });
    if (r.statusCode === 200) return r.json();
    expect(r.statusCode, r.body).toBe(202);
    expect(['pending', 'running']).toContain(r.json().status);
    expect(r.headers['retry-after']).toBe('1');
    if (Date.now() > until) throw new Error(`no analysis for ${id} within ${timeoutMs} ms: ${r.body}`);
    await new Promise((res) => setTimeout(res, 30));
  }
}

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const alertKey = (a: Pick<Flag, 'detector' | 'severity' | 'message' | 'evidence'>) =>
  `${a.evidence.seqFrom}|${a.detector}|${a.severity}|${a.evidence.seqTo}|${a.message}`;

/** Drivers to run the job flow on: the embedded runner always; pg-boss on PostgreSQL. */
const drivers: Config['jobs']['driver'][] = TEST_DB === 'postgres' ? ['embedded', 'pg-boss'] : ['embedded'];

async function appOn(db: TestDatabase, driver: Config['jobs']['driver'], role: Config['role']): Promise<App> {
  const config = loadConfig(
    {},
    {
      dataDir: undefined,
      logLevel: 'silent',
      role,
      ...(driver === 'pg-boss' ? { databaseUrl: db.url! } : {}),
      jobs: { driver, pollIntervalMs: driver === 'pg-boss' ? 500 : 20, concurrency: 2 },
    },
  );
  const app = await buildApp({ config, database: db.database, logger: false });
  await startRole(app, config);
  await app.ready();
  return app;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 2 } });
});
afterAll(async () => t?.close());

describe('analysis when a session ends', () => {
  it('analyses a dishonest session ended over HTTP: flags with evidence, the same as the whole analysis', async () => {
    const sim = simulate('paste', 3, { paragraphs: 2 });
    const s = await createSession(t.app, sim.sessionKind);
    await send(t.app, s, sim.events, () => 150);
    await end(t.app, s);
    const body = await finalAnalysis(t.app, s.id);
    expect(body.status).toBe('done');
    expect(body.version).toBe('veritas.analysis/v2');
    const a = body.analysis as AnalysisResult;
    expect(a).toEqual(plain(analyzeSession(sim.events)));
    expect(a.flags.map((f) => f.detector)).toEqual(expect.arrayContaining(['external-paste', 'paste-share']));
    expect(a.score.risk).toBe('high');
    expect(a.flags[0]!.evidence).toMatchObject({ seqFrom: expect.any(Number), seqTo: expect.any(Number), excerpt: expect.any(String) });
  });

  it('raises nothing at high severity for genuine composition', async () => {
    const sim = simulate('genuine', 1, { paragraphs: 2 });
    const s = await createSession(t.app, sim.sessionKind);
    await send(t.app, s, sim.events, () => 400);
    await end(t.app, s);
    const a = (await finalAnalysis(t.app, s.id)).analysis as AnalysisResult;
    expect(a.flags.filter((f) => f.severity === 'high')).toEqual([]);
    expect(a.metrics).toBeTruthy();
    expect(a.score.reasons.length).toBeGreaterThan(0);
  });

  it('analyses an uploaded bundle, with its initial text', async () => {
    const sim = simulate('autotyper', 2, { paragraphs: 2 });
    const bundle = await toBundle(sim, { sessionId: `analysis_bundle_${Date.now()}` });
    bundle.session.meta = { ...bundle.session.meta, initialText: 'Title\n' };
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(r.statusCode).toBe(201);
    const a = (await finalAnalysis(t.app, bundle.session.id)).analysis as AnalysisResult;
    expect(a).toEqual(plain(analyzeSession(sim.events, { initialText: 'Title\n' })));
    expect(a.flags.some((f) => f.severity === 'high')).toBe(true);
  });

  it('answers 202 pending for a session still active', async () => {
    const s = await createSession(t.app, 'writing');
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/analysis` });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ status: 'pending', attempts: 0, detail: expect.stringContaining('ends') });
  });

  for (const driver of drivers) {
    it(`keeps the job across a restart: an api process enqueues, the next process (all) runs it [${driver}]`, async () => {
      const db = await createTestDatabase();
      try {
        const api = await appOn(db, driver, 'api');
        const sim = simulate('mixed', 2, { paragraphs: 1 });
        const s = await createSession(api, sim.sessionKind);
        await send(api, s, sim.events, () => 300);
        await end(api, s);
        const waiting = await api.inject({ method: 'GET', url: `/v1/sessions/${s.id}/analysis` });
        expect(waiting.statusCode).toBe(202);
        expect(waiting.json()).toMatchObject({ status: 'pending', attempts: 0 });
        await api.close();

        const next = await appOn(db, driver, 'all');
        try {
          const body = await finalAnalysis(next, s.id);
          expect(body.analysis).toEqual(plain(analyzeSession(sim.events)));
        } finally {
          await next.close();
        }
      } finally {
        await db.drop();
      }
    });
  }
});

describe('live alerts from the incremental analyser fed by ingest', () => {
  it('stores the flags of the whole analysis for a session sent in random batch sizes', async () => {
    const sim = simulate('proctoring-violations', 1);
    const rand = mulberry32(7);
    const s = await createSession(t.app, sim.sessionKind);
    await send(t.app, s, sim.events, () => 1 + Math.floor(rand() * 120));
    await t.app.services.live.whenIdle();
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/alerts` });
    expect(r.statusCode).toBe(200);
    const stored = r.json().items as Flag[];
    const whole = analyzeSession(sim.events).flags;
    expect(whole.length).toBeGreaterThan(3);
    expect(stored.map(alertKey).sort()).toEqual(whole.map(alertKey).sort());
    expect(stored.map((a) => ({ detector: a.detector, severity: a.severity, message: a.message, evidence: a.evidence, values: a.values }))).toEqual(
      plain(whole).sort((a, b) => a.evidence.seqFrom - b.evidence.seqFrom),
    );
  });

  it('rebuilds an analyser from stored events after a restart and never stores an alert twice', async () => {
    const db = await createTestDatabase();
    try {
      const sim = simulate('paste', 3, { paragraphs: 2 });
      const rand = mulberry32(11);
      const half = Math.floor(sim.events.length * 0.96); // the pastes come late in this session
      const first = await appOn(db, 'embedded', 'all');
      const s = await createSession(first, sim.sessionKind);
      const head = await send(first, s, sim.events.slice(0, half), () => 1 + Math.floor(rand() * 90));
      await first.services.live.whenIdle();
      await first.close();

      const second = await appOn(db, 'embedded', 'all');
      try {
        expect(second.services.live.size).toBe(0);
        await send(second, s, sim.events.slice(half), () => 1 + Math.floor(rand() * 7), head);
        await second.services.live.whenIdle();
        const stored = (await second.inject({ method: 'GET', url: `/v1/sessions/${s.id}/alerts` })).json().items as Flag[];
        const expected = createIncrementalAnalyzer().push(sim.events);
        expect(expected.length).toBeGreaterThan(2);
        expect(stored.map(alertKey).sort()).toEqual(expected.map(alertKey).sort());
        // Each live alert is a flag of the whole analysis.
        const whole = new Set(analyzeSession(sim.events).flags.map(alertKey));
        for (const a of stored) expect(whole.has(alertKey(a))).toBe(true);
        // Replaying the stored stream into a fresh analyser stores nothing new.
        second.services.live.onCommitted([{ sessionId: s.id, tenantId: null, events: sim.events }]);
        second.services.live.forget(s.id);
        second.services.live.onCommitted([{ sessionId: s.id, tenantId: null, events: sim.events.slice(-5) }]);
        await second.services.live.whenIdle();
        const again = (await second.inject({ method: 'GET', url: `/v1/sessions/${s.id}/alerts` })).json().items as Flag[];
        expect(again.length).toBe(stored.length);
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('access to analysis and alerts', () => {
  it('keeps a tenant session out of other scopes', async () => {
    const sim = simulate('proctoring-violations', 2, { durationMs: 120_000 });
    const a = tenantScope('tenant-a');
    const { session } = await t.app.services.sessions.create(a, { kind: sim.sessionKind });
    // Alerts raised for the tenant's stream (fed to the hook as ingest would).
    t.app.services.live.onCommitted([{ sessionId: session.id, tenantId: 'tenant-a', events: sim.events }]);
    await t.app.services.live.whenIdle();
    await t.app.services.sessions.end(a, session.id);
    for (const url of [`/v1/sessions/${session.id}/analysis`, `/v1/sessions/${session.id}/alerts`]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().type).toBe('urn:veritas:problem:not-found');
    }
    await expect(t.app.services.analysis.status(tenantScope('tenant-b'), session.id)).rejects.toThrow(/no session/);
    await expect(t.app.services.live.alerts(tenantScope('tenant-b'), session.id, 10)).rejects.toThrow(/no session/);
    await expect(t.app.services.analysis.status({ tenantId: null }, session.id)).rejects.toThrow(/no session/);
    // Its own tenant sees it.
    const until = Date.now() + 10_000;
    let status = await t.app.services.analysis.status(a, session.id);
    while (status.status !== 'done' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 30));
      status = await t.app.services.analysis.status(a, session.id);
    }
    expect(status.status).toBe('done');
    const alerts = await t.app.services.live.alerts(a, session.id, 100);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.map((x) => x.detector)).toContain('several-faces');
  });

  it('answers 400 for a malformed id and 404 for an unknown one, as problem+json', async () => {
    for (const route of ['analysis', 'alerts']) {
      for (const [id, code] of [
        ['short', 400],
        ['../etc', 400],
        ['AAAAAAAAAAAAAAAAAAAAAA', 404],
      ] as const) {
        const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${encodeURIComponent(id)}/${route}` });
        expect(r.statusCode, `${route} ${id}`).toBe(code);
        expect(r.headers['content-type']).toContain('application/problem+json');
      }
    }
  });
});
