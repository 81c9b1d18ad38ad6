import { analysisDigest, mismatchesWith, revokedIn, verifyCertificate, type CertificateClaims } from '@veritas/schema/certificate';
import type { Bundle } from '@veritas/schema';
import { buildReplayIndexFromBundle, bundleEvents } from '@veritas/replay';
import { analyzeSession } from '@veritas/analysis';
import { api } from '../../api/client';
import { checkChain, flagsOf, parseBundleJson, type FlagsState, type LoadedSession } from '../replay/load-bundle';
import type { ReportPdfEvidence } from './report-pdf';

/** One line of the verdict: what was checked, whether it holds, and in plain words why. */
export interface CheckLine {
  id: 'bundle' | 'chain' | 'signature' | 'names' | 'analysis' | 'revocation' | 'report';
  label: string;
  outcome: 'pass' | 'fail' | 'not-checked';
  detail: string;
}

/** Where the keys come from: the server this page came from, or a saved JWKS file (no network at all). */
export type KeySource = { from: 'published' } | { from: 'file'; name: string; text: string };

export interface Verdict {
  ok: boolean;
  lines: CheckLine[];
  /** Set when the bundle parsed: the session to replay, with the flags of the analysis run here. */
  replay?: { session: LoadedSession; flags: FlagsState };
}

const line = (id: CheckLine['id'], label: string, outcome: CheckLine['outcome'], detail: string): CheckLine => ({ id, label, outcome, detail });

async function publishedKeys(): Promise<{ keys?: unknown }> {
  const res = await fetch('/.well-known/jwks.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`the server's published keys could not be read (${res.status})`);
  return (await res.json()) as { keys?: unknown };
}

/** Every page of the public revocation list (at most 50 pages of 1,000: more is not a list this page can hold). */
async function revocationList(): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  let after: string | undefined;
  for (let page = 0; page < 50; page++) {
    const { data, response } = await api.GET('/v1/certificates/revoked', { params: { query: after ? { after } : {} } });
    if (!response.ok || !data) throw new Error(`the revocation list could not be read (${response.status})`);
    for (const [id, at] of revokedIn(data) ?? []) all.set(id, at);
    if (!data.next) return all;
    after = data.next;
  }
  throw new Error('the revocation list is longer than this page reads');
}

function keysOf(source: KeySource): Promise<{ keys?: unknown }> {
  if (source.from === 'published') return publishedKeys();
  try {
    return Promise.resolve(JSON.parse(source.text) as { keys?: unknown });
  } catch {
    return Promise.reject(new Error(`the key file ${source.name} is not JSON`));
  }
}

/**
 * The whole check, in this browser, with the code the server and `veritas verify` run: the bundle's
 * hash chain (@veritas/schema), the certificate's signature and what it names
 * (@veritas/schema/certificate), the analysis re-run here (@veritas/analysis) against the digest it
 * names, and, with the published keys, the public revocation list. With a key file nothing is fetched.
 */
export async function verifyEvidence(bundleText: string, certificateText: string, source: KeySource): Promise<Verdict> {
  const lines: CheckLine[] = [];
  let bundle: Bundle;
  try {
    bundle = parseBundleJson(JSON.parse(bundleText));
  } catch (err) {
    const why = err instanceof SyntaxError ? `the bundle file is not JSON: ${err.message}` : (err as Error).message;
    return { ok: false, lines: [line('bundle', 'Bundle', 'fail', why)] };
  }
  const chain = await checkChain(bundle);
  lines.push(
    chain.ok
      ? line('chain', 'Hash chain', 'pass', `${chain.batches} batches, ${chain.events} events: every hash links back to the session's genesis.`)
      : line('chain', 'Hash chain', 'fail', `Chain broken: ${chain.message}. The bundle was altered after it was recorded.`),
  );
  const index = buildReplayIndexFromBundle(bundle);
  const analysis = analyzeSession(bundleEvents(bundle), { initialText: bundle.session.meta?.initialText, capabilities: bundle.session.meta?.capabilities });
  const title = bundle.session.meta?.title;
  const replay = {
    session: {
      info: { id: bundle.session.id, kind: bundle.session.kind, ...(title ? { title } : {}), eventCount: index.data.session.eventCount },
      index,
      chain,
      source: 'file' as const,
    },
    flags: { from: 'browser' as const, flags: flagsOf(analysis) },
  };

  let keys: { keys?: unknown };
  try {
    keys = await keysOf(source);
  } catch (err) {
    lines.push(line('signature', 'Signature', 'fail', (err as Error).message));
    return { ok: false, lines, replay };
  }
  const keyWords = source.from === 'file' ? `the saved key file ${source.name}` : "this server's published keys";
  const check = await verifyCertificate(certificateText, keys);
  if (!check.ok) {
    lines.push(line('signature', 'Signature', 'fail', `Certificate refused: ${check.detail} (checked against ${keyWords}).`));
    return { ok: false, lines, replay };
  }
  const claims: CertificateClaims = check.claims;
  lines.push(line('signature', 'Signature', 'pass', `Signed by key ${check.kid} of ${keyWords}, at ${new Date(claims.iat * 1000).toISOString()}.`));
  const mismatches = await mismatchesWith(claims, bundle);
  lines.push(
    mismatches.length === 0
      ? line('names', 'Names this bundle', 'pass', `Session ${claims.sub}, chain head ${claims.chain.head.slice(0, 16)}…, ${claims.chain.events} events.`)
      : line('names', 'Names this bundle', 'fail', `The certificate does not name this bundle: ${mismatches.join('; ')}.`),
  );
  const digest = await analysisDigest(analysis);
  lines.push(
    digest === claims.analysis.digest
      ? line(
          'analysis',
          'Names this analysis',
          'pass',
          `The analysis re-run in this browser has the digest the certificate names (${claims.analysis.version}).`,
        )
      : // Not a failure: the server analysed with the session's own settings (an exam's thresholds), which the bundle does not carry.
        line(
          'analysis',
          'Names this analysis',
          'not-checked',
          `The analysis re-run in this browser with default settings (digest ${digest.slice(0, 19)}…) is not the certified one (${claims.analysis.digest.slice(0, 19)}…, ${claims.analysis.version}): the server may have used its exam's settings or another analysis version. The flags shown below are the ones re-run here from the verified events.`,
        ),
  );
  lines.push(await revocationLine(claims, source));
  return { ok: lines.every((l) => l.outcome !== 'fail'), lines, replay };
}

/** Whether the certificate is on the public revocation list; not checked with a saved key file (nothing is fetched then). */
async function revocationLine(claims: CertificateClaims, source: KeySource): Promise<CheckLine> {
  if (source.from === 'file')
    return line(
      'revocation',
      'Not revoked',
      'not-checked',
      'Not checked: with a saved key file this page fetches nothing. Check again with the published keys to see the revocation list.',
    );
  try {
    const revokedAt = (await revocationList()).get(claims.jti);
    return revokedAt
      ? line('revocation', 'Not revoked', 'fail', `Certificate ${claims.jti} was revoked at ${revokedAt}.`)
      : line('revocation', 'Not revoked', 'pass', `Certificate ${claims.jti} is not on the public revocation list.`);
  } catch (err) {
    return line('revocation', 'Not revoked', 'fail', `${(err as Error).message}.`);
  }
}

/**
 * A report PDF on its own (no bundle): the certificate it carries is checked (signature, revocation)
 * and must name the chain head the report states. The events are not in a report: with the bundle
 * too, verifyEvidence checks them against the same certificate.
 */
export async function verifyReportPdf(evidence: ReportPdfEvidence, source: KeySource): Promise<Verdict> {
  const lines: CheckLine[] = [];
  let keys: { keys?: unknown };
  try {
    keys = await keysOf(source);
  } catch (err) {
    return { ok: false, lines: [line('signature', 'Signature', 'fail', (err as Error).message)] };
  }
  const keyWords = source.from === 'file' ? `the saved key file ${source.name}` : "this server's published keys";
  const check = await verifyCertificate(evidence.certificate, keys);
  if (!check.ok) return { ok: false, lines: [line('signature', 'Signature', 'fail', `Certificate refused: ${check.detail} (checked against ${keyWords}).`)] };
  const claims = check.claims;
  lines.push(line('signature', 'Signature', 'pass', `Signed by key ${check.kid} of ${keyWords}, at ${new Date(claims.iat * 1000).toISOString()}.`));
  lines.push(
    evidence.chainHead === claims.chain.head
      ? line(
          'report',
          'Names this report',
          'pass',
          `The report's chain head ${claims.chain.head.slice(0, 16)}… is the certified one: session ${claims.sub}, ${claims.chain.events} events. Give the bundle too to check the events themselves.`,
        )
      : line(
          'report',
          'Names this report',
          'fail',
          `The report states chain head ${evidence.chainHead ?? '(none)'}, the certificate names ${claims.chain.head}.`,
        ),
  );
  lines.push(await revocationLine(claims, source));
  return { ok: lines.every((l) => l.outcome !== 'fail'), lines };
}
