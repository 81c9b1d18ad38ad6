import { readFile } from 'node:fs/promises';
import type { Bundle } from '@veritas/schema';

/** What the certificate check found: a line for the summary, or why the bundle does not stand. */
export type CertificateOutcome = { ok: true; summary: string } | { ok: false; problems: string[] };

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readText(file, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`the ${what} ${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** An analysis file: the result itself, or the server's answer `{ status: 'done', analysis, version }`. */
function analysisOf(json: unknown): { result: unknown; version?: string } {
  const o = json as { status?: unknown; analysis?: unknown; version?: unknown };
  if (o && typeof o === 'object' && o.status === 'done' && o.analysis !== undefined)
    return { result: o.analysis, ...(typeof o.version === 'string' ? { version: o.version } : {}) };
  return { result: json };
}

/** Revoked ids from a saved revocation list (GET /v1/certificates/revoked: `{ items: [{ id, revokedAt }] }`). */
function revokedIn(json: unknown, file: string): Map<string, string> {
  const items = (json as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new Error(`the revocation list ${file} is not a saved GET /v1/certificates/revoked (no "items")`);
  return new Map(
    items
      .filter((i): i is { id: string; revokedAt?: unknown } => typeof i?.id === 'string')
      .map((i) => [i.id, typeof i.revokedAt === 'string' ? i.revokedAt : 'an unknown time']),
  );
}

/**
 * Checks a certificate offline (ADR 0016): its signature against the certificate keys of a saved JWKS,
 * that it names this bundle (session, chain head, event count, duration, start and end), and, when
 * given, that it names this analysis and is not on a saved revocation list.
 */
export async function checkCertificate(
  bundle: Bundle,
  files: { certificate: string; jwks: string; analysis?: string; revoked?: string },
): Promise<CertificateOutcome> {
  // Loaded only here: checking a bare bundle never loads the server.
  const { verifyCertificate, mismatchesWith, analysisDigest } = await import('@veritas/server');
  const jws = (await readText(files.certificate, 'certificate')).trim();
  const jwks = (await readJson(files.jwks, 'key set')) as { keys?: unknown };
  const check = await verifyCertificate(jws, jwks);
  if (!check.ok) return { ok: false, problems: [`certificate refused: ${check.detail}`] };
  const { claims } = check;
  const problems = (await mismatchesWith(claims, bundle)).map((m) => `certificate does not name this bundle: ${m}`);
  let analysis = 'analysis not checked (--analysis FILE checks it)';
  if (files.analysis) {
    const { result, version } = analysisOf(await readJson(files.analysis, 'analysis'));
    const digest = await analysisDigest(result);
    if (digest !== claims.analysis.digest)
      problems.push(`certificate does not name this analysis: its digest is ${claims.analysis.digest}, the file's is ${digest}`);
    else if (version !== undefined && version !== claims.analysis.version)
      problems.push(`certificate names analysis version ${claims.analysis.version}, the file says ${version}`);
    else analysis = `analysis ${claims.analysis.version} matches its digest`;
  }
  let revocation = 'revocation not checked (--revoked FILE checks a saved GET /v1/certificates/revoked)';
  if (files.revoked) {
    const revokedAt = revokedIn(await readJson(files.revoked, 'revocation list'), files.revoked).get(claims.jti);
    if (revokedAt) problems.push(`certificate ${claims.jti} was revoked at ${revokedAt}`);
    else revocation = 'not on the revocation list';
  }
  if (problems.length > 0) return { ok: false, problems };
  const issued = new Date(claims.iat * 1000).toISOString();
  return {
    ok: true,
    summary: `certificate ${claims.jti} signed by ${check.kid} at ${issued} names this chain head, ${claims.chain.events} events and ${claims.span.start} to ${claims.span.end ?? '(not ended)'}; ${analysis}; ${revocation}`,
  };
}
