import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { AnalysisService } from '../analysis';
import type { CertificatesService } from '../certificates';
import { sessionOutcomes } from '../review';
import { findSession } from '../sessions';
import { reportContent, type ReportCertificate, type ReportContent } from './report-content';
import { renderReportPdf } from './report-pdf';

/** What the PDF route answers: the document, or why there is none yet. */
/** `content` and `createdAt` are what the PDF was rendered from (the benchmark renders them again). */
export type PdfReport =
  | { status: 'done'; pdf: Buffer; sessionId: string; content: ReportContent; createdAt: Date }
  | { status: 'pending' | 'running'; detail: string }
  | { status: 'failed'; error: string };

/** A report ready to render: what `pdf` renders, without rendering it (a stored copy is found by its content). */
export type PreparedReport =
  | { status: 'done'; sessionId: string; content: ReportContent; createdAt: Date; render(): Promise<Buffer> }
  | { status: 'pending' | 'running'; detail: string }
  | { status: 'failed'; error: string };

export interface ReportsService {
  /** What `pdf` would render, read from the database, with the rendering left to the caller. */
  prepare(scope: Scope, sessionId: string, verifyUrl: string): Promise<PreparedReport>;
  /**
   * The PDF report of a session in scope, built from its stored analysis, its flags' review outcomes
   * and its certificate; `verifyUrl` is where the printed link and the QR code point.
   */
  pdf(scope: Scope, sessionId: string, verifyUrl: string): Promise<PdfReport>;
}

export function createReportsService({
  database: { db },
  analysis,
  certificates,
}: {
  database: Database;
  analysis: Pick<AnalysisService, 'status'>;
  certificates: Pick<CertificatesService, 'current'>;
}): ReportsService {
  async function prepare(scope: Scope, sessionId: string, verifyUrl: string): Promise<PreparedReport> {
    const session = await guard(findSession(db, scope, sessionId));
    if (!session) throw new AppError('not-found', `no session ${sessionId}`);
    const s = await analysis.status(scope, sessionId);
    if (s.status === 'failed') return { status: 'failed', error: s.error };
    if (s.status !== 'done') return { status: s.status, detail: s.detail ?? 'the report is made once the analysis is done' };
    const [cert, outcomes] = await Promise.all([certificates.current(scope, sessionId), guard(sessionOutcomes(db, scope, sessionId))]);
    const certificate: ReportCertificate | null = cert
      ? {
          id: cert.id,
          kid: cert.kid,
          jws: cert.jws,
          issuedAt: cert.issued_at,
          state: cert.revoked_at ? 'revoked' : 'valid',
          revokedAt: cert.revoked_at,
          analysisDigest: cert.analysis_digest,
        }
      : null;
    const title = typeof session.meta.title === 'string' ? session.meta.title : null;
    const content = reportContent({
      session: {
        id: session.id,
        title,
        kind: session.kind,
        createdAt: session.created_at,
        endedAt: session.ended_at,
        events: session.next_seq,
        durationMs: session.last_t,
        headHash: session.head_hash,
      },
      analysis: s.analysis,
      analyzedAt: s.analyzedAt,
      analysisVersion: s.version,
      outcomes: outcomes.map((o) => ({ kind: o.kind, state: o.state, decidedAt: o.decided_at ? new Date(o.decided_at) : null })),
      certificate,
      verifyUrl,
    });
    // Dated by what it reports on, so the same analysis and certificate give the same document.
    const createdAt = certificate?.issuedAt ?? new Date(s.analyzedAt);
    return { status: 'done', sessionId, content, createdAt, render: () => renderReportPdf(content, createdAt) };
  }

  return {
    prepare,
    async pdf(scope, sessionId, verifyUrl) {
      const r = await prepare(scope, sessionId, verifyUrl);
      if (r.status !== 'done') return r;
      return { status: 'done', pdf: await r.render(), sessionId, content: r.content, createdAt: r.createdAt };
    },
  };
}
