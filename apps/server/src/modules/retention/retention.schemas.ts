import { Type, type Static } from '@sinclair/typebox';
import { Text } from '@veritas/schema';

/** Ten years: a longer retention is a policy of keeping, written as null. */
const Days = Type.Union([Type.Integer({ minimum: 1, maximum: 3653 }), Type.Null()], {
  description: 'days after a session ends; null keeps it',
});

/** The audit trail's days: at least as many as the other two (checked by the service: retention-policy-invalid). */
const AuditDays = Type.Union([Type.Integer({ minimum: 1, maximum: 36_525 }), Type.Null()], {
  description:
    'days audit entries are kept after they were written; null (the default) keeps them. At least rawDays and analysisDays, which must then be set (retention-policy-invalid)',
});

export const RetentionPolicyBody = Type.Object(
  {
    rawDays: Days,
    analysisDays: Days,
    auditDays: Type.Optional(AuditDays),
  },
  { additionalProperties: false },
);
export type RetentionPolicyBody = Static<typeof RetentionPolicyBody>;

export const RetentionPolicyView = Type.Object({
  rawDays: Days,
  analysisDays: Days,
  auditDays: AuditDays,
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

const SubjectKind = Type.Union([Type.Literal('session'), Type.Literal('attempt'), Type.Literal('person')]);

export const LegalHoldBody = Type.Object(
  {
    subjectKind: SubjectKind,
    subjectId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
    reason: Text({ minLength: 3, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type LegalHoldBody = Static<typeof LegalHoldBody>;

export const LegalHoldView = Type.Object({
  id: Type.String(),
  subjectKind: SubjectKind,
  subjectId: Type.String(),
  reason: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  liftedBy: Type.Union([Type.String(), Type.Null()]),
  liftedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const LegalHoldList = Type.Object({ items: Type.Array(LegalHoldView) });
export const LegalHoldQuery = Type.Object(
  { active: Type.Optional(Type.Boolean({ default: true, description: 'only holds not lifted' })) },
  { additionalProperties: false },
);
export const LegalHoldParams = Type.Object({ holdId: Type.String({ format: 'uuid' }) });

export const ErasureParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' }) });
export const ErasureView = Type.Object({
  userId: Type.String(),
  sessions: Type.Integer({ description: 'sessions deleted' }),
  attempts: Type.Integer({ description: 'attempts deleted' }),
  memberships: Type.Integer({ description: 'class memberships removed' }),
});
