import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { AuditService } from '../audit';
import type { AnalysisService } from '../analysis';
import { findSession, tenantOfCaller, type Caller } from '../sessions';
import type { CertificateKeys } from './certificate-keys';
import { analysisDigest, CERTIFICATE_ALG, CERTIFICATE_ISSUER, CERTIFICATE_TYP, type CertificateClaims } from './certificate-check';
import { findCertificateFor, insertCertificate, latestCertificate, listRevoked, revokeCertificates, type CertificateRow } from './certificates.repository';

const newCertificateId = () => `crt_${randomBytes(16).toString('base64url')}`;

export interface RevokedPage {
  items: { id: string; revokedAt: string }[];
  /** The cursor of the next page, or null at the end of the list. */
  next: string | null;
}

export interface CertificatesService {
  /**
   * Issues the certificate of an ended session whose analysis of this version is stored: once per
   * (session, analysis version); asked again, it answers the one stored. Nothing for a session that
   * is gone, not ended, or whose stored analysis is of another version.
   */
  issue(scope: Scope, sessionId: string, analysisVersion: string): Promise<CertificateRow | undefined>;
  /**
   * A session's newest certificate, or undefined before its first; not-found for a session not in
   * scope. An ended, analysed session without one (analysed before certificates existed, or its
   * issue failed) gets it now.
   */
  current(scope: Scope, sessionId: string): Promise<CertificateRow | undefined>;
  /** Revokes the session's certificates with a reason (audited); revoking again changes nothing and records nothing. */
  revoke(scope: Scope, sessionId: string, reason: string, by: Caller): Promise<CertificateRow>;
  /** The public revocation list, a page at a time. */
  revoked(query: { after?: string; limit: number }): Promise<RevokedPage>;
  /** The keys certificates are signed with (published in the JWKS). */
  keys: CertificateKeys;
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && typeof v[1] === 'string')
      return { at: v[0], id: v[1] };
  } catch {
    // answered below
  }
  throw new AppError('invalid-request', '`after` is not a cursor this list gave');
}

export function createCertificatesService({
  database: { db },
  keys,
  analysis,
  audit,
  clock = () => new Date(),
}: {
  database: Database;
  keys: CertificateKeys;
  analysis: Pick<AnalysisService, 'status'>;
  audit: AuditService;
  clock?: () => Date;
}): CertificatesService {
  async function sessionIn(scope: Scope, sessionId: string) {
    const session = await guard(findSession(db, scope, sessionId));
    if (!session) throw new AppError('not-found', `no session ${sessionId}`);
    return session;
  }

  async function issue(scope: Scope, sessionId: string, analysisVersion: string): Promise<CertificateRow | undefined> {
    const stored = await guard(findCertificateFor(db, scope, sessionId, analysisVersion));
    if (stored) return stored;
    const session = await guard(findSession(db, scope, sessionId));
    if (!session || session.status !== 'ended') return undefined;
    const done = await analysis.status(scope, sessionId);
    if (done.status !== 'done' || done.version !== analysisVersion) return undefined;
    const { kid, privateKey } = await keys.signing();
    const id = newCertificateId();
    const iat = Math.floor(clock().getTime() / 1000);
    const digest = await analysisDigest(done.analysis);
    const claims: Omit<CertificateClaims, 'iss' | 'sub' | 'jti' | 'iat'> = {
      tid: session.tenant_id,
      chain: { head: session.head_hash, events: session.next_seq, durationMs: session.last_t },
      span: { start: session.created_at.toISOString(), end: session.ended_at?.toISOString() ?? null },
      analysis: { digest, version: analysisVersion },
    };
    const jws = await new SignJWT(claims)
      .setProtectedHeader({ alg: CERTIFICATE_ALG, kid, typ: CERTIFICATE_TYP })
      .setIssuer(CERTIFICATE_ISSUER)
      .setSubject(sessionId)
      .setJti(id)
      .setIssuedAt(iat)
      .sign(privateKey);
    await guard(
      insertCertificate(db, {
        id,
        session_id: sessionId,
        tenant_id: session.tenant_id,
        analysis_version: analysisVersion,
        analysis_digest: digest,
        kid,
        jws,
        issued_at: new Date(iat * 1000),
      }),
    );
    // Another process may have issued it first: the stored one is the certificate.
    return guard(findCertificateFor(db, scope, sessionId, analysisVersion));
  }

  return {
    keys,

    issue,

    async current(scope, sessionId) {
      const session = await sessionIn(scope, sessionId);
      const stored = await guard(latestCertificate(db, scope, sessionId));
      if (stored || session.status !== 'ended') return stored;
      // Analysed before certificates existed, or the analysis.done subscriber failed: issue it now (idempotent).
      const done = await analysis.status(scope, sessionId);
      return done.status === 'done' ? issue(scope, sessionId, done.version) : undefined;
    },

    async revoke(scope, sessionId, reason, by) {
      await sessionIn(scope, sessionId);
      await guard(
        db.transaction().execute(async (trx) => {
          const revoked = await revokeCertificates(trx, scope, sessionId, by.actor.kind === 'user' ? by.actor.userId : null, reason);
          for (const row of revoked) {
            await audit.record(
              {
                tenantId: tenantOfCaller(by.actor),
                actor: by.actor,
                action: 'certificate.revoke',
                resource: { type: 'certificate', id: row.id },
                context: by.context,
                detail: { sessionId, analysisVersion: row.analysis_version, reason },
              },
              trx,
            );
          }
        }),
      );
      const row = await guard(latestCertificate(db, scope, sessionId));
      if (!row) throw new AppError('certificate-not-issued');
      return row;
    },

    async revoked({ after, limit }) {
      const rows = await guard(listRevoked(db, after === undefined ? undefined : decodeCursor(after), limit + 1));
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({ id: r.id, revokedAt: r.revoked_at.toISOString() })),
        next: rows.length > limit && last ? Buffer.from(JSON.stringify([last.at, last.id])).toString('base64url') : null,
      };
    },
  };
}
