import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { canonicalJson } from './canonical';
import { genesisHash, sha256Hex } from './hash';

/**
 * What a certificate states and how anyone checks it, with no I/O: the server, the CLI and the
 * browser's /verify page run this same code (ADR 0016). Exported as `@veritas/schema/certificate`
 * so that only its users load jose (the recorder and the rest of the schema do not).
 */
export const CERTIFICATE_TYP = 'veritas-certificate+jwt';
export const CERTIFICATE_ALG = 'EdDSA';
/** Certificate key ids start so; access-token key ids are UUIDs. Verifiers pick their keys by it (ADR 0016). */
export const CERTIFICATE_KID_PREFIX = 'cert-';
export const CERTIFICATE_ISSUER = 'veritas';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const CertificateClaims = Type.Object({
  iss: Type.Literal(CERTIFICATE_ISSUER),
  sub: Type.String({ minLength: 1, description: 'The session id' }),
  jti: Type.String({ pattern: '^crt_[A-Za-z0-9_-]{16,64}$', description: 'The certificate id' }),
  iat: Type.Integer({ minimum: 0 }),
  tid: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'The tenant, or null for a public session' }),
  chain: Type.Object({ head: Hex64, events: Type.Integer({ minimum: 0 }), durationMs: Type.Number({ minimum: 0 }) }),
  span: Type.Object({ start: Type.String(), end: Type.Union([Type.String(), Type.Null()]) }),
  analysis: Type.Object({ digest: Type.String({ pattern: '^sha256:[0-9a-f]{64}$' }), version: Type.String({ minLength: 1 }) }),
});
export type CertificateClaims = Static<typeof CertificateClaims>;

/** `sha256:` + the hex SHA-256 of the canonical JSON of an analysis result. */
export async function analysisDigest(result: unknown): Promise<string> {
  return `sha256:${await sha256Hex(canonicalJson(result))}`;
}

export type CertificateCheck =
  | { ok: true; kid: string; claims: CertificateClaims }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'not-a-certificate' | 'bad-claims'; detail: string };

/** Only certificate keys of a JWKS (their kid prefix, Ed25519): an access-token key never verifies a certificate. */
export function certificateKeysOf(jwks: { keys?: unknown }): JWK[] {
  if (!Array.isArray(jwks.keys)) return [];
  return (jwks.keys as JWK[]).filter(
    (k) => k && typeof k === 'object' && typeof k.kid === 'string' && k.kid.startsWith(CERTIFICATE_KID_PREFIX) && k.kty === 'OKP' && k.crv === 'Ed25519',
  );
}

/**
 * The key set of a JWKS object, made once per object: jose keeps the imported keys in it, so checking
 * many certificates against one JWKS imports each key once.
 */
const keySets = new WeakMap<object, { count: number; set: ReturnType<typeof createLocalJWKSet> }>();
function keySetOf(jwks: { keys?: unknown }): { count: number; set: ReturnType<typeof createLocalJWKSet> } {
  let known = keySets.get(jwks);
  if (!known) {
    const keys = certificateKeysOf(jwks);
    known = { count: keys.length, set: createLocalJWKSet({ keys }) };
    keySets.set(jwks, known);
  }
  return known;
}

/** Checks a certificate's signature against the certificate keys of a JWKS, its type and its claims. */
export async function verifyCertificate(jws: string, jwks: { keys?: unknown }): Promise<CertificateCheck> {
  const { count, set } = keySetOf(jwks);
  if (count === 0) return { ok: false, reason: 'unknown-key', detail: 'the key set holds no certificate key' };
  try {
    const { payload, protectedHeader } = await jwtVerify(jws.trim(), set, {
      algorithms: [CERTIFICATE_ALG],
      typ: CERTIFICATE_TYP,
      issuer: CERTIFICATE_ISSUER,
    });
    if (!Value.Check(CertificateClaims, payload)) {
      const e = Value.Errors(CertificateClaims, payload).First();
      return { ok: false, reason: 'bad-claims', detail: `its claims are not a certificate's: ${e?.path ?? ''} ${e?.message ?? ''}`.trim() };
    }
    return { ok: true, kid: protectedHeader.kid!, claims: payload };
  } catch (err) {
    if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys)
      return { ok: false, reason: 'unknown-key', detail: 'it was signed by a key that is not a certificate key of this key set' };
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: 'bad-signature', detail: 'its signature does not match its key' };
    if (err instanceof joseErrors.JWTClaimValidationFailed)
      return { ok: false, reason: 'not-a-certificate', detail: `it is not a Veritas certificate (${err.message})` };
    if (err instanceof joseErrors.JOSEAlgNotAllowed) return { ok: false, reason: 'not-a-certificate', detail: 'it is not signed with EdDSA' };
    if (err instanceof joseErrors.JOSEError) return { ok: false, reason: 'malformed', detail: `it is not a compact JWS (${err.message})` };
    throw err;
  }
}

/** What a bundle shows about itself, to compare with a certificate's claims. */
export interface BundleFacts {
  session: { id: string; createdAt: string; endedAt?: string };
  batches: readonly { hash: string; events: readonly { t: number }[] }[];
}

/** Where a certificate's claims and a bundle disagree (empty: it names this bundle). The bundle's chain is checked apart. */
export async function mismatchesWith(claims: CertificateClaims, bundle: BundleFacts): Promise<string[]> {
  const out: string[] = [];
  const events = bundle.batches.reduce((n, b) => n + b.events.length, 0);
  const head = bundle.batches.at(-1)?.hash ?? (await genesisHash(bundle.session.id));
  const lastT = bundle.batches.reduce((t, b) => Math.max(t, ...b.events.map((e) => e.t)), 0);
  const sameTime = (a: string, b: string) => Date.parse(a) === Date.parse(b);
  if (claims.sub !== bundle.session.id) out.push(`it names session ${claims.sub}, the bundle is session ${bundle.session.id}`);
  if (claims.chain.head !== head) out.push(`it names chain head ${claims.chain.head}, the bundle's is ${head}`);
  if (claims.chain.events !== events) out.push(`it names ${claims.chain.events} events, the bundle holds ${events}`);
  if (claims.chain.durationMs !== lastT) out.push(`it names a duration of ${claims.chain.durationMs} ms, the bundle's last event is at ${lastT} ms`);
  if (!sameTime(claims.span.start, bundle.session.createdAt)) out.push(`it names a start at ${claims.span.start}, the bundle's is ${bundle.session.createdAt}`);
  if (claims.span.end !== null && bundle.session.endedAt !== undefined && !sameTime(claims.span.end, bundle.session.endedAt))
    out.push(`it names an end at ${claims.span.end}, the bundle's is ${bundle.session.endedAt}`);
  return out;
}

/** An analysis as saved: the result itself, or the server's answer `{ status: 'done', analysis, version }`. */
export function analysisOf(json: unknown): { result: unknown; version?: string } {
  const o = json as { status?: unknown; analysis?: unknown; version?: unknown };
  if (o && typeof o === 'object' && o.status === 'done' && o.analysis !== undefined)
    return { result: o.analysis, ...(typeof o.version === 'string' ? { version: o.version } : {}) };
  return { result: json };
}

/** Revoked certificate ids and when, from a page of GET /v1/certificates/revoked (`{ items: [{ id, revokedAt }] }`); undefined when it is not one. */
export function revokedIn(json: unknown): Map<string, string> | undefined {
  const items = (json as { items?: unknown })?.items;
  if (!Array.isArray(items)) return undefined;
  return new Map(
    items
      .filter((i): i is { id: string; revokedAt?: unknown } => typeof i?.id === 'string')
      .map((i) => [i.id, typeof i.revokedAt === 'string' ? i.revokedAt : 'an unknown time']),
  );
}
