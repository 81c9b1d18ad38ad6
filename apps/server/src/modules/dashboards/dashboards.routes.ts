import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import {
  AttemptMonitoring,
  AttemptParams,
  ExamAnalytics,
  ExamAnalyticsQuery,
  ExamParams,
  ResultsCsv,
  StudentDashboard,
  TeacherDashboard,
  TeacherDashboardQuery,
} from './dashboards.schemas';
import { studentDetailRoutes } from './student-detail.routes';
import { decodeStudentPosition } from './exam-analytics-cursor';
import { presentExamAnalytics, presentMonitoring, presentResultsCsv, presentStudentDashboard, presentTeacherDashboard } from './dashboards.presenter';

/**
 * Dashboards (issue 12): each page's data in one request. A student's own page, a teacher's own
 * page, an exam's analytics and its results as CSV, an attempt's monitoring. An exam or attempt the
 * caller does not manage answers as an unknown id (404).
 */
export const dashboardsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const dashboards = deps.services.dashboards;
  // A student's detail for their teachers (student-detail.routes.ts).
  await app.register(studentDetailRoutes, deps);

  app.get(
    '/v1/students/me/dashboard',
    {
      config: { access: 'dashboards:student' },
      schema: {
        tags: ['dashboards'],
        summary: "The student's dashboard",
        description:
          'Profile; attempt history with each exam, the result (score and pass/fail, once the teacher releases the results) and the integrity score and risk of ' +
          "the attempt's analysis; a summary (attempts, released, passed, average of the released results as a percentage); flags about them awaiting a decision.",
        response: { 200: StudentDashboard, ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => presentStudentDashboard(await dashboards.student(userOf(req))),
  );

  app.get(
    '/v1/teachers/me/dashboard',
    {
      config: { access: 'dashboards:teacher' },
      schema: {
        tags: ['dashboards'],
        summary: "The teacher's dashboard",
        description:
          'The exams they own or co-teach with attempt counts and flags waiting; all flags waiting on them; and the triage queue: attempts with flags waiting ' +
          'first, by the highest severity waiting, then by integrity, lowest first (a page at a time by `offset`).',
        querystring: TeacherDashboardQuery,
        response: { 200: TeacherDashboard, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => presentTeacherDashboard(await dashboards.teacher(userOf(req), { limit: req.query.limit, offset: req.query.offset })),
  );

  app.get(
    '/v1/exams/:examId/analytics',
    {
      config: { access: 'exams:analytics' },
      schema: {
        tags: ['dashboards'],
        summary: "An exam's analytics",
        description:
          'For its teachers (owner, co-teachers) and admins: attempts, students, average score, pass rate, average integrity, high-risk and flagged counts, ' +
          'the risk distribution, where the class stands on writing time, pauses, revisions and paste share (distributions and histograms of every attempt), ' +
          'and a page of the per-student breakdown (by name; `limit`, default 50, at most 200; `cursor` from `page.next`) with each attempt’s percentile ' +
          'ranks in the whole class. Every row is in the results CSV. Audited as `exam.analytics.read`.',
        params: ExamParams,
        querystring: ExamAnalyticsQuery,
        response: { 200: ExamAnalytics, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) =>
      presentExamAnalytics(
        await dashboards.examAnalytics(
          userOf(req),
          req.params.examId,
          { limit: req.query.limit, ...(req.query.cursor !== undefined ? { after: decodeStudentPosition(req.query.cursor) } : {}) },
          contextOf(req),
        ),
      ),
  );

  app.get(
    '/v1/exams/:examId/results.csv',
    {
      config: { access: 'exams:analytics' },
      schema: {
        tags: ['dashboards'],
        summary: "An exam's results as CSV",
        description:
          'One row per attempt: student, email, state, score, max score, passed, integrity, risk, flags, flags waiting. RFC 4180; a text cell starting with ' +
          '= + - @ is prefixed with a quote so no spreadsheet reads it as a formula. Audited as `exam.results.export`.',
        params: ExamParams,
        produces: ['text/csv'],
        response: { 200: { content: { 'text/csv': { schema: ResultsCsv } } }, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const csv = presentResultsCsv(await dashboards.examResults(userOf(req), req.params.examId, contextOf(req)));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="exam-${req.params.examId}-results.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.get(
    '/v1/attempts/:attemptId/monitoring',
    {
      config: { access: 'attempts:monitor' },
      schema: {
        tags: ['dashboards'],
        summary: "An attempt's monitoring",
        description:
          "For the exam's teachers and admins: the session's events by type, its live alerts by severity, the timeline of anomalies (review flags with their " +
          "occurrences' session times) and the analysis. Audited as `attempt.monitoring.read`.",
        params: AttemptParams,
        response: { 200: AttemptMonitoring, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentMonitoring(await dashboards.monitoring(userOf(req), req.params.attemptId, contextOf(req))),
  );
};
