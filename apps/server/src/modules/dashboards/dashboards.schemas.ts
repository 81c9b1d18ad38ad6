import { Type } from '@sinclair/typebox';
import { AnalysisResult } from '@veritas/schema';

/** Request and response shapes of the dashboards: each page's data in one answer. */
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Moment = Type.String({ format: 'date-time' });
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Risk = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
const Count = Type.Integer({ minimum: 0 });

export const ExamParams = Type.Object({ examId: Id });
export const AttemptParams = Type.Object({ attemptId: Id });

const Headline = {
  integrity: OrNull(Type.Number({ description: "The analysis's integrity score (0–1); null before the analysis, or with too little data" })),
  risk: OrNull(Risk),
  analysis: Type.Union([Type.Literal('done'), Type.Literal('not-enough-data'), Type.Literal('none')], {
    description: 'none: no analysis stored yet (the attempt is not finished, or its analysis is running)',
  }),
};

export const StudentDashboard = Type.Object({
  profile: Type.Object({ id: Type.String(), displayName: Type.String(), email: Type.String(), enrollmentId: OrNull(Type.String()) }),
  summary: Type.Object({
    attempts: Count,
    released: Type.Integer({ minimum: 0, description: 'Attempts whose result is released and scored' }),
    passed: Count,
    averagePercent: OrNull(Type.Number({ description: 'Average of the released results, each as a percentage of its exam’s max score' })),
  }),
  openFlags: Type.Integer({ minimum: 0, description: 'Flags about the student still waiting for a person’s decision' }),
  momentum: Type.Object(
    {
      index: OrNull(Type.Integer({ minimum: 0, maximum: 100, description: 'Learning momentum, 0–100; null with fewer than two finished attempts' })),
      label: OrNull(
        Type.Union([Type.Literal('safe'), Type.Literal('incapable'), Type.Literal('copy'), Type.Literal('no_interest')], {
          description: 'Dropout label by the first rule that holds (packages/analysis README, "Momentum and dropout label")',
        }),
      ),
      reason: Type.String({ description: 'The rule that decided, with its numbers' }),
      recommendations: Type.Array(Type.String()),
      attempts: Type.Integer({ minimum: 0, description: 'Finished attempts the rules looked at (the latest five)' }),
    },
    { description: 'Over the latest finished attempts; writing-process signs and released results only, never a webcam or emotion signal' },
  ),
  attempts: Type.Array(
    Type.Object({
      id: Type.String(),
      examId: Type.String(),
      examTitle: Type.String(),
      subject: Type.String(),
      state: Type.String(),
      sessionId: OrNull(Type.String()),
      startedAt: OrNull(Moment),
      finishedAt: OrNull(Moment),
      result: OrNull(
        Type.Object(
          { score: Type.Number(), maxScore: Type.Number(), passMark: Type.Number(), passed: Type.Boolean() },
          { description: 'Only once the exam’s results are released and the attempt is scored' },
        ),
      ),
      ...Headline,
    }),
    { description: 'The 200 latest attempts, newest first' },
  ),
});

export const TeacherDashboardQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Triage queue page size' }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0, description: 'Triage queue entries to skip' }),
  },
  { additionalProperties: false },
);

export const TeacherDashboard = Type.Object({
  exams: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      subject: Type.String(),
      kind: Type.String(),
      owned: Type.Boolean({ description: 'false: co-taught' }),
      opensAt: Moment,
      closesAt: Moment,
      resultsReleased: Type.Boolean(),
      attempts: Type.Object({ total: Count, inProgress: Count, finished: Count, graded: Count }),
      pendingFlags: Count,
    }),
    { description: 'The exams the teacher owns or co-teaches (not archived), latest closing first; at most 100' },
  ),
  pendingFlags: Type.Integer({ minimum: 0, description: 'Flags waiting for a decision on the attempts of these exams' }),
  triage: Type.Object({
    items: Type.Array(
      Type.Object({
        attemptId: Type.String(),
        examId: Type.String(),
        examTitle: Type.String(),
        studentId: Type.String(),
        studentName: Type.String(),
        state: Type.String(),
        sessionId: Type.String(),
        finishedAt: OrNull(Moment),
        integrity: OrNull(Type.Number()),
        risk: OrNull(Risk),
        flags: Count,
        pendingFlags: Count,
        pendingSeverity: OrNull(Risk),
      }),
    ),
    offset: Count,
    next: OrNull(Type.Integer({ minimum: 0, description: 'Pass as `offset` for the next page' })),
  }),
});

export const ExamAnalyticsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Rows of the per-student breakdown in this page' }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'The `page.next` of the previous page' })),
  },
  { additionalProperties: false },
);

const Distribution = Type.Object({
  count: Count,
  min: OrNull(Type.Number()),
  q1: OrNull(Type.Number()),
  median: OrNull(Type.Number()),
  q3: OrNull(Type.Number()),
  max: OrNull(Type.Number()),
  mean: OrNull(Type.Number()),
  bins: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), count: Count }), {
    description:
      'The whole class as a histogram: six equal bins from min to max (the last holds its upper edge), one when every value is the same, none without values',
  }),
});
const Standing = Type.Object({
  value: OrNull(Type.Number()),
  percentile: OrNull(Type.Number({ description: 'Share of the class below (equal values counted half), 0–100' })),
});
export const STANDING_METRICS = ['writingTimeMs', 'pauses', 'revisions', 'pasteShare'] as const;
const standingObject = <T extends Parameters<typeof Type.Object>[0][string]>(t: T) =>
  Type.Object(Object.fromEntries(STANDING_METRICS.map((m) => [m, t])) as Record<(typeof STANDING_METRICS)[number], T>);

export const ExamAnalytics = Type.Object({
  exam: Type.Object({ id: Type.String(), title: Type.String(), maxScore: Type.Number(), passMark: Type.Number(), resultsReleased: Type.Boolean() }),
  summary: Type.Object({
    attempts: Count,
    students: Count,
    graded: Count,
    averageScore: OrNull(Type.Number()),
    passRate: OrNull(Type.Number({ description: 'Passed ÷ scored attempts (0–1)' })),
    averageIntegrity: OrNull(Type.Number()),
    highRisk: Count,
    flagged: Type.Integer({ minimum: 0, description: 'Attempts with at least one review flag' }),
    pendingFlags: Count,
  }),
  risk: Type.Object({ low: Count, medium: Count, high: Count, notEnoughData: Count, notAnalysed: Count }),
  class: standingObject(Distribution),
  students: Type.Array(
    Type.Object({
      attemptId: Type.String(),
      studentId: Type.String(),
      name: Type.String(),
      email: Type.String(),
      state: Type.String(),
      sessionId: OrNull(Type.String()),
      finishedAt: OrNull(Moment),
      score: OrNull(Type.Number()),
      passed: OrNull(Type.Boolean()),
      ...Headline,
      flags: Count,
      pendingFlags: Count,
      standing: standingObject(Standing),
    }),
    { description: 'A page of the breakdown: one row per attempt, by student name then attempt id (`page`); every row is in the results CSV' },
  ),
  page: Type.Object({
    total: Type.Integer({ minimum: 0, description: 'Rows in the whole breakdown (the exam’s attempts)' }),
    limit: Type.Integer({ minimum: 1 }),
    next: OrNull(Type.String({ description: 'Pass as `cursor` for the next page; null on the last' })),
  }),
});

export const ResultsCsv = Type.String({ description: 'text/csv: one row per attempt (RFC 4180, formula-safe)' });

export const AttemptMonitoring = Type.Object({
  attempt: Type.Object({
    id: Type.String(),
    examId: Type.String(),
    examTitle: Type.String(),
    studentId: Type.String(),
    studentName: Type.String(),
    state: Type.String(),
    sessionId: OrNull(Type.String()),
    startedAt: OrNull(Moment),
    finishedAt: OrNull(Moment),
  }),
  events: Type.Object({ total: Count, byType: Type.Record(Type.String(), Count) }),
  alerts: Type.Object({ total: Count, bySeverity: Type.Object({ low: Count, medium: Count, high: Count }) }),
  timeline: Type.Array(
    Type.Object({
      flagId: Type.String(),
      kind: Type.String(),
      state: Type.String(),
      severity: Risk,
      message: Type.String(),
      occurrences: Count,
      times: Type.Array(Type.Object({ tFrom: Type.Number(), tTo: Type.Number(), seqFrom: Type.Integer(), seqTo: Type.Integer(), severity: Risk })),
    }),
    { description: 'The review flags of the attempt’s session, by their first occurrence, each with its occurrences’ session times (1,000 at most in all)' },
  ),
  analysis: Type.Object({
    status: Type.String({ description: 'done, pending, running, failed, or none (no session yet)' }),
    result: OrNull(AnalysisResult),
  }),
});
