import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, toBundle } from '@veritas/simulator';
import { DETECTOR_NAMES, type AnalysisResult } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, type Institution } from '../../testing/institution';
import { FLAG_EXPLANATIONS, processReport } from './process-report';

let t: TestApp;
let school: Institution;
let pasted = '';

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/bundles',
    headers: school.student.headers,
    payload: await toBundle(simulate('paste', 2), { sessionId: `reportPaste_${TEST_DB}_0001` }),
  });
  expect(r.statusCode, r.body).toBe(201);
  pasted = r.json().id;
}, 60_000);
afterAll(async () => t?.close());

describe(`GET /v1/sessions/:id/report (${TEST_DB})`, () => {
  it('gives the student the flags and evidence their teacher sees, each explained in one plain sentence', async () => {
    await expect
      .poll(async () => (await t.app.inject({ method: 'GET', url: `/v1/sessions/${pasted}/report`, headers: school.student.headers })).statusCode, {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(200);
    const report = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${pasted}/report`, headers: school.student.headers })).json();
    const analysis = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${pasted}/analysis`, headers: school.teacher.headers })).json()
      .analysis as AnalysisResult;
    expect(analysis.flags.length).toBeGreaterThan(0);
    expect(report).toMatchObject({ status: 'done', risk: analysis.score.risk, summary: analysis.score.summary, notes: analysis.notes });
    expect(report.about).toMatch(/never a verdict/);
    expect(report.flags).toEqual(
      analysis.flags.map((f) => ({
        detector: f.detector,
        severity: f.severity,
        explanation: FLAG_EXPLANATIONS[f.detector],
        measured: f.message,
        evidence: f.evidence,
      })),
    );
    // The teacher reads the same report: nothing in it is for one of them only.
    const teachers = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${pasted}/report`, headers: school.teacher.headers })).json();
    expect(teachers).toEqual(report);
  });

  it('says so while the analysis is not done, as the analysis route does (202, Retry-After)', async () => {
    const active = await recordAs(t.app, school.student, { end: false });
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${active.id}/report`, headers: school.student.headers });
    expect(r.statusCode).toBe(202);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json()).toMatchObject({ status: 'pending', detail: 'the analysis runs when the session ends' });
  });

  it('explains every detector in one sentence, and reads an earlier format for its flags only', () => {
    for (const d of DETECTOR_NAMES) {
      expect(FLAG_EXPLANATIONS[d], d).toMatch(/^[A-Z][^.]*\.$/);
    }
    const flag = {
      detector: 'external-paste',
      severity: 'medium',
      evidence: { seqFrom: 1, seqTo: 2, tFrom: 0, tTo: 5, excerpt: 'x' },
      message: 'm',
      values: {},
    };
    const earlier = processReport(
      { format: 'veritas.analysis/v1', flags: [flag, { detector: 'retired', severity: 'low' }], score: { risk: 'high' } },
      '2026-11-30T00:00:00.000Z',
      'veritas.analysis/v1',
    );
    expect(earlier).toMatchObject({ risk: null, notes: [], summary: 'The analysis raised 1 flag.' });
    expect(earlier.flags).toEqual([
      { detector: 'external-paste', severity: 'medium', explanation: FLAG_EXPLANATIONS['external-paste'], measured: 'm', evidence: flag.evidence },
    ]);
  });
});
