import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import {
  ErasureParams,
  ErasureView,
  LegalHoldBody,
  LegalHoldList,
  LegalHoldParams,
  LegalHoldQuery,
  LegalHoldView,
  RetentionPolicyBody,
  RetentionPolicyView,
} from './retention.schemas';
import { presentHold, presentPolicy } from './retention.presenter';

/** The tenant's retention policy and legal holds: its admins' (ADR 0027). */
export const retentionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/admin/retention',
    {
      config: { access: 'tenant:manage' },
      schema: { tags: ['admin'], summary: "The institution's retention policy", response: { 200: RetentionPolicyView, ...problemResponses(401, 403, 503) } },
    },
    async (req) => presentPolicy(await services.retention.policy(userOf(req))),
  );

  app.put(
    '/v1/admin/retention',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Set the retention policy',
        description:
          'Raw data (events, batches, share links) and analyses are deleted this many days after their session ended, unless a legal hold covers the session, an attempt in it, its owner or its student. A tombstone and an audit entry record each deletion. ' +
          'The audit trail is kept unless auditDays is set (at least rawDays and analysisDays, else 400 retention-policy-invalid): then its entries go that many days after they were written, oldest first, stopping at the first entry about a subject under a legal hold; the chain still verifies from the last entry deleted, and an audit.purge entry records each cut.',
        body: RetentionPolicyBody,
        response: { 200: RetentionPolicyView, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => presentPolicy(await services.retention.setPolicy({ actor: userOf(req), context: contextOf(req) }, req.body)),
  );

  app.get(
    '/v1/admin/legal-holds',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['admin'],
        summary: 'The legal holds',
        querystring: LegalHoldQuery,
        response: { 200: LegalHoldList, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => ({ items: (await services.retention.holds(userOf(req), req.query.active ?? true)).map(presentHold) }),
  );

  app.post(
    '/v1/admin/legal-holds',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Place a legal hold on a session, an attempt or a person',
        description: 'Nothing the hold covers is deleted by retention until it is lifted.',
        body: LegalHoldBody,
        response: { 201: LegalHoldView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(presentHold(await services.retention.placeHold({ actor: userOf(req), context: contextOf(req) }, req.body))),
  );

  app.post(
    '/v1/admin/users/:userId/erasure',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Erase a person on request',
        description:
          'Deletes their sessions (events, analyses, flags, share links), attempts, class memberships and answers, and keeps only the id of their user row, so the audit trail names no one. Refused with 409 while a legal hold covers them or their data (legal-hold), or while they teach classes or own exams (person-owns-resources). Audited.',
        params: ErasureParams,
        response: { 200: ErasureView, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) => services.retention.erasePerson({ actor: userOf(req), context: contextOf(req) }, req.params.userId),
  );

  app.post(
    '/v1/admin/legal-holds/:holdId/lift',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Lift a legal hold',
        description: 'Idempotent: lifting a lifted hold answers it as it is.',
        params: LegalHoldParams,
        response: { 200: LegalHoldView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentHold(await services.retention.liftHold({ actor: userOf(req), context: contextOf(req) }, req.params.holdId)),
  );
};
