import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '@veritas/simulator';
import { parseBundle, verifyChain, type VeritasEvent } from '@veritas/schema';
import { fromIdfx, idfxToBundle } from '@veritas/schema/idfx';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, type Institution, type Recorded } from '../../testing/institution';
import { linkedAudit } from '../../testing/linked-audit';

let t: TestApp;
let school: Institution;
/** The simulator's genuine essay: typing, revisions, pauses, time away. */
let essay: Recorded;

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
const textOf = (events: readonly VeritasEvent[]) =>
  events.reduce((s, e) => (e.type === 'text.op' ? s.slice(0, e.data.pos) + e.data.ins + s.slice(e.data.pos + e.data.del) : s), '');
const ops = (events: readonly VeritasEvent[]) => events.flatMap((e) => (e.type === 'text.op' ? [`${e.data.pos}/${e.data.del}/${e.data.ins}`] : []));
/** Keystrokes as IDFX keeps them (press and release to the millisecond), in press order. */
const keystrokes = (events: readonly VeritasEvent[]) =>
  events.flatMap((e) => (e.type === 'key' ? [`${e.data.class} ${Math.round(e.t - e.data.hold)}-${Math.round(e.t)}`] : [])).sort();

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  essay = await recordAs(t.app, school.student, { events: simulate('genuine', 3).events });
}, 120_000);
afterAll(async () => t?.close());

describe(`IDFX export and import (${TEST_DB})`, () => {
  it('exports the essay as IDFX, and importing it gives back the same session: every event, and from the IDFX parts alone the same text and keystrokes', async () => {
    const r = await get(`/v1/sessions/${essay.id}/export.idfx`, school.teacher.headers);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="session-${essay.id}.idfx"`);
    const stored = ((await get(`/v1/sessions/${essay.id}/data`, school.teacher.headers)).json() as { events: VeritasEvent[] }).events;
    expect(stored.length).toBe(essay.eventCount);

    const bundle = await idfxToBundle(r.body);
    expect(bundle.session.id).toBe(essay.id);
    expect(bundle.batches.flatMap((b) => b.events)).toEqual(stored);
    // A bundle anyone can check: its chain holds (sealed anew, without the write token's MACs).
    expect(parseBundle(JSON.parse(JSON.stringify(bundle))).ok).toBe(true);
    expect(await verifyChain(bundle.session.id, bundle.batches)).toBeNull();

    const foreign = fromIdfx(r.body, { exact: false });
    expect(textOf(foreign.events)).toBe(textOf(stored));
    expect(textOf(stored).length).toBeGreaterThan(500);
    expect(ops(foreign.events)).toEqual(ops(stored));
    expect(keystrokes(foreign.events)).toEqual(keystrokes(stored));
  });

  it('is the student’s as the teacher’s, audited, refused to others, and only for an ended writing session', async () => {
    const mine = await get(`/v1/sessions/${essay.id}/export.idfx`, school.student.headers);
    expect(mine.statusCode).toBe(200);
    expect((await get(`/v1/sessions/${essay.id}/export.idfx`, school.otherStudent.headers)).statusCode).toBe(404);
    expect((await get(`/v1/sessions/${essay.id}/export.idfx`, school.stranger.headers)).statusCode).toBe(404);
    const audited = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .select(['detail'])
      .where('resource_id', '=', essay.id)
      .where('action', '=', 'session.data.export')
      .execute();
    expect(audited.filter((a) => (a.detail as { format?: string }).format === 'idfx').length).toBeGreaterThanOrEqual(2);
    const running = await recordAs(t.app, school.student, { end: false });
    const active = await get(`/v1/sessions/${running.id}/export.idfx`, school.student.headers);
    expect(active.statusCode).toBe(409);
    expect(active.json().type).toMatch(/session-not-ended$/);
  });
});
