import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';

const ClassParams = Type.Object({ classId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' }) });
const RosterSyncAccepted = Type.Object({
  jobId: Type.String({ description: 'The sync job (its outcome, with counts, is audited as `lti.roster-sync`)' }),
  classId: Type.String(),
});

/** LTI Advantage (ADR 0028, amendment "Grades and rosters"): a course roster synced into its class on request. */
export const ltiServicesRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.post(
    '/v1/classes/:classId/lti-roster-sync',
    {
      // The class's teacher or an admin of its institution (another teacher's class answers 404, decided by the service).
      config: { access: 'classes:manage' },
      schema: {
        tags: ['lti'],
        summary: 'Sync a class’s roster from its LMS course now (Names and Role Provisioning Services)',
        description:
          'For a class made from an LMS course whose launches named a roster service: a job reads every page of the course’s membership, ' +
          'makes or matches each Active member’s account (no password; the role their LMS roles map to), adds learners to the class and ' +
          'removes Inactive, Deleted and no longer listed ones (a sync run twice changes nothing more). The request and the ' +
          'outcome (with counts: members, created, matched, added, removed, skipped) are audited. Another class: 409 lti-roster-unavailable.',
        params: ClassParams,
        response: { 202: RosterSyncAccepted, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => reply.code(202).send(await services.lti.advantage.nrps.request(userOf(req), req.params.classId, contextOf(req))),
  );
};
