import { createHash } from 'node:crypto';

/**
 * Where a session's stored files live in the blob store (ADR 0030):
 *   tenants/<tenant | public>/sessions/<session>/raw/…       its bundle and exports (made from its events)
 *   tenants/<tenant | public>/sessions/<session>/analysis/…  its reports (made from its analysis)
 * so a tenant's files are one prefix, a session's another, and retention deletes each part by prefix.
 */
export type FilePart = 'raw' | 'analysis';

/** Bumped when a generator's output changes, so files made by older code are made again, never served. */
export const GENERATION = 'g1';

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** An id as a key segment: itself when it is one already, else a digest of it (never a path). */
const segment = (id: string) => (SEGMENT.test(id) ? id : `h${sha256(id).slice(0, 40)}`);

export const tenantPrefix = (tenantId: string | null) => `tenants/${tenantId === null ? 'public' : segment(tenantId)}/`;

export function sessionPrefix(tenantId: string | null, sessionId: string, part?: FilePart): string {
  return `${tenantPrefix(tenantId)}sessions/${segment(sessionId)}/${part ? `${part}/` : ''}`;
}

/** A raw export: named by what it was made from (the chain head and event count of the ended session). */
export function rawKey(tenantId: string | null, sessionId: string, stem: string, made: { headHash: string; events: number }): string {
  return `${sessionPrefix(tenantId, sessionId, 'raw')}${stem}-${GENERATION}-${made.events}-${sha256(made.headHash).slice(0, 24)}`;
}

/** A report: named by a digest of everything it shows, so a new review outcome or a revoked certificate makes a new one. */
export function reportKey(tenantId: string | null, sessionId: string, content: unknown): string {
  return `${sessionPrefix(tenantId, sessionId, 'analysis')}report-${GENERATION}-${sha256(JSON.stringify(content)).slice(0, 32)}`;
}
