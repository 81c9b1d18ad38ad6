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

/** Revoked ids from a saved revocation list (GET /v1/certificates/revoked), read by the code the browser's /verify page runs. */
function revokedFrom(json: unknown, file: string, revokedIn: (json: unknown) => Map<string, string> | undefined): Map<string, string> {
  const list = revokedIn(json);
  if (!list) throw new Error(`the revocation list ${file} is not a saved GET /v1/certificates/revoked (no "items")`);
  return list;
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
  const { verifyCertificate, mismatchesWith, analysisDigest, analysisOf, revokedIn } = await import('@veritas/schema/certificate');
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
    const revokedAt = revokedFrom(await readJson(files.revoked, 'revocation list'), files.revoked, revokedIn).get(claims.jti);
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
