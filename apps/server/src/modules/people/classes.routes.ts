import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf, IdempotencyHeaders } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { ClassCreate, ClassDetailView, ClassListQuery, ClassPage, ClassParams, ClassPatch, MemberParams } from './people.schemas';
import { presentClass, presentClassDetail } from './people.presenter';

/** Classes: a teacher's roster of students. A class another teacher owns, or another tenant's, answers as unknown. */
export const classesRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const classes = services.people.classes;
  const noContent = (description: string) => Type.Null({ description });

  app.get(
    '/v1/classes',
    {
      config: { access: 'classes:read' },
      schema: {
        tags: ['classes'],
        summary: 'List classes',
        description:
          "By name, a page at a time: an admin's are all the tenant's, a teacher's their own, an observer's those of the teachers they are attached to.",
        querystring: ClassListQuery,
        response: { 200: ClassPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const { teacherId, cursor, limit } = req.query;
      const page = await classes.list(userOf(req), { limit, ...(teacherId ? { teacherId } : {}), ...(cursor ? { cursor } : {}) });
      return { items: page.items.map(presentClass), next: page.next };
    },
  );

  app.post(
    '/v1/classes',
    {
      config: { idempotent: true, access: 'classes:manage' },
      schema: {
        tags: ['classes'],
        summary: 'Create a class',
        description: 'A teacher creates their own classes; an admin names the teacher.',
        body: ClassCreate,
        headers: IdempotencyHeaders,
        response: { 201: ClassDetailView, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(presentClassDetail(await classes.create({ actor: userOf(req), context: contextOf(req) }, req.body))),
  );

  app.get(
    '/v1/classes/:classId',
    {
      config: { access: 'classes:read' },
      schema: {
        tags: ['classes'],
        summary: 'Read a class with its students',
        params: ClassParams,
        response: { 200: ClassDetailView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentClassDetail(await classes.get(userOf(req), req.params.classId)),
  );

  app.patch(
    '/v1/classes/:classId',
    {
      config: { access: 'classes:manage' },
      schema: {
        tags: ['classes'],
        summary: 'Rename a class, or give it to another teacher (an admin)',
        params: ClassParams,
        body: ClassPatch,
        response: { 200: ClassDetailView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentClassDetail(await classes.update({ actor: userOf(req), context: contextOf(req) }, req.params.classId, req.body)),
  );

  app.delete(
    '/v1/classes/:classId',
    {
      config: { access: 'classes:manage' },
      schema: {
        tags: ['classes'],
        summary: 'Delete a class',
        description: 'Its memberships go with it; the students stay.',
        params: ClassParams,
        response: { 204: noContent('Deleted'), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await classes.remove({ actor: userOf(req), context: contextOf(req) }, req.params.classId);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/v1/classes/:classId/members/:userId',
    {
      config: { access: 'classes:manage' },
      schema: {
        tags: ['classes'],
        summary: 'Add a student to a class',
        description: 'Only a student of the tenant. Idempotent.',
        params: MemberParams,
        response: { 204: noContent('A member'), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await classes.addMember({ actor: userOf(req), context: contextOf(req) }, req.params.classId, req.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/classes/:classId/members/:userId',
    {
      config: { access: 'classes:manage' },
      schema: {
        tags: ['classes'],
        summary: 'Remove a student from a class',
        params: MemberParams,
        response: { 204: noContent('Removed'), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await classes.removeMember({ actor: userOf(req), context: contextOf(req) }, req.params.classId, req.params.userId);
      return reply.code(204).send(null);
    },
  );
};
