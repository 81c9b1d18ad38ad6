import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';
import { DECISIONS, REVIEW_STATES, SEVERITIES } from './review-states';

/** Request and response shapes of the review routes. */
const Moment = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const ReviewStateSchema = Type.Union(
  REVIEW_STATES.map((s) => Type.Literal(s)),
  { description: 'open → confirmed | dismissed | escalated; a high flag confirmed once is awaiting_second_review until a different reviewer decides' },
);
export const SeveritySchema = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));
export const DecisionSchema = Type.Union(DECISIONS.map((d) => Type.Literal(d)));
export const AnswerKindSchema = Type.Union([Type.Literal('explanation'), Type.Literal('appeal')]);

export const FlagParams = Type.Object({ flagId: Type.String({ pattern: '^rv_[A-Za-z0-9_-]{16}$', description: 'The flag id' }) });

const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'The `next` of the previous page' });
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
const Next = Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' });

export const FlagQueueQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([...REVIEW_STATES.map((s) => Type.Literal(s)), Type.Literal('pending'), Type.Literal('all')], {
        description: 'pending (the default: open, awaiting_second_review, escalated, and any flag changed since its decision), all, or one state',
      }),
    ),
    severity: Type.Optional(SeveritySchema),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);

export const OwnFlagsQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([...REVIEW_STATES.map((s) => Type.Literal(s)), Type.Literal('pending'), Type.Literal('all')], {
        description: 'all (the default), pending, or one state',
      }),
    ),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);

export const DecisionBody = Type.Object(
  {
    decision: DecisionSchema,
    note: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 2000,
        description: 'For the reviewers and the record; required to confirm, escalate or reopen, and for any decision on a flag past open',
      }),
    ),
    noteToStudent: Type.Optional(Text({ minLength: 1, maxLength: 2000, description: 'Shown to the student the flag is about, with the outcome' })),
  },
  { additionalProperties: false },
);

export const AnswerBody = Type.Object(
  {
    kind: AnswerKindSchema,
    text: Text({ minLength: 1, maxLength: 2000, description: 'The student’s explanation or appeal' }),
  },
  { additionalProperties: false },
);

export const FlagSummary = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  attemptId: Nullable(Type.String({ description: 'The exam attempt whose session it is about; null for a session that is no attempt' })),
  kind: Type.String({ description: 'The detector behind it (several-faces, paste-share …): one flag per session and kind' }),
  severity: SeveritySchema,
  state: ReviewStateSchema,
  message: Type.String({ description: 'The wording of its most severe, latest occurrence' }),
  occurrences: Type.Integer({ description: 'How many stretches of the session it consolidates' }),
  firstT: Type.Number({ description: 'Session time (ms) of the first occurrence' }),
  lastT: Type.Number({ description: 'Session time (ms) of the end of the last occurrence' }),
  changedSinceDecision: Type.Boolean({
    description: 'New occurrences or a higher severity since the last decision: the state stays as decided, and the flag is in the pending queue again',
  }),
  firstSeenAt: Moment,
  updatedAt: Moment,
  firstConfirmedBy: Type.Optional(Nullable(Type.String({ description: 'A high flag awaiting its second reviewer: who confirmed it first' }))),
});

export const OccurrenceView = Type.Object({
  seqFrom: Type.Integer(),
  seqTo: Type.Integer(),
  tFrom: Type.Number(),
  tTo: Type.Number(),
  severity: SeveritySchema,
  message: Type.String(),
  evidence: Type.Unknown({ description: 'The evidence as the detector gave it (seq and time range, excerpt, moments)' }),
  values: Type.Unknown({ description: 'The measured values beside their thresholds' }),
  source: Type.Union([Type.Literal('alert'), Type.Literal('analysis')]),
});

export const DecisionView = Type.Object({
  id: Type.String(),
  decision: DecisionSchema,
  from: ReviewStateSchema,
  to: ReviewStateSchema,
  at: Moment,
  noteToStudent: Nullable(Type.String()),
  reviewerId: Type.Optional(Type.String()),
  reviewerRole: Type.Optional(Type.String()),
  note: Type.Optional(Nullable(Type.String())),
  severity: Type.Optional(SeveritySchema),
  occurrences: Type.Optional(Type.Integer({ description: 'How many occurrences the flag had when decided' })),
});

export const AnswerView = Type.Object({
  id: Type.String(),
  flagId: Type.String(),
  kind: AnswerKindSchema,
  text: Type.String(),
  at: Moment,
  authorId: Type.String(),
});

export const FlagView = Type.Composite([
  FlagSummary,
  Type.Object({
    occurrenceList: Type.Array(OccurrenceView, { description: 'The first 100 occurrences in stream order' }),
    decisions: Type.Array(DecisionView, { description: 'Oldest first; a student sees the outcome and the notes meant for them only' }),
    answers: Type.Array(AnswerView, { description: 'The student’s explanations and appeals, oldest first' }),
  }),
]);

export const FlagQueuePage = Type.Object({ items: Type.Array(FlagSummary), next: Next });
export const FlagViewPage = Type.Object({ items: Type.Array(FlagView), next: Next });
export const FlagList = Type.Object({ items: Type.Array(FlagView) });
