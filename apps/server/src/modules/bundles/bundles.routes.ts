import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Bundle } from '@veritas/schema';
import { problemResponses, scopeOf, SessionView } from '../../http/route-kit';
import { baseUrl, callerOf, ownerOf, presentSession } from '../sessions';
import type { RouteDeps } from '../../http/route-deps';

/** What the upload could say about the bundle's MACs (docs/adr/0009-what-the-mac-proves.md). */
const MacCheck = Type.Object(
  {
    checked: Type.Boolean({ description: "True when every batch's MAC was checked against the session's write key (a session this server recorded live)" }),
    batchesWithMac: Type.Integer({ description: 'Batches of the bundle that carry a MAC' }),
    detail: Type.String({ description: 'What was checked, or why the MACs could not be' }),
  },
  { description: 'The server checks MACs only when it knows the key; otherwise `veritas verify --key` can, offline' },
);
const UploadAnswer = Type.Composite([SessionView, Type.Object({ macs: MacCheck })]);

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
        description:
          'Stores it as an ended session under its own id: uploaded by a signed-in person or an API key, it belongs to them and to their institution; anonymous when the server allows public sessions. ' +
          'Uploading the same bundle again (the same uploader) answers 200 with the stored session. ' +
          "MACs are checked when this server holds the session's write key (a session it recorded live); `macs` in the answer says what was checked.",
        body: Bundle,
        response: { 200: UploadAnswer, 201: UploadAnswer, ...problemResponses(400, 403, 409, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const owner = ownerOf(req.actor);
      const { session, created, macs } = await services.bundles.import(scopeOf(req), req.body, { ...(owner ? { owner } : {}), by: callerOf(req) });
      return reply.code(created ? 201 : 200).send({ ...presentSession(session, baseUrl(req, config.publicUrl)), macs });
    },
  );
};
