import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { auditedRead, baseUrl, callerOf } from '../sessions';
import { DOWNLOAD_FORMATS } from './downloads.service';

const Format = Type.Union(
  DOWNLOAD_FORMATS.map((f) => Type.Literal(f)),
  { description: 'bundle (v1 bundle JSON), json or csv (the raw data), idfx (Inputlog XML, writing sessions), report (the PDF)' },
);
const DownloadLinkView = Type.Object({
  url: Type.String({ description: 'Where the file is downloaded from, without credentials, until expiresAt' }),
  expiresAt: Type.String({ format: 'date-time' }),
  format: Format,
  fileName: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ minimum: 0, description: 'Bytes' }),
  direct: Type.Boolean({ description: 'True: a presigned link to the object store (S3); false: a signed link to this server' }),
});
/** A grant is a compact JWS of a few hundred characters; far longer is not one. */
const GRANT_MAX = 4096;

/** Expiring links to a session's stored bundle, exports and report (ADR 0030). */
export const downloadsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  app.post(
    '/v1/sessions/:id/download-links',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'An expiring link to a stored export or report of a session',
        description:
          'Made and stored the first time (the blob store: a folder, or an S3-compatible bucket), then served from there: a large session is not rebuilt for each download. ' +
          'With S3 the link is presigned by the bucket; otherwise it is a signed link to `GET /v1/downloads`. It opens only this file, for anyone holding it, until `expiresAt` ' +
          '(VERITAS_DOWNLOAD_LINK_TTL_S, at most 15 minutes). Whoever may read the session may make one; audited as `session.download.link`. ' +
          '409 session-not-ended while the session is active, report-not-ready while its analysis runs.',
        params: SessionParams,
        body: Type.Object({ format: Format }, { additionalProperties: false }),
        response: { 201: DownloadLinkView, ...problemResponses(400, 401, 404, 409, 413, 503) },
      },
      preHandler: auditedRead(services.audit, 'session.download.link', (req) => ({ format: (req.body as { format: string }).format })),
    },
    async (req, reply) => {
      const base = baseUrl(req, config.publicUrl);
      const link = await services.downloads.link(callerOf(req), scopeOf(req), req.params.id, req.body.format, { base, verify: `${base}/verify` });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...link, expiresAt: link.expiresAt.toISOString() });
    },
  );

  app.get(
    '/v1/downloads',
    {
      config: { access: 'anyone', rateLimit: { max: config.rateLimit.anonymousPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['sessions'],
        summary: 'Download a stored file through a signed link',
        description:
          'The link `POST /v1/sessions/{id}/download-links` gives when the files are on this server. The grant is the credential: it names one file of one session of one institution ' +
          'and expires. 410 link-invalid when it has expired, was not made here, or its file is gone (deleted with its session or by retention). Audited as `session.download`.',
        querystring: Type.Object({ grant: Type.String({ minLength: 5, maxLength: GRANT_MAX, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }) }),
        produces: ['application/octet-stream'],
        response: {
          200: { description: 'The file', content: { 'application/octet-stream': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          ...problemResponses(400, 410, 429, 503),
        },
      },
    },
    async (req, reply) => {
      const { blob, fileName } = await services.downloads.redeem(req.query.grant, contextOf(req));
      return reply
        .type(blob.contentType)
        .header('content-length', String(blob.size))
        .header('content-disposition', `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`)
        .header('cache-control', 'private, no-store')
        .header('referrer-policy', 'no-referrer')
        .send(blob.body as never);
    },
  );
};
