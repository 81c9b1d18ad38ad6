import { Readable } from 'node:stream';
import { ANONYMOUS, actorIdentity, type Actor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { BlobObject, BlobStore } from '../../platform/blob/blob-store';
import type { AuditService, RequestContext } from '../audit';
import type { AccessTokens } from '../auth';
import type { ExportsService } from '../exports';
import type { ReportsService } from '../reports';
import { auditsRead, type SessionsService } from '../sessions';
import { rawKey, reportKey, sessionPrefix, type FilePart } from './download-keys';

/** What a session can be downloaded as: its bundle, its raw data (JSON, CSV), its IDFX log, its PDF report. */
export const DOWNLOAD_FORMATS = ['bundle', 'json', 'csv', 'idfx', 'report'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

/** A file in the blob store, and what a browser is told about it. */
export interface StoredFile {
  key: string;
  size: number;
  contentType: string;
  fileName: string;
}

export type StoredReport = { status: 'done'; file: StoredFile } | { status: 'pending' | 'running'; detail: string } | { status: 'failed'; error: string };

export interface DownloadLink {
  url: string;
  expiresAt: Date;
  format: DownloadFormat;
  fileName: string;
  contentType: string;
  size: number;
  /** True when the link goes to the object store itself (S3 presigned), false when to this server. */
  direct: boolean;
}

export interface DownloadsService {
  /**
   * The stored file of an ended session's bundle or export, made and stored the first time it is
   * asked for (the session no longer changes: the file is named by its chain head).
   */
  rawFile(scope: Scope, sessionId: string, format: Exclude<DownloadFormat, 'report'>): Promise<StoredFile>;
  /** The stored bundle of an ended session; undefined while it is active (its bundle still grows: read it from the database). */
  endedBundle(scope: Scope, sessionId: string): Promise<StoredFile | undefined>;
  /** The stored PDF report, rendered and stored when what it shows changed; or why there is none yet. */
  reportFile(scope: Scope, sessionId: string, verifyUrl: string): Promise<StoredReport>;
  /** The body of a stored file; made again if it went meanwhile (never for a link: see redeem). */
  open(file: StoredFile, remake: () => Promise<StoredFile>): Promise<BlobObject>;
  /** An expiring link to a session's file: presigned by S3, or a signed grant this server redeems. */
  link(by: { actor: Actor }, scope: Scope, sessionId: string, format: DownloadFormat, urls: { base: string; verify: string }): Promise<DownloadLink>;
  /** The file a grant names, checked (signature, expiry, tenant) and audited; `link-invalid` otherwise. */
  redeem(grant: string, context: RequestContext): Promise<{ blob: BlobObject; fileName: string }>;
  /** Deletes a session's stored files (one part, or all); answers how many went. */
  forget(tenantId: string | null, sessionId: string, part?: FilePart): Promise<number>;
}

export const DOWNLOAD_AUDIENCE = 'veritas-download';

const RAW: Record<Exclude<DownloadFormat, 'report'>, { stem: string; contentType: string; name: (id: string) => string }> = {
  bundle: { stem: 'bundle', contentType: 'application/json', name: (id) => `veritas-bundle-${id}.json` },
  json: { stem: 'data-json', contentType: 'application/json', name: (id) => `session-${id}.json` },
  csv: { stem: 'data-csv', contentType: 'text/csv; charset=utf-8', name: (id) => `session-${id}.csv` },
  idfx: { stem: 'idfx', contentType: 'application/xml; charset=utf-8', name: (id) => `session-${id}.idfx` },
};
const REPORT_TYPE = 'application/pdf';
const reportName = (id: string) => `veritas-report-${id}.pdf`;

export interface DownloadsDeps {
  blobs: BlobStore;
  sessions: Pick<SessionsService, 'get' | 'bundleJson' | 'data'>;
  exports: Pick<ExportsService, 'idfx'>;
  reports: Pick<ReportsService, 'prepare'>;
  tokens: Pick<AccessTokens, 'signGrant' | 'verifyGrant'>;
  audit: AuditService;
  linkTtlS: number;
  clock?: () => Date;
}

export function createDownloadsService({
  blobs,
  sessions,
  exports,
  reports,
  tokens,
  audit,
  linkTtlS,
  clock = () => new Date(),
}: DownloadsDeps): DownloadsService {
  /** Stores what `make` gives under `key` unless it is there already. */
  async function ensure(key: string, contentType: string, fileName: string, make: () => Promise<Buffer | Readable>): Promise<StoredFile> {
    const there = await blobs.head(key);
    if (there) return { key, size: there.size, contentType, fileName };
    const { size } = await blobs.put(key, await make(), { contentType });
    return { key, size, contentType, fileName };
  }

  async function rawFile(scope: Scope, sessionId: string, format: Exclude<DownloadFormat, 'report'>): Promise<StoredFile> {
    const session = await sessions.get(scope, sessionId);
    if (session.status !== 'ended') throw new AppError('session-not-ended', `session ${sessionId} is still active; its files are stored once it has ended`);
    const spec = RAW[format];
    const key = rawKey(session.tenant_id, session.id, spec.stem, { headHash: session.head_hash, events: session.next_seq });
    return ensure(key, spec.contentType, spec.name(session.id), async () => {
      switch (format) {
        case 'bundle':
          return Readable.from(await sessions.bundleJson(scope, sessionId));
        case 'json':
        case 'csv':
          return Readable.from(await sessions.data(scope, sessionId, format));
        case 'idfx':
          return Buffer.from((await exports.idfx(scope, sessionId)).xml, 'utf8');
      }
    });
  }

  async function reportFile(scope: Scope, sessionId: string, verifyUrl: string): Promise<StoredReport> {
    const session = await sessions.get(scope, sessionId);
    const prepared = await reports.prepare(scope, sessionId, verifyUrl);
    if (prepared.status !== 'done') return prepared;
    const key = reportKey(session.tenant_id, session.id, { content: prepared.content, createdAt: prepared.createdAt });
    const file = await ensure(key, REPORT_TYPE, reportName(session.id), () => prepared.render());
    // Reports of what the session showed before (a flag since reviewed) are not kept beside the current one.
    const prefix = `${sessionPrefix(session.tenant_id, session.id, 'analysis')}report-`;
    for (const old of (await blobs.list(prefix)).items) if (old.key !== key) await blobs.delete(old.key);
    return { status: 'done', file };
  }

  async function fileOf(scope: Scope, sessionId: string, format: DownloadFormat, verifyUrl: string): Promise<StoredFile> {
    if (format !== 'report') return rawFile(scope, sessionId, format);
    const r = await reportFile(scope, sessionId, verifyUrl);
    if (r.status === 'done') return r.file;
    throw new AppError('report-not-ready', r.status === 'failed' ? `the analysis failed: ${r.error}` : r.detail);
  }

  return {
    rawFile,
    reportFile,

    async endedBundle(scope, sessionId) {
      if ((await sessions.get(scope, sessionId)).status !== 'ended') return undefined;
      return rawFile(scope, sessionId, 'bundle');
    },

    async open(file, remake) {
      const blob = await blobs.get(file.key);
      if (blob) return blob;
      // Deleted between the check and the read (a retention sweep, another instance's newer report): made again.
      const again = await remake();
      const retry = await blobs.get(again.key);
      if (!retry) throw new AppError('not-found', 'the file was deleted while it was being read');
      return retry;
    },

    async link(by, scope, sessionId, format, urls) {
      const file = await fileOf(scope, sessionId, format, urls.verify);
      const expiresAt = new Date(clock().getTime() + linkTtlS * 1000);
      const common = { expiresAt, format, fileName: file.fileName, contentType: file.contentType, size: file.size };
      if (blobs.directLink) {
        const url = await blobs.directLink(file.key, { expiresInS: linkTtlS, fileName: file.fileName, contentType: file.contentType });
        return { ...common, url, direct: true };
      }
      const who = actorIdentity(by.actor);
      const grant = await tokens.signGrant(
        DOWNLOAD_AUDIENCE,
        {
          key: file.key,
          tid: scope.tenantId,
          sid: sessionId,
          fmt: format,
          fn: file.fileName,
          ct: file.contentType,
          by: who.id === null ? who.kind : `${who.kind}:${who.id}`,
          // A download through a link made by someone whose reads are audited is audited too.
          au: auditsRead(by.actor),
        },
        linkTtlS,
      );
      return { ...common, url: `${urls.base}/v1/downloads?grant=${encodeURIComponent(grant)}`, direct: false };
    },

    async redeem(grant, context) {
      const claims = await tokens.verifyGrant(DOWNLOAD_AUDIENCE, grant);
      if (claims === 'expired') throw new AppError('link-invalid', 'this download link has expired; ask for a new one');
      if (claims === 'invalid') throw new AppError('link-invalid', 'this is not a download link this server made');
      const { key, tid, sid, fmt, fn, by, au, jti } = claims as Record<string, unknown>;
      if (typeof key !== 'string' || typeof sid !== 'string' || typeof fn !== 'string' || !(tid === null || typeof tid === 'string'))
        throw new AppError('link-invalid', 'this download link names no file');
      // The grant is signed, so this holds unless the keys leaked; checked anyway: a link opens its own tenant's session's files only.
      if (!key.startsWith(sessionPrefix(tid, sid))) throw new AppError('link-invalid', 'this download link names no file');
      const blob = await blobs.get(key);
      if (!blob) throw new AppError('link-invalid', 'the file this link names is gone (deleted with its session, or by retention); ask for a new link');
      if (au === true) {
        await audit
          .record({
            tenantId: tid,
            actor: ANONYMOUS,
            action: 'session.download',
            resource: { type: 'session', id: sid },
            context,
            detail: { format: typeof fmt === 'string' ? fmt : null, link: typeof jti === 'string' ? jti : null, linkBy: typeof by === 'string' ? by : null },
          })
          .catch((err: unknown) => {
            blob.body.destroy();
            throw err;
          });
      }
      return { blob, fileName: fn };
    },

    forget: (tenantId, sessionId, part) => forgetSessionFiles(blobs, tenantId, sessionId, part),
  };
}

/** Deletes a session's stored files (one part, or all) from the blob store; answers how many went. */
export async function forgetSessionFiles(blobs: BlobStore, tenantId: string | null, sessionId: string, part?: FilePart): Promise<number> {
  const prefix = sessionPrefix(tenantId, sessionId, part);
  let deleted = 0;
  // Deleting as we go: each listing starts again from the first key left.
  for (let page = await blobs.list(prefix); page.items.length > 0; page = await blobs.list(prefix)) {
    for (const item of page.items) await blobs.delete(item.key);
    deleted += page.items.length;
  }
  return deleted;
}
