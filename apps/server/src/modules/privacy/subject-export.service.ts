import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ANONYMOUS, type UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantScope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import type { BlobStore } from '../../platform/blob/blob-store';
import type { JobQueue } from '../../platform/queue/job-queue';
import type { AuditService, RequestContext } from '../audit';
import type { SessionsService } from '../sessions';
import { sessionsOfPerson } from '../retention';
import { exportById, exportForJob, expiredExports, insertExport, personIn, updateExport, type ExportRow } from './subject-export.repository';
import { writeSubjectArchive } from './subject-export.archive';

/** The queue the archives are built on (jobs/registry.ts). */
export const BUILD_SUBJECT_EXPORT = 'subject-export.build';
export interface BuildSubjectExportJob {
  exportId: string;
}
/** How long an archive's link works after it is built (and a request left unbuilt lives). */
export const SUBJECT_EXPORT_TTL_MS = 7 * 86_400_000;

interface By {
  actor: UserActor;
  context: RequestContext;
}

export interface SubjectExportsService {
  /** Asks for a person's archive (an admin for anyone of the tenant, a person for themselves); the token is shown once. Audited. */
  request(by: By, subjectId: string, as: 'admin' | 'self'): Promise<{ row: ExportRow; token: string }>;
  /** The export as its requester or an admin of its tenant sees it; 404 for anyone else. */
  status(actor: UserActor, id: string): Promise<ExportRow>;
  /** The archive, for its requester or an admin, with the export's token, until it expires. Audited on every download. */
  download(by: By, id: string, token: string | undefined): Promise<{ row: ExportRow; body: Readable }>;
  /** The job: builds the archive into the blob store, telling its progress on the row. */
  build(job: BuildSubjectExportJob): Promise<void>;
  /** Deletes the archives whose link expired (the scheduler's). */
  sweepExpired(now?: Date): Promise<number>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const keyOf = (id: string) => `subject-exports/${id}.zip`;

export function createSubjectExportsService(deps: {
  database: Database;
  audit: AuditService;
  jobs: JobQueue;
  sessions: SessionsService;
  blobs: BlobStore;
  now?: () => Date;
}): SubjectExportsService {
  const { db } = deps.database;
  const now = deps.now ?? (() => new Date());

  async function visible(actor: UserActor, id: string): Promise<ExportRow> {
    const row = await exportById(db, actor.tenantId, id);
    if (!row || (row.requested_by !== actor.userId && actor.role !== 'admin')) throw new AppError('not-found', `no subject-access export ${id}`);
    return row;
  }

  return {
    async request(by, subjectId, as) {
      const tenantId = by.actor.tenantId;
      if (!(await personIn(db, tenantId, subjectId))) throw new AppError('not-found', `no person ${subjectId} in this institution`);
      const token = randomBytes(32).toString('base64url');
      const row = await insertExport(db, {
        id: randomUUID(),
        tenant_id: tenantId,
        subject_id: subjectId,
        requested_by: by.actor.userId,
        requested_as: as,
        token_hash: sha256(token),
        expires_at: new Date(now().getTime() + SUBJECT_EXPORT_TTL_MS),
      });
      await deps.audit.record({
        tenantId,
        actor: by.actor,
        action: 'subject-export.request',
        resource: { type: 'user', id: subjectId },
        context: by.context,
        detail: { exportId: row.id, as },
      });
      await deps.jobs.enqueue(BUILD_SUBJECT_EXPORT, { exportId: row.id } satisfies BuildSubjectExportJob, { key: row.id });
      return { row, token };
    },

    status: visible,

    async download(by, id, token) {
      const row = await visible(by.actor, id);
      if (token === undefined || !timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(row.token_hash, 'hex')))
        throw new AppError('export-token-invalid');
      if (row.status === 'expired' || new Date(row.expires_at).getTime() <= now().getTime())
        throw new AppError('link-invalid', 'this archive’s link has expired; ask for a new export');
      if (row.status !== 'done' || !row.blob_key) throw new AppError('export-not-ready', `the archive is ${row.status} (${row.progress}%)`);
      const blob = await deps.blobs.get(row.blob_key);
      if (!blob) throw new AppError('link-invalid', 'this archive is gone; ask for a new export');
      await deps.audit.record({
        tenantId: by.actor.tenantId,
        actor: by.actor,
        action: 'subject-export.download',
        resource: { type: 'user', id: row.subject_id },
        context: by.context,
        detail: { exportId: row.id, size: Number(row.size), sha256: row.sha256 },
      });
      return { row, body: blob.body };
    },

    async build({ exportId }) {
      const row = await exportForJob(db, exportId);
      if (!row || row.status === 'done' || row.status === 'expired') return;
      await updateExport(db, exportId, { status: 'running', progress: 0, step: 'starting', error: null });
      const store = deps.blobs;
      const key = keyOf(exportId);
      try {
        const { size, sha256: digest } = await writeSubjectArchive({
          db,
          store,
          key,
          export: row,
          sessionIds: await sessionsOfPerson(db, row.tenant_id, row.subject_id),
          bundleJson: (sessionId) => deps.sessions.bundleJson(tenantScope(row.tenant_id), sessionId),
          progress: (progress, step) => updateExport(db, exportId, { progress, step }),
          generatedAt: now(),
        });
        const finished = now();
        await updateExport(db, exportId, {
          status: 'done',
          progress: 100,
          step: 'done',
          blob_key: key,
          size,
          sha256: digest,
          finished_at: finished,
          expires_at: new Date(finished.getTime() + SUBJECT_EXPORT_TTL_MS),
        });
      } catch (err) {
        await store.delete(key).catch(() => undefined);
        await updateExport(db, exportId, { status: 'failed', error: (err as Error).message.slice(0, 500) });
        throw err;
      }
    },

    async sweepExpired(at = now()) {
      let n = 0;
      for (;;) {
        const page = await expiredExports(db, at, 100);
        if (page.length === 0) return n;
        const store = deps.blobs;
        for (const row of page) {
          if (row.blob_key) await store.delete(row.blob_key);
          await updateExport(db, row.id, { status: 'expired', blob_key: null });
          await deps.audit.record({
            tenantId: row.tenant_id,
            actor: ANONYMOUS,
            action: 'subject-export.expire',
            resource: { type: 'user', id: row.subject_id },
            context: { ip: null, requestId: 'subject-export-sweep' },
            detail: { exportId: row.id },
          });
          n += 1;
        }
      }
    },
  };
}
