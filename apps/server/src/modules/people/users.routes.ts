import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { ObserverParams, UserListQuery, UserPage, UserParams, UserPatch, UserView } from './people.schemas';
import { presentUser, presentUserDetail } from './people.presenter';

/** The tenant's people, for its admins (and, for their students, its teachers); observers attached to teachers. */
export const usersRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const users = services.people.users;

  app.get(
    '/v1/admin/users',
    {
      config: { access: 'users:read' },
      schema: {
        tags: ['admin'],
        summary: "List the tenant's people",
        description: 'By display name, a page at a time. An admin sees everyone of the tenant; a teacher only its students.',
        querystring: UserListQuery,
        response: { 200: UserPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const { role, status, q, cursor, limit } = req.query;
      const page = await users.list(userOf(req), {
        limit,
        ...(role ? { role } : {}),
        ...(status ? { status } : {}),
        ...(q ? { q } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return { items: page.items.map((u) => presentUser(u)), next: page.next };
    },
  );

  app.get(
    '/v1/admin/users/:userId',
    {
      config: { access: 'users:read' },
      schema: {
        tags: ['admin'],
        summary: 'Read a person',
        description: "An observer's answer lists the teachers they are attached to.",
        params: UserParams,
        response: { 200: UserView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentUserDetail(await users.get(userOf(req), req.params.userId)),
  );

  app.patch(
    '/v1/admin/users/:userId',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: "Change a person's role, status or profile",
        description:
          'A student has an enrollment id, a teacher a department; a role change drops what the old role had (its profile field, class memberships, observer links). ' +
          "A teacher who still has classes keeps the role (409), and so does the tenant's last active admin.",
        params: UserParams,
        body: UserPatch,
        response: { 200: UserView, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) => presentUserDetail(await users.update({ actor: userOf(req), context: contextOf(req) }, req.params.userId, req.body)),
  );

  app.put(
    '/v1/admin/users/:observerId/teachers/:teacherId',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Attach an observer to a teacher',
        description: 'The observer then reads what the teacher reads. Idempotent.',
        params: ObserverParams,
        response: { 204: Type.Null({ description: 'Attached' }), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await users.linkObserver({ actor: userOf(req), context: contextOf(req) }, req.params.observerId, req.params.teacherId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/admin/users/:observerId/teachers/:teacherId',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Detach an observer from a teacher',
        params: ObserverParams,
        response: { 204: Type.Null({ description: 'Detached' }), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await users.unlinkObserver({ actor: userOf(req), context: contextOf(req) }, req.params.observerId, req.params.teacherId);
      return reply.code(204).send(null);
    },
  );
};
