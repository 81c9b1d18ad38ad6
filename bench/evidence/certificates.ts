/**
 * bench/evidence/certificates — Certificates issued and verified per second, against a bare Ed25519
 * signature and verification of the same bytes in the same run.
 *
 *   npx tsx bench/evidence/certificates.ts [--runs 3] [--n 300]
 *
 * Per run, a fresh embedded database (PGlite in memory, migrated) holding `--n` ended sessions, each
 * with the stored analysis of a simulated essay (`@veritas/simulator` genuine writing, analysed by
 * `@veritas/analysis`: the result whose canonical JSON is digested). In one process, one at a time:
 *   - issue:      `certificates.issue()` of modules/certificates for each session, as the analysis.done
 *                 subscriber calls it: read the session and its analysis, digest the result (SHA-256 of
 *                 its canonical JSON), sign the JWS, store it, read it back;
 *   - sign:       the JWS alone (claims of a stored certificate, jose SignJWT), no database;
 *   - verify:     `verifyCertificate()` (what `veritas verify` runs) of each certificate against the
 *                 published key set: key selection, Ed25519 verification, type and claims checks;
 *   - baseline:   node:crypto Ed25519 sign and verify of the same signing input (header.payload) with
 *                 the same key.
 * The steps run interleaved in 10 rounds (each round runs every step on a tenth of the sessions, the
 * order changing), so the machine's noise meets them alike.
 * The analysis read is the stored row (the service's done path), not a job.
 */
import { parseArgs } from 'node:util';
import { createPrivateKey, createPublicKey, sign as edSign, verify as edVerify } from 'node:crypto';
import { loadavg } from 'node:os';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import { analyzeSession, ANALYSIS_FORMAT } from '@veritas/analysis';
import { simulate } from '@veritas/simulator';
import { openPglite } from '../../apps/server/src/platform/db/database';
import { migrateToLatest } from '../../apps/server/src/platform/db/migrations';
import { createAuditService } from '../../apps/server/src/modules/audit';
import { createCertificateKeys, createCertificatesService, verifyCertificate } from '../../apps/server/src/modules/certificates';
import { findAnalysis, upsertAnalysis } from '../../apps/server/src/modules/analysis/analyses.repository';
import { PUBLIC_SCOPE } from '../../apps/server/src/kernel/scope';
import { fmt, median, mr } from '../auth/common';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, n: { type: 'string', default: '300' } } });
const runs = Number(values.runs);
const ROUNDS = 10;
const n = Number(values.n);

interface RunResult {
  load1: number;
  perSecond: { issue: number; sign: number; verify: number; edSign: number; edVerify: number };
  jwsBytes: number;
  analysisBytes: number;
}

const rate = (count: number, ms: number) => (count * 1000) / ms;

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function oneRun(run: number): Promise<RunResult> {
  const load1 = loadavg()[0]!;
  const database = await openPglite(undefined);
  await migrateToLatest(database.db);
  const keys = createCertificateKeys(database);
  const analysisStatus = async (scope: typeof PUBLIC_SCOPE, sessionId: string) => {
    const row = await findAnalysis(database.db, scope, sessionId);
    if (!row) return { status: 'pending' as const, attempts: 0 };
    return { status: 'done' as const, analysis: row.result as never, analyzedAt: row.analyzed_at.toISOString(), version: row.version };
  };
  const certificates = createCertificatesService({ database, keys, analysis: { status: analysisStatus }, audit: createAuditService(database) });

  // Ended public sessions with their stored analyses (a few distinct essays, reused).
  const essays = Array.from({ length: 8 }, (_, i) => simulate('genuine', 100 + i).events);
  const results = essays.map((e) => analyzeSession(e));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `benchCertificate${String(run).padStart(2, '0')}${String(i).padStart(4, '0')}`;
    const events = essays[i % essays.length]!;
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
        meta: '{}',
        head_hash: 'a'.repeat(64),
        next_seq: events.length,
        last_t: events.at(-1)!.t,
        ended_at: new Date(),
      })
      .execute();
    await upsertAnalysis(database.db, PUBLIC_SCOPE, { sessionId: id, result: results[i % results.length], version: ANALYSIS_FORMAT });
    ids.push(id);
  }
  await keys.signing(); // the key is made before timing

  const { privateKey, kid } = await keys.signing();
  // The same key for the baseline: its private JWK as the database holds it.
  const row = await database.db.selectFrom('certificate_keys').select('private_jwk').where('kid', '=', kid).executeTakeFirstOrThrow();
  const edPrivate = createPrivateKey({ key: row.private_jwk as JWK & { kty: string }, format: 'jwk' });
  const edPublic = createPublicKey(edPrivate);
  const jwks = await keys.jwks();

  // The signing input of the baseline: a real certificate's header.payload (one issued before timing).
  const first = await certificates.issue(PUBLIC_SCOPE, ids.shift()!, ANALYSIS_FORMAT);
  const [h, p] = first!.jws.split('.');
  const signingInput = Buffer.from(`${h}.${p}`);
  const claims = decodeJwt(first!.jws);
  const typ = decodeProtectedHeader(first!.jws).typ!;

  // Rounds: each runs every step on its share, the order rotating, so the machine's noise meets them alike.
  const ms = { issue: 0, sign: 0, verify: 0, edSign: 0, edVerify: 0 };
  const counts = { issue: 0, sign: 0, verify: 0, edSign: 0, edVerify: 0 };
  const per = Math.ceil(ids.length / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const mine = ids.slice(round * per, (round + 1) * per);
    const jwsList: string[] = [];
    const sigs: Buffer[] = [];
    const steps: Record<keyof typeof ms, () => Promise<void> | void> = {
      issue: async () => {
        for (const id of mine) {
          const c = await certificates.issue(PUBLIC_SCOPE, id, ANALYSIS_FORMAT);
          if (!c) throw new Error(`no certificate for ${id}`);
          jwsList.push(c.jws);
        }
      },
      sign: async () => {
        for (let i = 0; i < mine.length; i++) await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(privateKey);
      },
      edSign: () => {
        for (let i = 0; i < mine.length; i++) sigs.push(edSign(null, signingInput, edPrivate));
      },
      verify: async () => {
        for (const jws of jwsList) {
          const r = await verifyCertificate(jws, jwks);
          if (!r.ok) throw new Error(r.detail);
        }
      },
      edVerify: () => {
        for (const sig of sigs) if (!edVerify(null, signingInput, edPublic, sig)) throw new Error('baseline did not verify');
      },
    };
    // Issue before verify and sign before verify (they make what is verified); the pairs swap each round.
    const order: (keyof typeof ms)[][] = [
      ['issue', 'edSign', 'sign', 'verify', 'edVerify'],
      ['edSign', 'issue', 'sign', 'edVerify', 'verify'],
    ];
    for (const step of order[round % 2]!) {
      ms[step] += await timed(steps[step]);
      counts[step] += step === 'verify' ? jwsList.length : step === 'edVerify' ? sigs.length : mine.length;
    }
  }
  await database.close();

  return {
    load1,
    perSecond: {
      issue: rate(counts.issue, ms.issue),
      sign: rate(counts.sign, ms.sign),
      verify: rate(counts.verify, ms.verify),
      edSign: rate(counts.edSign, ms.edSign),
      edVerify: rate(counts.edVerify, ms.edVerify),
    },
    jwsBytes: first!.jws.length,
    analysisBytes: JSON.stringify(results[0]).length,
  };
}

const results: RunResult[] = [];
for (let r = 0; r < runs; r++) {
  // A warm-up run of a few sessions first, unmeasured (module loading, JIT, PGlite start-up).
  if (r === 0) await oneRun(99);
  const res = await oneRun(r);
  results.push(res);
  console.error(`run ${r + 1}/${runs}: ${JSON.stringify(res)}`);
}

const col = (k: keyof RunResult['perSecond']) => results.map((r) => r.perSecond[k]);
console.log(
  `\n${runs} runs of ${n} certificates, PGlite in memory, one at a time; median (min–max) per second; load average ${results.map((r) => fmt(r.load1, 1)).join(', ')}`,
);
console.log(`certificate ${results[0]!.jwsBytes} bytes (compact JWS); analysis result ${results[0]!.analysisBytes} bytes of JSON\n`);
console.log('| step | per second | ÷ bare Ed25519 of the same bytes |');
console.log('| --- | ---: | ---: |');
const ratio = (a: number[], b: number[]) =>
  mr(
    a.map((x, i) => (100 * x) / b[i]!),
    1,
    '%',
  );
console.log(`| issue (read session + analysis, digest, sign, store) | ${mr(col('issue'))} | ${ratio(col('issue'), col('edSign'))} |`);
console.log(`| sign the JWS alone (jose) | ${mr(col('sign'))} | ${ratio(col('sign'), col('edSign'))} |`);
console.log(`| bare Ed25519 sign (node:crypto) | ${mr(col('edSign'))} | 100% |`);
console.log(`| verify a certificate (verifyCertificate) | ${mr(col('verify'))} | ${ratio(col('verify'), col('edVerify'))} |`);
console.log(`| bare Ed25519 verify (node:crypto) | ${mr(col('edVerify'))} | 100% |`);
console.log(`\nmedian issue ${fmt(1000 / median(col('issue')), 2)} ms, verify ${fmt(1000 / median(col('verify')), 3)} ms per certificate`);
