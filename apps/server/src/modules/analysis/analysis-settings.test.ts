import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSession } from '@veritas/analysis';
import { simulate } from '@veritas/simulator';
import type { VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches } from '../../testing/batches';

let t: TestApp;
let refusing: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  refusing = await createTestApp({ hostSignals: 'refuse' });
});
afterAll(async () => {
  await t?.close();
  await refusing?.close();
});

/** Creates a session with the given body, sends the events, ends it, and waits for its analysis. */
async function analysed(app: TestApp['app'], body: object, events: VeritasEvent[]) {
  const created = await app.inject({ method: 'POST', url: '/v1/sessions', payload: body });
  expect(created.statusCode, created.body).toBe(201);
  const s = created.json() as { id: string; writeToken: string; analysis: object };
  for (const b of await chainBatches(s.id, events, 500, s.writeToken)) {
    const r = await app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
    expect(r.statusCode, r.body).toBe(200);
  }
  await app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
  // A generous ceiling: on a busy machine the job may wait its turn.
  for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
    const r = await app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/analysis` });
    if (r.statusCode === 200) return { session: s, analysis: r.json().analysis };
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`no analysis for ${s.id}`);
}

describe('analysis settings set when a session is created (an exam’s thresholds)', () => {
  it('analyses with the thresholds the session carries, and says which were in force', async () => {
    const { events } = simulate('paste', 3);
    const thresholds = { externalPasteLowChars: 5000, externalPasteChars: 10_000, externalPasteHighChars: 20_000 };
    const strict = await analysed(t.app, { kind: 'writing' }, events);
    const lenient = await analysed(t.app, { kind: 'writing', analysis: { thresholds } }, events);
    expect(lenient.session.analysis).toEqual({ thresholds });
    expect(strict.analysis.flags.some((f: { detector: string }) => f.detector === 'external-paste')).toBe(true);
    expect(lenient.analysis.flags.some((f: { detector: string }) => f.detector === 'external-paste')).toBe(false);
    expect(lenient.analysis.thresholds).toMatchObject(thresholds);
    expect(lenient.analysis).toEqual(JSON.parse(JSON.stringify(analyzeSession(events, { thresholds }))));
  });

  it('refuses an unknown or negative threshold at creation, naming it', async () => {
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing', analysis: { thresholds: { noSuchThing: 3 } } } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ type: 'urn:veritas:problem:invalid-request' });
    expect(unknown.json().detail).toContain('noSuchThing');
    const negative = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { kind: 'writing', analysis: { thresholds: { externalPasteChars: -1 } } },
    });
    expect(negative.statusCode).toBe(400);
    const extra = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing', analysis: { scoreEverything: true } } });
    expect(extra.statusCode).toBe(400);
  });

  it('drops host-page signals when the session, or the whole server, refuses them', async () => {
    const { events } = simulate('proctoring', 2);
    const shown = await analysed(t.app, { kind: 'proctoring' }, events);
    expect(shown.analysis.hostSignals).not.toBeNull();
    const sessionRefuses = await analysed(t.app, { kind: 'proctoring', analysis: { acceptHostSignals: false } }, events);
    expect(sessionRefuses.analysis.hostSignals).toBeNull();
    const serverRefuses = await analysed(refusing.app, { kind: 'proctoring', analysis: { acceptHostSignals: true } }, events);
    expect(serverRefuses.analysis.hostSignals).toBeNull();
    // Refusing them never changes the score: they were never in it.
    expect(sessionRefuses.analysis.score).toEqual(shown.analysis.score);
  });
});

describe('what the source captured and the accommodations reach the analysis (issue 11)', () => {
  const keylessFlags = (a: { flags: { detector: string }[] }) => a.flags.filter((f) => f.detector === 'keyless-text');

  it('a text-only source declared in meta.capabilities is never flagged for keyless typing; undeclared it is', async () => {
    const sim = simulate('text-only', 4);
    const declared = await analysed(t.app, { kind: 'writing', meta: { capabilities: sim.declared.capabilities } }, sim.events);
    expect(keylessFlags(declared.analysis)).toEqual([]);
    expect(declared.analysis).toEqual(JSON.parse(JSON.stringify(analyzeSession(sim.events, { capabilities: sim.declared.capabilities! }))));
    const undeclared = await analysed(t.app, { kind: 'writing' }, sim.events);
    expect(keylessFlags(undeclared.analysis).length).toBeGreaterThan(0);
  });

  it('assistive technology set as an accommodation is analysed as an input method', async () => {
    const sim = simulate('assistive', 2);
    const accommodated = await analysed(t.app, { kind: 'writing', analysis: { assistiveTechnology: true } }, sim.events);
    expect(accommodated.session.analysis).toEqual({ assistiveTechnology: true });
    expect(accommodated.analysis).toEqual(JSON.parse(JSON.stringify(analyzeSession(sim.events, { assistiveTechnology: true }))));
  });
});
