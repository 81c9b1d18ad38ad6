import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { auditedRead, baseUrl } from '../sessions';

const NotYet = Type.Object(
  { status: Type.Union([Type.Literal('pending'), Type.Literal('running')]), detail: Type.String() },
  { description: 'Not yet: the analysis is pending or running' },
);
const Failed = Type.Object({ status: Type.Literal('failed'), error: Type.String() }, { description: 'The analysis failed on every retry' });

/** A session's PDF report (ADR 0026): read by whoever reads its process report, the student as their teacher. */
export const reportsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  app.get(
    '/v1/sessions/:id/report.pdf',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['analysis'],
        summary: 'Download the PDF report of a session',
        description:
          'The chronology with a timeline chart, the process metrics in plain words, the flags with their evidence and review outcome, and the certificate ' +
          'with a link and QR code to `/verify`. The certificate (compact JWS) and the chain head are attached to the PDF (`certificate.jws`, `chain.json`) ' +
          'and in its document information (`VeritasCertificate`, `VeritasChainHead`). Whoever may read the session reads the same report. ' +
          '**202** while the analysis is pending or running (poll after `Retry-After`); a failed analysis answers 200 with `failed` as JSON.',
        params: SessionParams,
        response: {
          200: {
            description: 'The PDF (application/pdf), or `failed` (application/json)',
            content: {
              'application/pdf': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) },
              'application/json': { schema: Failed },
            },
          },
          202: { description: 'Not yet', content: { 'application/json': { schema: NotYet } } },
          ...problemResponses(400, 401, 404, 503),
        },
      },
      preHandler: auditedRead(services.audit, 'session.report.read', () => ({ format: 'pdf' })),
    },
    async (req, reply) => {
      // Stored once per content (ADR 0030): rendered again only when what it shows changed.
      const scope = scopeOf(req);
      const verify = `${baseUrl(req, config.publicUrl)}/verify`;
      const r = await services.downloads.reportFile(scope, req.params.id, verify);
      switch (r.status) {
        case 'done': {
          const blob = await services.downloads.open(r.file, async () => {
            const again = await services.downloads.reportFile(scope, req.params.id, verify);
            if (again.status !== 'done') throw new Error('the report went back to not ready');
            return again.file;
          });
          return reply
            .type('application/pdf')
            .header('content-length', String(blob.size))
            .header('content-disposition', `attachment; filename="${r.file.fileName}"`)
            .header('cache-control', 'private, no-store')
            .send(blob.body as never);
        }
        case 'failed':
          return reply.type('application/json').send(r);
        default:
          return reply.code(202).header('retry-after', '1').type('application/json').send(r);
      }
    },
  );
};
