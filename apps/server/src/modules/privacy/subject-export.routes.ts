import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { DownloadQuery, ExportParams, SubjectExportCreated, SubjectExportView, SubjectParams } from './subject-export.schemas';
import { presentExport } from './subject-export.presenter';

const created = (row: Parameters<typeof presentExport>[0], token: string) => {
  const view = presentExport(row);
  return { ...view, token, downloadUrl: `${view.links.download}?token=${token}` };
};

/** Subject-access exports (ADR 0029): asked by an admin for a person or by a person for themselves; built by a job. */
export const subjectExportRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.post(
    '/v1/admin/users/:userId/subject-export',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['privacy'],
        summary: 'Export everything held about a person (subject access)',
        description:
          'Queues a job that writes one zip archive: profile, memberships, attempts, sessions with their bundles (events and batches), analyses, alerts, flags with their decisions and the reviewers’ notes, answers and appeals, consents, share links and the audit entries about them. Nothing of another person. The answer carries the download token once. Audited.',
        params: SubjectParams,
        response: { 202: SubjectExportCreated, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const { row, token } = await services.subjectExports.request({ actor: userOf(req), context: contextOf(req) }, req.params.userId, 'admin');
      return reply.code(202).send(created(row, token));
    },
  );

  app.post(
    '/v1/me/subject-export',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: 'Export everything held about me',
        description:
          'As an admin’s export of the person, with the review decisions as the person sees them (the notes meant for them, not the reviewers’ own). Audited.',
        response: { 202: SubjectExportCreated, ...problemResponses(400, 401, 503) },
      },
    },
    async (req, reply) => {
      const actor = userOf(req);
      const { row, token } = await services.subjectExports.request({ actor, context: contextOf(req) }, actor.userId, 'self');
      return reply.code(202).send(created(row, token));
    },
  );

  app.get(
    '/v1/subject-exports/:exportId',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: 'An export’s progress',
        description: 'For its requester and the institution’s admins; anyone else gets 404.',
        params: ExportParams,
        response: { 200: SubjectExportView, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req) => presentExport(await services.subjectExports.status(userOf(req), req.params.exportId)),
  );

  app.get(
    '/v1/subject-exports/:exportId/archive',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: 'Download the archive',
        description:
          'Needs the requester’s (or an admin’s) sign-in and the token the request answered. A wrong token is 403 export-token-invalid, an expired link 410 link-invalid, an archive still being built 409 export-not-ready. Audited on every download.',
        params: ExportParams,
        querystring: DownloadQuery,
        response: {
          200: { description: 'the zip archive', content: { 'application/zip': { schema: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }) } } },
          ...problemResponses(400, 401, 403, 404, 409, 410, 503),
        },
      },
    },
    async (req, reply) => {
      const { row, body } = await services.subjectExports.download({ actor: userOf(req), context: contextOf(req) }, req.params.exportId, req.query.token);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="subject-access-${row.id}.zip"`)
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
};
