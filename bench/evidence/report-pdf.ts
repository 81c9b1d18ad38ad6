/**
 * bench/evidence/report-pdf — Time and size of a session's PDF report (issue 15: under 1 s for the
 * typical essay), for a 3,000-event and a 200,000-event writing session, against two baselines
 * measured in the same run: pdfkit's bare cost (a one-line A4 page) and the analysis of the same events.
 *
 *   npx tsx bench/evidence/report-pdf.ts [--runs 3] [--reps 5]
 *
 * Per run, a fresh embedded database (PGlite in memory, migrated) holding, per size, an ended session
 * of simulated genuine writing (`@veritas/simulator`, cut to exactly the size) with its stored
 * analysis (`@veritas/analysis`) and its issued certificate. Then, `--reps` times per size, in turn:
 *   - report:    `reports.pdf()` of modules/reports as the route calls it: read the session, its
 *                analysis, certificate and review outcomes, lay the content out, render and QR-encode;
 *   - render:    the same content rendered again with no database (report-content + report-pdf);
 *   - bare PDF:  pdfkit rendering one line on one A4 page (the library's fixed cost);
 *   - analysis:  `analyzeSession()` of the same events (the job the report waits for).
 * The report reads no events (only the stored analysis), so its time follows the analysis result's
 * size (a speed window a minute, up to 200 departures, the flags), not the event count.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import PDFDocument from 'pdfkit';
import { analyzeSession, ANALYSIS_FORMAT } from '@veritas/analysis';
import { simulate } from '@veritas/simulator';
import type { VeritasEvent } from '@veritas/schema';
import { openPglite } from '../../apps/server/src/platform/db/database';
import { migrateToLatest } from '../../apps/server/src/platform/db/migrations';
import { createAuditService } from '../../apps/server/src/modules/audit';
import { createCertificateKeys, createCertificatesService } from '../../apps/server/src/modules/certificates';
import { createReportsService, renderReportPdf } from '../../apps/server/src/modules/reports';
import { findAnalysis, upsertAnalysis } from '../../apps/server/src/modules/analysis/analyses.repository';
import { PUBLIC_SCOPE } from '../../apps/server/src/kernel/scope';
import { fmt, median, mr } from '../auth/common';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, reps: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const reps = Number(values.reps);
const SIZES = [3_000, 200_000] as const;

/** Simulated genuine writing, long enough, cut to exactly `n` events (seqs 0..n-1, so still a valid stream). */
function essayOf(n: number): VeritasEvent[] {
  let paragraphs = 4;
  for (;;) {
    const events = simulate('genuine', 7, { paragraphs }).events;
    if (events.length >= n) return events.slice(0, n);
    paragraphs = Math.ceil((paragraphs * n * 1.1) / events.length);
  }
}

function barePdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.on('data', (b: Buffer) => chunks.push(b));
  doc.font('Helvetica').fontSize(10).text('One line.');
  doc.end();
  return done;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

interface SizeResult {
  reportMs: number;
  renderMs: number;
  bareMs: number;
  analysisMs: number;
  bytes: number;
  analysisBytes: number;
}

const essays = new Map(SIZES.map((n) => [n, essayOf(n)]));

async function oneRun(run: number): Promise<{ load1: number; bySize: Map<number, SizeResult> }> {
  const load1 = loadavg()[0]!;
  const database = await openPglite(undefined);
  await migrateToLatest(database.db);
  const keys = createCertificateKeys(database);
  const analysis = {
    status: async (scope: typeof PUBLIC_SCOPE, sessionId: string) => {
      const row = await findAnalysis(database.db, scope, sessionId);
      if (!row) return { status: 'pending' as const, attempts: 0 };
      return { status: 'done' as const, analysis: row.result as never, analyzedAt: row.analyzed_at.toISOString(), version: row.version };
    },
  };
  const certificates = createCertificatesService({ database, keys, analysis, audit: createAuditService(database) });
  const reports = createReportsService({ database, analysis, certificates });
  const bySize = new Map<number, SizeResult>();
  for (const n of SIZES) {
    const events = essays.get(n)!;
    const id = `benchReportPdf${String(run).padStart(2, '0')}${String(n).padStart(7, '0')}`;
    await database.db
      .insertInto('sessions')
      .values({
        id,
        tenant_id: null,
        owner_id: null,
        kind: 'writing',
        status: 'ended',
        source: 'upload',
        write_key: null,
        meta: JSON.stringify({ title: `Simulated essay, ${n} events` }),
        head_hash: 'b'.repeat(64),
        next_seq: events.length,
        last_t: events.at(-1)!.t,
        ended_at: new Date(),
      })
      .execute();
    const result = analyzeSession(events);
    await upsertAnalysis(database.db, PUBLIC_SCOPE, { sessionId: id, result, version: ANALYSIS_FORMAT });
    if (!(await certificates.issue(PUBLIC_SCOPE, id, ANALYSIS_FORMAT))) throw new Error('no certificate');
    // Warm-up, unmeasured: fonts' metrics loaded, code compiled.
    await reports.pdf(PUBLIC_SCOPE, id, 'http://bench.invalid/verify');
    await barePdf();
    const ms = { report: [] as number[], render: [] as number[], bare: [] as number[], analysis: [] as number[] };
    let bytes = 0;
    for (let i = 0; i < reps; i++) {
      const [reportMs, r] = await timed(() => reports.pdf(PUBLIC_SCOPE, id, 'http://bench.invalid/verify'));
      if (r.status !== 'done') throw new Error(`report ${r.status}`);
      bytes = r.pdf.length;
      ms.report.push(reportMs);
      ms.render.push((await timed(() => renderReportPdf(r.content, r.createdAt)))[0]);
      ms.bare.push((await timed(barePdf))[0]);
      ms.analysis.push((await timed(() => analyzeSession(events)))[0]);
    }
    bySize.set(n, {
      reportMs: median(ms.report),
      renderMs: median(ms.render),
      bareMs: median(ms.bare),
      analysisMs: median(ms.analysis),
      bytes,
      analysisBytes: JSON.stringify(result).length,
    });
  }
  await database.close();
  return { load1, bySize };
}

const results: Awaited<ReturnType<typeof oneRun>>[] = [];
for (let r = 0; r < runs; r++) {
  const res = await oneRun(r);
  results.push(res);
  console.error(`run ${r + 1}/${runs}: load ${fmt(res.load1, 1)} ${JSON.stringify([...res.bySize])}`);
}

console.log(
  `\n${runs} runs × ${reps} reports per size, PGlite in memory; per run the median of its reps; median (min–max) over runs; load average ${results.map((r) => fmt(r.load1, 1)).join(', ')}\n`,
);
console.log(
  '| session | report (ms) | render only (ms) | PDF size (KiB) | analysis result (KiB) | bare pdfkit page (ms) | report ÷ bare page | analysis of the events (ms) | report ÷ analysis |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const n of SIZES) {
  const col = (k: keyof SizeResult) => results.map((r) => r.bySize.get(n)![k]);
  const ratio = (a: number[], b: number[]) =>
    mr(
      a.map((x, i) => x / b[i]!),
      1,
      '×',
    );
  console.log(
    `| ${fmt(n)} events | ${mr(col('reportMs'), 1)} | ${mr(col('renderMs'), 1)} | ${mr(
      col('bytes').map((b) => b / 1024),
      1,
    )} | ${mr(
      col('analysisBytes').map((b) => b / 1024),
      1,
    )} | ${mr(col('bareMs'), 2)} | ${ratio(col('reportMs'), col('bareMs'))} | ${mr(col('analysisMs'), 1)} | ${ratio(col('reportMs'), col('analysisMs'))} |`,
  );
}
