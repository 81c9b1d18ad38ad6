import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSession } from '@veritas/analysis';
import { simulate } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { upsertAnalysis } from './analyses.repository';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a result stored by the v1 analysis format', () => {
  it('is served as it was stored, not refused by the v2 response schema (never a 500)', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json() as { id: string };
    // A v1 result: a score without a verdict, no capabilities or notChecked.
    const { capabilities: _c, notChecked: _n, ...rest } = analyzeSession(simulate('genuine', 1).events);
    const v1 = { ...rest, format: 'veritas.analysis/v1', score: { integrity: 1, risk: 'low', reasons: [], summary: 'Integrity 1.00, low risk: no flags.' } };
    await upsertAnalysis(t.db.database.db, { tenantId: null }, { sessionId: id, result: v1, version: 'veritas.analysis/v1' });
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/analysis` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'done', version: 'veritas.analysis/v1', analysis: { format: 'veritas.analysis/v1', score: v1.score } });
  });
});
