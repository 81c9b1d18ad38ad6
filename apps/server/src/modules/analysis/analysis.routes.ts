import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { AlertsPage, AnalysisDone, AnalysisFailed, AnalysisInProgress } from './analysis.schemas';
import { presentAlert } from './analysis.presenter';
import { auditedRead } from '../sessions';
import { processReport, ProcessReport } from './process-report';

/** A session's whole analysis (run by a job when it ends) and its live alerts (raised during ingest). */
export const analysisRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/sessions/:id/analysis',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['analysis'],
        summary: "Read a session's analysis",
        description:
          'The analysis runs as a durable job when the session ends (or its bundle is uploaded). ' +
          '**200** answers are final: `done` with the analysis (metrics, flags with evidence, explained score), or `failed` when the job ' +
          'failed on every retry (it is parked for an operator; the body says why). **202** means not yet: `pending` (queued, waiting for a retry, ' +
          'or the session has not ended) or `running`; poll again after `Retry-After` seconds.',
        params: SessionParams,
        response: {
          200: Type.Union([AnalysisDone, AnalysisFailed], { description: 'Final: done or failed' }),
          202: { ...AnalysisInProgress, description: 'Not yet: pending or running' },
          ...problemResponses(400, 404, 503),
        },
      },
      preHandler: auditedRead(services.audit, 'session.analysis.read'),
    },
    async (req, reply) => {
      const s = await services.analysis.status(scopeOf(req), req.params.id);
      if (s.status === 'pending' || s.status === 'running') return reply.code(202).header('retry-after', '1').send(s);
      return s;
    },
  );

  app.get(
    '/v1/sessions/:id/alerts',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['analysis'],
        summary: "Read a session's live alerts",
        description:
          'Alerts the incremental analyser raised while the events were ingested, in stream order. Each is stored once, however often the stream is replayed.',
        params: SessionParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }) }),
        response: { 200: AlertsPage, ...problemResponses(400, 404, 503) },
      },
    },
    async (req) => ({ items: (await services.live.alerts(scopeOf(req), req.params.id, req.query.limit)).map(presentAlert) }),
  );

  app.get(
    '/v1/sessions/:id/report',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['analysis'],
        summary: 'Read the process report of a session',
        description:
          'For the person the session is about: the flags the analysis raised, with their evidence (the same their teacher sees), each explained in one plain sentence, ' +
          "and the analysis's notes. Answers like the analysis: **200** `done` or `failed`, **202** `pending` or `running` (poll after `Retry-After`).",
        params: SessionParams,
        response: {
          200: Type.Union([ProcessReport, AnalysisFailed], { description: 'Final: the report, or failed' }),
          202: { ...AnalysisInProgress, description: 'Not yet: pending or running' },
          ...problemResponses(400, 404, 503),
        },
      },
      preHandler: auditedRead(services.audit, 'session.report.read'),
    },
    async (req, reply) => {
      const s = await services.analysis.status(scopeOf(req), req.params.id);
      switch (s.status) {
        case 'done':
          return processReport(s.analysis, s.analyzedAt, s.version);
        case 'failed':
          return s;
        default:
          return reply.code(202).header('retry-after', '1').send(s);
      }
    },
  );
};
