import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyActor, UserActor } from '../../kernel/actor';
import { contextOf, linkBase, problemResponses, userOf, IdempotencyHeaders } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { AttemptList, AttemptParams, AttemptStarted, AttemptView, ExamParams, ExternalAnalysisBody, ExternalAnalysisView, GradeBody } from './exams.schemas';
import { presentAttempt, presentExternal, presentStartedSession } from './exams.presenter';

/** A route whose access only people and API keys pass. */
function personOrKey(req: FastifyRequest): UserActor | ApiKeyActor {
  if (req.actor.kind === 'user' || req.actor.kind === 'api-key') return req.actor;
  throw new Error(`route ${req.routeOptions.url ?? req.url} reached its handler without a person or key; check its access`);
}

function keyOf(req: FastifyRequest): ApiKeyActor {
  if (req.actor.kind === 'api-key') return req.actor;
  throw new Error(`route ${req.routeOptions.url ?? req.url} reached its handler without an API key; check its access`);
}

/** Attempts: a student takes an exam (start or resume, submit, abandon); teachers and partners' keys grade. */
export const attemptsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const attempts = services.attempts;
  const caller = (req: FastifyRequest) => ({ actor: userOf(req), context: contextOf(req) });

  app.post(
    '/v1/exams/:examId/attempts',
    {
      config: { idempotent: true, access: 'attempts:take' },
      schema: {
        tags: ['attempts'],
        summary: 'Start (or resume) my attempt at an exam',
        description:
          'The first call starts the attempt and creates its session (the exam’s kind and analysis settings): 201. Calling again while it is in progress (a reload, a crashed browser) resumes the same attempt and session: 200, with a new write token — the one handed out before writes no more. Only inside the exam’s window (409 exam-not-open) and before the attempt’s deadline (409 attempt-closed).',
        params: ExamParams,
        headers: IdempotencyHeaders,
        response: { 200: AttemptStarted, 201: AttemptStarted, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (req, reply) => {
      const started = await attempts.start(caller(req), req.params.examId);
      return reply.code(started.resumed ? 200 : 201).send({
        attempt: presentAttempt(started, req.actor),
        resumed: started.resumed,
        writeToken: started.writeToken,
        session: presentStartedSession(started.session, linkBase(req, config.publicUrl)),
      });
    },
  );

  app.get(
    '/v1/exams/:examId/attempts',
    {
      config: { access: 'exams:read' },
      schema: {
        tags: ['attempts'],
        summary: "List an exam's attempts",
        description: "Its teachers (owner, co-teachers) and an admin see every student's; a student their own.",
        params: ExamParams,
        response: { 200: AttemptList, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => ({ items: (await attempts.list(userOf(req), req.params.examId)).map((a) => presentAttempt(a, req.actor)) }),
  );

  app.get(
    '/v1/attempts/:attemptId',
    {
      config: { access: 'attempts:read' },
      schema: {
        tags: ['attempts'],
        summary: 'Read an attempt',
        description: 'With its score once graded (for a student: once the exam’s results are released) and partners’ analyses, labelled with their source.',
        params: AttemptParams,
        response: { 200: AttemptView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentAttempt(await attempts.get(personOrKey(req), req.params.attemptId), req.actor),
  );

  for (const move of ['submit', 'abandon'] as const) {
    app.post(
      `/v1/attempts/:attemptId/${move}`,
      {
        config: { access: 'attempts:take' },
        schema: {
          tags: ['attempts'],
          summary: move === 'submit' ? 'Submit my attempt' : 'Abandon my attempt',
          description: 'Only an attempt in progress and before its deadline; its session ends and takes no more events (attempt-closed).',
          params: AttemptParams,
          response: { 200: AttemptView, ...problemResponses(400, 401, 403, 404, 409, 503) },
        },
      },
      async (req) => presentAttempt(await attempts[move](caller(req), req.params.attemptId), req.actor),
    );
  }

  app.put(
    '/v1/attempts/:attemptId/score',
    {
      config: { access: 'attempts:grade' },
      schema: {
        tags: ['attempts'],
        summary: 'Grade an attempt',
        description:
          'A teacher of the exam (owner, co-teacher) or a partner’s key with `attempts:grade`, once the attempt is submitted, abandoned or timed out; grading again corrects the score.',
        params: AttemptParams,
        body: GradeBody,
        response: { 200: AttemptView, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) =>
      presentAttempt(
        await attempts.grade({ actor: personOrKey(req), context: contextOf(req) }, req.params.attemptId, {
          score: req.body.score,
          ...(req.body.feedback !== undefined ? { feedback: req.body.feedback } : {}),
        }),
        req.actor,
      ),
  );

  app.post(
    '/v1/attempts/:attemptId/external-analyses',
    {
      config: { access: 'attempts:analyses' },
      schema: {
        tags: ['attempts'],
        summary: 'Post an analysis computed elsewhere',
        description: 'A partner’s key with `analyses:write`. Kept apart from Veritas’s own analysis and labelled with its source.',
        params: AttemptParams,
        body: ExternalAnalysisBody,
        response: { 201: ExternalAnalysisView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentExternal(await attempts.addExternalAnalysis({ actor: keyOf(req), context: contextOf(req) }, req.params.attemptId, req.body))),
  );
};
