import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Text } from '@veritas/schema';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { callerOf } from '../sessions';
import { CertificateView, presentCertificate } from './certificates.presenter';

/**
 * Certificates (ADR 0016): a session's signed statement, read by whoever reads its report, revoked by
 * an admin of its tenant; the revocation list is public.
 */
export const certificatesRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/sessions/:id/certificate',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['certificates'],
        summary: "Read a session's certificate",
        description:
          'The newest certificate of the session: issued when the session has ended and its analysis is done, one per analysis version. ' +
          'Check it offline with `veritas verify bundle.json --certificate cert.jws --jwks jwks.json`. **202** `pending` until then (poll after `Retry-After`).',
        params: SessionParams,
        response: {
          200: CertificateView,
          202: Type.Object({ state: Type.Literal('pending'), detail: Type.String() }, { description: 'Not yet issued' }),
          ...problemResponses(400, 401, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const row = await services.certificates.current(scopeOf(req), req.params.id);
      if (row) return presentCertificate(row);
      return reply
        .code(202)
        .header('retry-after', '2')
        .send({ state: 'pending' as const, detail: 'a certificate is issued when the session has ended and its analysis is done' });
    },
  );

  app.post(
    '/v1/sessions/:id/certificate/revoke',
    {
      config: { access: ['reader', 'certificates:revoke'] },
      schema: {
        tags: ['certificates'],
        summary: "Revoke a session's certificates",
        description:
          'Every certificate of the session is listed as revoked from now on (GET /v1/certificates/revoked), with the reason kept and audited. Revoking again answers the same.',
        params: SessionParams,
        body: Type.Object(
          { reason: Text({ minLength: 1, maxLength: 500, description: 'Why: kept with the certificate and in the audit' }) },
          { additionalProperties: false },
        ),
        response: { 200: CertificateView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentCertificate(await services.certificates.revoke(scopeOf(req), req.params.id, req.body.reason, callerOf(req))),
  );

  app.get(
    '/v1/certificates/revoked',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['certificates'],
        summary: 'The revocation list of certificates',
        description:
          'Revoked certificate ids (their `jti`) in the order they were revoked, a page at a time; save it and give it to `veritas verify --revoked`.',
        querystring: Type.Object(
          {
            after: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The `next` of the page before' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ id: Type.String(), revokedAt: Type.String({ format: 'date-time' }) })),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses(400, 503),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return services.certificates.revoked({ ...(req.query.after ? { after: req.query.after } : {}), limit: req.query.limit ?? 1000 });
    },
  );
};
