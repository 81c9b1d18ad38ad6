import { Type, type Static } from '@sinclair/typebox';
import { AnalysisSettings, Text, TextRecord, Timestamp } from '@veritas/schema';
import { ATTEMPT_STATES } from './attempt-machine';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const ExamKind = Type.Union([Type.Literal('writing'), Type.Literal('proctoring'), Type.Literal('sensor')], {
  description: 'The kind of session each attempt records',
});

/** The exam's analysis settings: the session settings of @veritas/schema, accommodations apart. */
export const ExamAnalysis = Type.Omit(AnalysisSettings, ['assistiveTechnology'], {
  additionalProperties: false,
  description: 'Detector thresholds, and acceptHostSignals: false to refuse host-page signals',
});

export const Accommodations = Type.Object(
  {
    dictation: Type.Optional(Type.Boolean({ description: 'Dictation allowed (analysis always names it as an input method, never pasting)' })),
    assistiveTechnology: Type.Optional(
      Type.Boolean({ description: "Assistive technology allowed: text inserted without key presses is an input method (the session's analysis setting)" }),
    ),
  },
  { additionalProperties: false },
);

const Score = Type.Number({ minimum: 0, maximum: 1_000_000 });

const examFields = {
  title: Text({ minLength: 1, maxLength: 200 }),
  subject: Text({ maxLength: 200 }),
  instructions: Text({ maxLength: 10_000, description: 'Instructions or writing prompt' }),
  kind: ExamKind,
  maxScore: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
  passMark: Score,
  durationMinutes: Type.Integer({ minimum: 1, maximum: 10_080 }),
  opensAt: Timestamp(),
  closesAt: Timestamp(),
  classIds: Type.Array(Id, { maxItems: 50, uniqueItems: true }),
  analysis: ExamAnalysis,
  accommodations: Accommodations,
};

export const ExamCreate = Type.Object(
  {
    ...examFields,
    subject: Type.Optional(examFields.subject),
    instructions: Type.Optional(examFields.instructions),
    classIds: Type.Optional(examFields.classIds),
    analysis: Type.Optional(examFields.analysis),
    accommodations: Type.Optional(examFields.accommodations),
  },
  { additionalProperties: false },
);
export type ExamCreate = Static<typeof ExamCreate>;

export const ExamPatch = Type.Partial(
  Type.Object({
    ...examFields,
    resultsReleased: Type.Boolean({ description: 'true releases the results to students (scores become visible to them); false withdraws them' }),
  }),
  { additionalProperties: false, minProperties: 1 },
);
export type ExamPatch = Static<typeof ExamPatch>;

export const ExamParams = Type.Object({ examId: Id });
export const CoTeacherParams = Type.Object({ examId: Id, userId: Id });
export const AttemptParams = Type.Object({ attemptId: Id });

export const ExamListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The `next` of the previous page' })),
  },
  { additionalProperties: false },
);

export const ExamView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  subject: Type.String(),
  instructions: Type.String(),
  kind: ExamKind,
  maxScore: Type.Number(),
  passMark: Type.Number(),
  durationMinutes: Type.Integer(),
  opensAt: Type.String({ format: 'date-time' }),
  closesAt: Type.String({ format: 'date-time' }),
  ownerId: Type.String(),
  coTeacherIds: Type.Array(Type.String()),
  classIds: Type.Array(Type.String()),
  analysis: ExamAnalysis,
  accommodations: Accommodations,
  resultsReleasedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  archivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ExamPage = Type.Object({
  items: Type.Array(ExamView),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' }),
});

export const AttemptState = Type.Union(
  ATTEMPT_STATES.map((s) => Type.Literal(s)),
  { description: 'not_started → in_progress → submitted | abandoned | timed_out → graded' },
);

export const ExternalAnalysisView = Type.Object({
  id: Type.String(),
  source: Type.String({ description: 'Who computed it (the partner names it); never Veritas' }),
  keyId: Type.String({ description: 'The API key that posted it' }),
  result: Type.Record(Type.String(), Type.Unknown()),
  receivedAt: Type.String({ format: 'date-time' }),
});

export const AttemptView = Type.Object({
  id: Type.String(),
  examId: Type.String(),
  studentId: Type.String(),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  state: AttemptState,
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deadlineAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'min(startedAt + duration, the exam’s close)' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  result: Type.Union(
    [
      Type.Object({
        score: Type.Number(),
        maxScore: Type.Number(),
        passed: Type.Boolean(),
        feedback: Type.Union([Type.String(), Type.Null()]),
        gradedAt: Type.String({ format: 'date-time' }),
        gradedBy: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
      }),
      Type.Null(),
    ],
    { description: 'The score; null until graded, and for a student until the exam’s results are released' },
  ),
  externalAnalyses: Type.Optional(Type.Array(ExternalAnalysisView, { description: 'Partners’ analyses, labelled with their source (not shown to students)' })),
});

export const AttemptList = Type.Object({ items: Type.Array(AttemptView) });

export const AttemptStarted = Type.Object({
  attempt: AttemptView,
  resumed: Type.Boolean({ description: 'true: the attempt was already in progress; its session continues and the write token is a new one' }),
  writeToken: Type.String({ description: 'The session’s write token for the recorder; any token handed out before for this attempt no longer writes' }),
  session: Type.Object({
    id: Type.String(),
    ack: Type.Integer({ description: 'Highest contiguous seq stored durably (-1: none): where the recorder continues' }),
    links: Type.Object({ ingest: Type.String({ description: 'WebSocket URL for high-frequency streams' }), events: Type.String() }),
  }),
});

export const GradeBody = Type.Object(
  {
    score: Score,
    feedback: Type.Optional(Text({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);

export const ExternalAnalysisBody = Type.Object(
  {
    source: Text({ minLength: 1, maxLength: 100, description: 'Who computed it, e.g. the partner’s product name' }),
    result: TextRecord(64, Type.Unknown(), { maxProperties: 64, description: 'The partner’s result, as JSON (at most 8 levels deep)' }),
  },
  { additionalProperties: false },
);
