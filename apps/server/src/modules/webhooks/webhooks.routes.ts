import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import {
  DeliveriesQuery,
  DeliveryPage,
  DeliveryParams,
  DeliveryView,
  EndpointCreate,
  EndpointList,
  EndpointParams,
  EndpointUpdate,
  EndpointView,
  EndpointWithSecret,
  RotateBody,
} from './webhooks.schemas';
import { presentDelivery, presentEndpoint } from './webhooks.presenter';
import { DEFAULT_OVERLAP_S } from './webhooks.service';

const ACCESS = { access: 'webhooks:manage' } as const;
const TAGS = ['admin'];

/** The tenant's webhook endpoints (ADR 0023): create, change, rotate the secret, delete; the delivery log and redelivery. */
export const webhooksRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const caller = (req: Parameters<typeof userOf>[0]) => ({ actor: userOf(req), context: contextOf(req) });

  app.post(
    '/v1/admin/webhooks',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Create a webhook endpoint',
        description: 'The answer holds the signing secret, once. Messages follow the Standard Webhooks specification.',
        body: EndpointCreate,
        response: { 201: EndpointWithSecret, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (req, reply) => {
      const { row, secret } = await services.webhooks.create(caller(req), req.body);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...presentEndpoint(row), secret });
    },
  );

  app.get(
    '/v1/admin/webhooks',
    {
      config: ACCESS,
      schema: { tags: TAGS, summary: "List the tenant's webhook endpoints", response: { 200: EndpointList, ...problemResponses(401, 403, 503) } },
    },
    async (req) => ({ items: (await services.webhooks.list(userOf(req))).map((e) => presentEndpoint(e)) }),
  );

  app.get(
    '/v1/admin/webhooks/:endpointId',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Read a webhook endpoint',
        params: EndpointParams,
        response: { 200: EndpointView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentEndpoint(await services.webhooks.get(userOf(req), req.params.endpointId)),
  );

  app.patch(
    '/v1/admin/webhooks/:endpointId',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Change a webhook endpoint',
        description: 'URL, description, events; `enabled: true` enables again an endpoint disabled after failing.',
        params: EndpointParams,
        body: EndpointUpdate,
        response: { 200: EndpointView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentEndpoint(await services.webhooks.update(caller(req), req.params.endpointId, req.body)),
  );

  app.delete(
    '/v1/admin/webhooks/:endpointId',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Delete a webhook endpoint',
        description: 'With its delivery log; messages not yet delivered are dropped.',
        params: EndpointParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await services.webhooks.remove(caller(req), req.params.endpointId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/admin/webhooks/:endpointId/rotate-secret',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: "Rotate a webhook endpoint's secret",
        description: 'The new secret is shown once; the old one keeps signing beside it for `overlapSeconds` (default a day).',
        params: EndpointParams,
        body: RotateBody,
        response: { 200: EndpointWithSecret, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const { row, secret } = await services.webhooks.rotate(caller(req), req.params.endpointId, req.body.overlapSeconds ?? DEFAULT_OVERLAP_S);
      return reply.header('cache-control', 'no-store').send({ ...presentEndpoint(row), secret });
    },
  );

  app.get(
    '/v1/admin/webhooks/:endpointId/deliveries',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: "A webhook endpoint's delivery log",
        description: 'Messages newest first, each with its attempts (status, latency, an excerpt of the answer).',
        params: EndpointParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => {
      const page = await services.webhooks.deliveries(userOf(req), req.params.endpointId, req.query.limit ?? 25, req.query.cursor);
      return { items: page.items.map((i) => presentDelivery(i.delivery, i.attempts)), next: page.next };
    },
  );

  app.post(
    '/v1/admin/webhooks/:endpointId/deliveries/:deliveryId/redeliver',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Send a message again',
        description: 'Queued at once, with the same id (webhook-id) and body, whatever its state; a new retry schedule starts.',
        params: DeliveryParams,
        response: { 202: DeliveryView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const row = await services.webhooks.redeliver(caller(req), req.params.endpointId, req.params.deliveryId);
      return reply.code(202).send(presentDelivery(row, []));
    },
  );
};
