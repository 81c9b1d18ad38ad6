import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf, IdempotencyHeaders } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { CoTeacherParams, ExamCreate, ExamListQuery, ExamPage, ExamParams, ExamPatch, ExamView } from './exams.schemas';
import { presentExam } from './exams.presenter';

/** Exams: a teacher's (and co-teachers') exams; students see those of their classes once open. Another tenant's answers as unknown. */
export const examsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const exams = services.exams;
  const noContent = (description: string) => Type.Null({ description });

  app.get(
    '/v1/exams',
    {
      config: { access: 'exams:read' },
      schema: {
        tags: ['exams'],
        summary: 'List exams',
        description: "An admin's: all the tenant's; a teacher's: those they own or co-teach; a student's: those of their classes that are open now.",
        querystring: ExamListQuery,
        response: { 200: ExamPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const page = await exams.list(userOf(req), { limit: req.query.limit, ...(req.query.cursor ? { cursor: req.query.cursor } : {}) });
      return { items: page.items.map(presentExam), next: page.next };
    },
  );

  app.post(
    '/v1/exams',
    {
      config: { idempotent: true, access: 'exams:manage' },
      schema: {
        tags: ['exams'],
        summary: 'Create an exam',
        description: 'Its owner is the person creating it. A teacher gives it to their own classes; an admin to any class of the tenant.',
        body: ExamCreate,
        headers: IdempotencyHeaders,
        response: { 201: ExamView, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(presentExam(await exams.create({ actor: userOf(req), context: contextOf(req) }, req.body))),
  );

  app.get(
    '/v1/exams/:examId',
    {
      config: { access: 'exams:read' },
      schema: { tags: ['exams'], summary: 'Read an exam', params: ExamParams, response: { 200: ExamView, ...problemResponses(400, 401, 403, 404, 503) } },
    },
    async (req) => presentExam(await exams.get(userOf(req), req.params.examId)),
  );

  app.patch(
    '/v1/exams/:examId',
    {
      config: { access: 'exams:manage' },
      schema: {
        tags: ['exams'],
        summary: 'Change an exam, or release its results',
        description: 'By its owner, a co-teacher or an admin. `resultsReleased: true` shows students their scores.',
        params: ExamParams,
        body: ExamPatch,
        response: { 200: ExamView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentExam(await exams.update({ actor: userOf(req), context: contextOf(req) }, req.params.examId, req.body)),
  );

  app.delete(
    '/v1/exams/:examId',
    {
      config: { access: 'exams:manage' },
      schema: {
        tags: ['exams'],
        summary: 'Archive an exam',
        description: 'By its owner or an admin. Its attempts, scores and sessions stay; students no longer see it.',
        params: ExamParams,
        response: { 204: noContent('Archived'), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await exams.archive({ actor: userOf(req), context: contextOf(req) }, req.params.examId);
      return reply.code(204).send(null);
    },
  );

  for (const granted of [true, false]) {
    app.route({
      method: granted ? 'PUT' : 'DELETE',
      url: '/v1/exams/:examId/co-teachers/:userId',
      config: { access: 'exams:manage' },
      schema: {
        tags: ['exams'],
        summary: granted ? 'Grant a teacher co-teaching of an exam' : "Withdraw a co-teacher's grant",
        description: 'By the exam’s owner or an admin. A co-teacher changes the exam, sees and grades its attempts.',
        params: CoTeacherParams,
        response: { 204: noContent(granted ? 'A co-teacher' : 'Withdrawn'), ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
      handler: async (req, reply) => {
        const { examId, userId } = req.params as { examId: string; userId: string };
        await exams.setCoTeacher({ actor: userOf(req), context: contextOf(req) }, examId, userId, granted);
        return reply.code(204).send(null);
      },
    });
  }
};
