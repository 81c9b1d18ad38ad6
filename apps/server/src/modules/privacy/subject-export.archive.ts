import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { BlobStore } from '../../platform/blob/blob-store';
import { agreementsOf } from './consent.repository';
import {
  alertsOf,
  analysisOf,
  answersOf,
  attemptsOf,
  auditAbout,
  flagsOf,
  membershipsOf,
  profileOf,
  sessionRowsOf,
  shareLinksOf,
  type ExportRow,
} from './subject-export.repository';
import { ZipWriter } from './zip-writer';

export const SUBJECT_ARCHIVE_FORMAT = 'veritas.subject-access/v1';
const AUDIT_PAGE = 1000;
const iso = (d: Date | string | null | undefined) => (d === null || d === undefined ? null : new Date(d).toISOString());

interface ArchiveInput {
  db: Kysely<DB>;
  store: BlobStore;
  key: string;
  export: ExportRow;
  sessionIds: string[];
  bundleJson(sessionId: string): Promise<AsyncIterable<string>>;
  progress(percent: number, step: string): Promise<unknown>;
  generatedAt: Date;
}

/**
 * Writes everything held about the export's person as one zip into the blob store: their profile,
 * memberships, attempts, each session (its record, its bundle with every event and batch, its
 * analysis and alerts), flags with occurrences and decisions, their answers, consents, share links
 * and the audit entries about them. Nothing of another person: who reviewed, graded or acted is
 * never written (ADR 0029). The reviewers' own notes go into an admin's export only.
 */
export async function writeSubjectArchive(input: ArchiveInput): Promise<{ size: number; sha256: string }> {
  const { db, export: exp, sessionIds } = input;
  const tenantId = exp.tenant_id;
  const subject = exp.subject_id;
  const zip = new ZipWriter();
  const stored = input.store.put(input.key, zip.stream, { contentType: 'application/zip' });
  // The store reads while we write; if it fails, writing stops.
  stored.catch((err: Error) => zip.abort(err));
  const files: string[] = [];
  const add = async (name: string, value: unknown) => {
    files.push(name);
    await zip.addJson(name, value);
  };
  try {
    await input.progress(2, 'profile');
    const profile = await profileOf(db, tenantId, subject);
    await add('profile.json', profile && { ...profile, created_at: iso(profile.created_at), last_sign_in_at: iso(profile.last_sign_in_at) });
    await add('memberships.json', await membershipsOf(db, tenantId, subject));
    const attempts = await attemptsOf(db, tenantId, subject);
    await add('attempts.json', attempts);

    const sessions = await sessionRowsOf(db, tenantId, sessionIds);
    for (const [i, s] of sessions.entries()) {
      await input.progress(5 + Math.floor((80 * i) / Math.max(1, sessions.length)), `session ${i + 1} of ${sessions.length}`);
      const dir = `sessions/${s.id}`;
      await add(`${dir}/session.json`, s);
      files.push(`${dir}/bundle.json`);
      await zip.addStream(`${dir}/bundle.json`, await input.bundleJson(s.id));
      await add(`${dir}/analysis.json`, (await analysisOf(db, tenantId, s.id)) ?? null);
      await add(`${dir}/alerts.json`, await alertsOf(db, tenantId, s.id));
    }

    await input.progress(86, 'flags and answers');
    const { flags, occurrences, decisions } = await flagsOf(
      db,
      tenantId,
      sessions.map((s) => s.id),
    );
    const internal = exp.requested_as === 'admin';
    await add('flags.json', {
      flags,
      occurrences,
      // A person asking for themselves gets what the review shows them; an admin's export keeps the reviewers' notes too.
      decisions: decisions.map(({ note, ...d }) => (internal ? { ...d, note } : d)),
    });
    await add('answers.json', await answersOf(db, tenantId, subject));
    await add('consents.json', await agreementsOf(db, tenantId, subject));
    await add(
      'share-links.json',
      await shareLinksOf(
        db,
        tenantId,
        subject,
        sessions.map((s) => s.id),
      ),
    );

    await input.progress(92, 'audit entries');
    files.push('audit.jsonl');
    await zip.addStream(
      'audit.jsonl',
      auditLines(db, tenantId, subject, { sessions: sessions.map((s) => s.id), attempts: attempts.map((a) => a.id), flags: flags.map((f) => f.id) }),
    );

    await add('manifest.json', {
      format: SUBJECT_ARCHIVE_FORMAT,
      exportId: exp.id,
      subjectId: subject,
      requestedAs: exp.requested_as,
      generatedAt: input.generatedAt.toISOString(),
      counts: { sessions: sessions.length, attempts: attempts.length, flags: flags.length },
      files: [...files],
    });
    const digest = zip.end();
    await stored;
    return digest;
  } catch (err) {
    zip.abort(err as Error);
    await stored.catch(() => undefined);
    throw err;
  }
}

/** The audit entries about the person, one JSON line each; another actor is named by kind only, with no address or detail. */
async function* auditLines(
  db: Kysely<DB>,
  tenantId: string,
  subject: string,
  resources: { sessions: string[]; attempts: string[]; flags: string[] },
): AsyncGenerator<string> {
  const sessions = new Set(resources.sessions);
  const attempts = new Set(resources.attempts);
  const flags = new Set(resources.flags);
  // A resource that is another person, or another person's session or attempt, is theirs: not named.
  const othersResource = (type: string, id: string | null) =>
    id !== null &&
    ((type === 'user' && id !== subject) ||
      (type === 'session' && !sessions.has(id)) ||
      (type === 'attempt' && !attempts.has(id)) ||
      (type === 'flag' && !flags.has(id)));
  let after = '0';
  for (;;) {
    const page = await auditAbout(db, tenantId, subject, resources, after, AUDIT_PAGE);
    for (const e of page) {
      const hidden = othersResource(e.resource_type, e.resource_id);
      const own = e.actor_id === subject;
      yield (
        JSON.stringify({
          at: iso(e.at),
          actor: own ? 'subject' : e.actor_kind,
          authMethod: own ? e.auth_method : undefined,
          action: e.action,
          resourceType: e.resource_type,
          resourceId: hidden ? null : e.resource_id,
          ip: own ? e.ip : undefined,
          requestId: e.request_id,
          detail: own && !hidden ? e.detail : undefined,
        }) + '\n'
      );
    }
    if (page.length < AUDIT_PAGE) return;
    after = String(page[page.length - 1]!.seq);
  }
}
