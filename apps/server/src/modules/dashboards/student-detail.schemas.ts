import { Type } from '@sinclair/typebox';

/** GET /v1/students/{studentId}: what a student's teachers (and their observers, and admins) read about them, in one answer. */
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Moment = Type.String({ format: 'date-time' });
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Risk = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
const Count = Type.Integer({ minimum: 0 });

export const StudentParams = Type.Object({ studentId: Id });

export const StudentDetail = Type.Object({
  profile: Type.Object({ id: Type.String(), displayName: Type.String(), email: Type.String(), enrollmentId: OrNull(Type.String()), status: Type.String() }),
  classes: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), teacherId: Type.String(), teacherName: Type.String() }), {
    description: "The student's classes in the institution, by name",
  }),
  summary: Type.Object({
    attempts: Type.Integer({ minimum: 0, description: 'Attempts listed (at the exams the caller manages)' }),
    graded: Type.Integer({ minimum: 0, description: 'Of them, scored' }),
    passed: Count,
    averagePercent: OrNull(Type.Number({ description: 'Average score of the scored ones, each as a percentage of its exam’s max score' })),
    averageIntegrity: OrNull(Type.Number()),
    pendingFlags: Type.Integer({ minimum: 0, description: 'Flags on these attempts waiting for a person’s decision' }),
  }),
  momentum: Type.Object(
    {
      index: OrNull(Type.Integer({ minimum: 0, maximum: 100 })),
      label: OrNull(Type.Union([Type.Literal('safe'), Type.Literal('incapable'), Type.Literal('copy'), Type.Literal('no_interest')])),
      reason: Type.String(),
      recommendations: Type.Array(Type.String()),
      attempts: Type.Integer({ minimum: 0 }),
    },
    { description: "The student's learning momentum and dropout label, as their own dashboard shows it (the same rules, the same released results)" },
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
      score: OrNull(Type.Number({ description: 'Scored, released or not: the caller manages the exam' })),
      maxScore: Type.Number(),
      passMark: Type.Number(),
      passed: OrNull(Type.Boolean()),
      resultsReleased: Type.Boolean(),
      integrity: OrNull(Type.Number()),
      risk: OrNull(Risk),
      analysis: Type.Union([Type.Literal('done'), Type.Literal('not-enough-data'), Type.Literal('none')]),
      flags: Count,
      pendingFlags: Count,
    }),
    { description: 'The attempts at the exams the caller manages (an observer: those of the teachers they are attached to), newest first; at most 200' },
  ),
});
