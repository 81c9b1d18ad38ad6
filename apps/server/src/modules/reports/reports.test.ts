import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, type Institution, type Recorded } from '../../testing/institution';
import { inkOf, readPdf, type ReadPdf } from '../../testing/pdf-reader';
import type { Person } from '../../testing/people';
import { verifyCertificate } from '../certificates';
import { linkedAudit } from '../../testing/linked-audit';

let t: TestApp;
let school: Institution;
/** A typical essay: the simulator's genuine writer, about 3,500 events over eight minutes. */
let essay: Recorded;
/** An essay with an external paste: one flag, which the teacher dismisses. */
let pasted: Recorded;

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

/** Waits for the analysis (the PDF answers 202 until then) and returns the PDF as read back by poppler. */
async function pdfOf(sessionId: string, who: Person): Promise<{ pdf: Buffer; read: ReadPdf }> {
  await expect.poll(async () => (await get(`/v1/sessions/${sessionId}/report.pdf`, who.headers)).statusCode, { timeout: 60_000, interval: 200 }).toBe(200);
  const r = await get(`/v1/sessions/${sessionId}/report.pdf`, who.headers);
  expect(r.headers['content-type']).toBe('application/pdf');
  expect(r.headers['content-disposition']).toBe(`attachment; filename="veritas-report-${sessionId}.pdf"`);
  const pdf = r.rawPayload;
  if (process.env.VERITAS_KEEP_PDF) (await import('node:fs')).writeFileSync(`${process.env.VERITAS_KEEP_PDF}/${sessionId}.pdf`, pdf);
  return { pdf, read: await readPdf(pdf) };
}

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  essay = await recordAs(t.app, school.student, { events: simulate('genuine', 1).events });
  pasted = await recordAs(t.app, school.student, { events: simulate('paste', 1, { paragraphs: 2 }).events });
}, 120_000);
afterAll(async () => t?.close());

describe(`the PDF report (${TEST_DB})`, () => {
  it('holds the metrics in plain words, the chronology with its chart, and the certificate, on one page for a typical essay', async () => {
    const { read } = await pdfOf(essay.id, school.teacher);
    expect(read.pages).toBe(1);
    const text = read.text.replace(/\s+/g, ' ');
    expect(text).toContain('Chronology');
    expect(text).toContain('Session started');
    expect(text).toContain('How the text was written');
    expect(text).toMatch(/Typing speed averaged \d+ characters a minute/);
    expect(text).toMatch(/There were [\d,]+ pauses of 2 s or more/);
    expect(text).toMatch(/revision ratio \d\.\d\d/);
    expect(text).toContain(`${essay.eventCount.toLocaleString('en-GB')} events`);
    const cert = (await get(`/v1/sessions/${essay.id}/certificate`, school.teacher.headers)).json();
    expect(text).toContain(`Certificate ${cert.id}, valid`);
    expect(text).toContain(`Signed with key ${cert.kid}`);
    expect(text).toContain('/verify');
    const head = (await t.app.services.database.db.selectFrom('sessions').select('head_hash').where('id', '=', essay.id).executeTakeFirstOrThrow()).head_hash;
    expect(text.replace(/ /g, '')).toContain(`Chainhead:${head}`);
    // The page is drawn: ink on it, and the chart's bars (blue) among it.
    const ink = inkOf(read.png[0]!);
    expect(ink.dark).toBeGreaterThan(0.02);
    expect(ink.blue).toBeGreaterThan(0.002);
  });

  it('embeds the certificate exactly as signed and the chain head, as attached files and in the document information', async () => {
    const { pdf, read } = await pdfOf(essay.id, school.student);
    const cert = (await get(`/v1/sessions/${essay.id}/certificate`, school.student.headers)).json();
    expect(read.attachments.get('certificate.jws')?.toString('utf8')).toBe(cert.jws);
    const chain = JSON.parse(read.attachments.get('chain.json')!.toString('utf8'));
    const head = (await t.app.services.database.db.selectFrom('sessions').select('head_hash').where('id', '=', essay.id).executeTakeFirstOrThrow()).head_hash;
    expect(chain).toEqual({ sessionId: essay.id, chainHead: head, certificateId: cert.id, kid: cert.kid });
    // The information dictionary refers to it as a plain string object: what a browser can find without a PDF library.
    const raw = pdf.toString('latin1');
    const ref = /\/VeritasCertificate (\d+) 0 R/.exec(raw)?.[1];
    const fromInfo = new RegExp(`\\n${ref} 0 obj\\n\\(([A-Za-z0-9_.-]+)\\)`).exec(raw)?.[1];
    expect(fromInfo).toBe(cert.jws);
    const jwks = (await get('/.well-known/jwks.json', {})).json();
    const check = await verifyCertificate(read.attachments.get('certificate.jws')!.toString('utf8'), jwks);
    expect(check.ok).toBe(true);
  });

  it('shows each flag with its evidence and its review outcome, the same for the student as for the teacher', async () => {
    await expect
      .poll(async () => ((await get(`/v1/sessions/${pasted.id}/flags`, school.teacher.headers)).json() as { items?: unknown[] }).items?.length ?? 0, {
        timeout: 60_000,
        interval: 200,
      })
      .toBeGreaterThan(0);
    const flags = (await get(`/v1/sessions/${pasted.id}/flags`, school.teacher.headers)).json() as { items: { id: string; kind: string }[] };
    const paste = flags.items.find((f) => f.kind === 'external-paste')!;
    const d = await t.app.inject({
      method: 'POST',
      url: `/v1/flags/${paste.id}/decisions`,
      headers: school.teacher.headers,
      payload: { decision: 'dismiss', note: 'quoted from the set text, as the task allowed' },
    });
    expect(d.statusCode).toBe(200);
    const teacher = await pdfOf(pasted.id, school.teacher);
    const student = await pdfOf(pasted.id, school.student);
    const text = teacher.read.text.replace(/\s+/g, ' ');
    expect(text).toMatch(/\d\. external-paste \((low|medium|high)\) review: dismissed by a reviewer/);
    expect(text).toContain('Text was pasted into your work from somewhere outside this session.');
    expect(text).toMatch(/Evidence: \d+:\d\d-\d+:\d\d, events \d+-\d+/);
    expect(text).toMatch(/Flag \d \((low|medium|high)\): external-paste/);
    // The same document, byte for byte: nothing in it depends on who asked.
    expect(student.pdf.equals(teacher.pdf)).toBe(true);
  });

  it('is refused to those who may not read the session, and audited for those who may', async () => {
    expect((await get(`/v1/sessions/${essay.id}/report.pdf`, school.otherStudent.headers)).statusCode).toBe(404);
    expect((await get(`/v1/sessions/${essay.id}/report.pdf`, school.stranger.headers)).statusCode).toBe(404);
    // A tenant's session is never readable by its id alone: as an unknown id.
    expect((await get(`/v1/sessions/${essay.id}/report.pdf`, {})).statusCode).toBe(404);
    await pdfOf(essay.id, school.student);
    const audited = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('resource_id', '=', essay.id)
      .where('action', '=', 'session.report.read')
      .execute();
    expect(audited.some((a) => (a.detail as { format?: string } | null)?.format === 'pdf')).toBe(true);
  });

  it('answers 202 while the session has not ended', async () => {
    const running = await recordAs(t.app, school.student, { end: false });
    const r = await get(`/v1/sessions/${running.id}/report.pdf`, school.student.headers);
    expect(r.statusCode).toBe(202);
    expect(r.headers['retry-after']).toBe('1');
  });
});
