import type { HoldRow, PolicyRow } from './retention.repository';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export const presentPolicy = (row: PolicyRow | undefined) => ({
  rawDays: row?.raw_days ?? null,
  analysisDays: row?.analysis_days ?? null,
  auditDays: row?.audit_days ?? null,
  updatedAt: row ? iso(row.updated_at) : null,
  updatedBy: row?.updated_by ?? null,
});

export const presentHold = (row: HoldRow) => ({
  id: row.id,
  subjectKind: row.subject_kind,
  subjectId: row.subject_id,
  reason: row.reason,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at).toISOString(),
  liftedBy: row.lifted_by,
  liftedAt: iso(row.lifted_at),
});
