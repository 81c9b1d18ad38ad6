import type { ExportRow } from './subject-export.repository';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export const presentExport = (row: ExportRow) => ({
  id: row.id,
  subjectId: row.subject_id,
  requestedAs: row.requested_as,
  status: row.status,
  progress: row.progress,
  step: row.step,
  size: row.size === null ? null : Number(row.size),
  sha256: row.sha256,
  error: row.error,
  createdAt: new Date(row.created_at).toISOString(),
  finishedAt: iso(row.finished_at),
  expiresAt: new Date(row.expires_at).toISOString(),
  links: { status: `/v1/subject-exports/${row.id}`, download: `/v1/subject-exports/${row.id}/archive` },
});
