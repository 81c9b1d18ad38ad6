import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, SessionParams, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import {
  AnswerBody,
  AnswerView,
  DecisionBody,
  FlagList,
  FlagParams,
  FlagQueuePage,
  FlagQueueQuery,
  FlagView,
  FlagViewPage,
  OwnFlagsQuery,
} from './review.schemas';
import { presentAnswer, presentFlag, presentFlagSummary } from './review.presenter';

/**
 * Flag review: the queue of consolidated flags, a session's flags, decisions by reviewers (teachers
 * who see the session, admins), answers by the student a flag is about, and the student's own flags.
 */
export const reviewRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const review = services.review;

  app.get(
    '/v1/review/flags',
    {
      config: { access: 'flags:read' },
      schema: {
        tags: ['review'],
        summary: 'The review queue',
        description:
          'The consolidated flags of the sessions the caller may see (an admin: the tenant’s; a teacher: their classes’ students’; an observer: read only, ' +
          'those of the teachers they are attached to), highest severity first, then oldest first, a page at a time. By default the flags waiting for a ' +
          'decision (open, awaiting_second_review, escalated).',
        querystring: FlagQueueQuery,
        response: { 200: FlagQueuePage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const page = await review.queue(userOf(req), req.query);
      return { items: page.items.map((f) => presentFlagSummary(f)), next: page.next };
    },
  );

  app.get(
    '/v1/sessions/:id/flags',
    {
      config: { access: ['reader', 'flags:read'] },
      schema: {
        tags: ['review'],
        summary: "A session's flags",
        description: 'Each consolidated flag with its first 100 occurrences, its decisions and the student’s answers. The read is audited.',
        params: SessionParams,
        response: { 200: FlagList, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => ({ items: (await review.sessionFlags(userOf(req), req.params.id, contextOf(req))).map((d) => presentFlag(d)) }),
  );

  app.post(
    '/v1/flags/:flagId/decisions',
    {
      config: { access: 'flags:decide' },
      schema: {
        tags: ['review'],
        summary: 'Decide a flag',
        description:
          'confirm, dismiss or escalate an open flag (confirm and escalate need a `note`). A high flag confirmed once is `awaiting_second_review` until a ' +
          'different reviewer decides it (`second-reviewer-required` for the first one). An escalated flag is decided by an admin; an admin may reopen a ' +
          'confirmed or dismissed one. Any decision past `open` needs a note. `noteToStudent` is shown to the student. Audited.',
        params: FlagParams,
        body: DecisionBody,
        response: { 200: FlagView, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) => presentFlag(await review.decide(userOf(req), req.params.flagId, req.body, contextOf(req))),
  );

  app.post(
    '/v1/flags/:flagId/answers',
    {
      config: { access: 'flags:answer' },
      schema: {
        tags: ['review'],
        summary: 'Answer a flag about oneself',
        description: 'The student the flag is about explains or appeals (at most 10 answers per flag). Reviewers see it with the flag. Audited.',
        params: FlagParams,
        body: AnswerBody,
        response: { 201: AnswerView, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(presentAnswer(await review.answer(userOf(req), req.params.flagId, req.body, contextOf(req)))),
  );

  app.get(
    '/v1/me/flags',
    {
      config: { access: 'flags:read-own' },
      schema: {
        tags: ['review'],
        summary: 'The flags about me',
        description:
          'A student’s flags, highest severity first: each with its occurrences, its state (the outcome), the decisions with the notes meant for the ' +
          'student (never the reviewers’ own notes or names) and the student’s answers.',
        querystring: OwnFlagsQuery,
        response: { 200: FlagViewPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const page = await review.ownFlags(userOf(req), req.query);
      return { items: page.items.map((d) => presentFlag(d, 'student')), next: page.next };
    },
  );
};
