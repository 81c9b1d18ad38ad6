import { Type, type Static } from '@sinclair/typebox';
import type { CertificateRow } from './certificates.repository';

export const CertificateView = Type.Object({
  id: Type.String({ description: 'The certificate id (its `jti`)' }),
  sessionId: Type.String(),
  state: Type.Union([Type.Literal('valid'), Type.Literal('revoked')]),
  jws: Type.String({ description: 'The certificate: a compact JWS (EdDSA), checked against /.well-known/jwks.json (ADR 0016)' }),
  kid: Type.String({ description: 'The id of the key that signed it' }),
  issuedAt: Type.String({ format: 'date-time' }),
  analysisVersion: Type.String(),
  analysisDigest: Type.String({ description: '`sha256:` + the SHA-256 of the canonical JSON of the analysis result it names' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokeReason: Type.Union([Type.String(), Type.Null()]),
});

export function presentCertificate(c: CertificateRow): Static<typeof CertificateView> {
  return {
    id: c.id,
    // Read by its session's id, so never of a deleted session.
    sessionId: c.session_id ?? '',
    state: c.revoked_at ? 'revoked' : 'valid',
    jws: c.jws,
    kid: c.kid,
    issuedAt: c.issued_at.toISOString(),
    analysisVersion: c.analysis_version,
    analysisDigest: c.analysis_digest,
    revokedAt: c.revoked_at ? c.revoked_at.toISOString() : null,
    revokeReason: c.revoke_reason,
  };
}
