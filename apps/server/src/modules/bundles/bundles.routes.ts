import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Bundle } from '@veritas/schema';
import { problemResponses, scopeOf, SessionView } from '../../http/route-kit';
import { baseUrl, presentSession } from '../sessions';
import type { RouteDeps } from '../../http/route-deps';

/** Upload a bundle recorded offline (client-only mode). Verified, chain and all, before anything is stored. */
export const bundlesRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  app.post(
    '/v1/bundles',
    {
      bodyLimit: config.bodyLimit.bundle,
      config: { access: 'public', rateLimit: { max: config.rateLimit.anonymousPerMinute, timeWindow: 60_000 } },
      // The bundle is checked by parseBundle in the service, which names the first wrong path and
      // checks the chain; the schema stays here for the OpenAPI document.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['bundles'],
        summary: 'Upload a v1 bundle',
        description: 'Stores it as an ended session under its own id. Uploading the same bundle again answers 200 with the stored session.',
        body: Bundle,
        response: { 200: SessionView, 201: SessionView, ...problemResponses(400, 403, 409, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const { session, created } = await services.bundles.import(scopeOf(req), req.body);
      return reply.code(created ? 201 : 200).send(presentSession(session, baseUrl(req, config.publicUrl)));
    },
  );
};
