import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { ApiKeyCreate, ApiKeyList, ApiKeyParams, CreatedApiKey } from './api-keys.schemas';
import { presentApiKey } from './api-keys.presenter';

/** The tenant's API keys for partner platforms: create (shown once), list, revoke. */
export const apiKeysRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.post(
    '/v1/admin/api-keys',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Create an API key',
        description: 'The answer holds the key itself, once: it is stored only as its SHA-256 and cannot be shown again.',
        body: ApiKeyCreate,
        response: { 201: CreatedApiKey, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req, reply) => {
      const { row, key } = await services.apiKeys.create({ actor: userOf(req), context: contextOf(req) }, req.body);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...presentApiKey(row), key });
    },
  );

  app.get(
    '/v1/admin/api-keys',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['admin'],
        summary: "List the tenant's API keys",
        description: 'Newest first, revoked ones included.',
        response: { 200: ApiKeyList, ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => ({ items: (await services.apiKeys.list(userOf(req))).map(presentApiKey) }),
  );

  app.delete(
    '/v1/admin/api-keys/:keyId',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key',
        description: 'At once: the next request with it answers 401. Idempotent.',
        params: ApiKeyParams,
        response: { 204: Type.Null({ description: 'Revoked' }), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await services.apiKeys.revoke({ actor: userOf(req), context: contextOf(req) }, req.params.keyId);
      return reply.code(204).send(null);
    },
  );
};
