import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { presentMe } from './auth.presenter';
import { Me, MePatch } from './auth.schemas';
import { createLoginThrottle } from './login-throttle';
import { withRetryAfter } from './sign-in.answer';

/** The signed-in person's own profile: any role, and only their own. */
export const meRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { services } = deps;
  const throttle = createLoginThrottle(deps.rateLimiter);

  app.get(
    '/v1/me',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I',
        description: 'The signed-in person: name, role, institution, enrollment id (students) or department (teachers), and how they signed in.',
        response: { 200: Me, ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => presentMe(await services.auth.me(userOf(req))),
  );

  app.patch(
    '/v1/me',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['auth'],
        summary: 'Change my name or password',
        description:
          'A new password needs `currentPassword` (403 wrong-password otherwise, throttled like sign-in) and must meet the policy (400 weak-password); ' +
          'it ends every other sign-in of this person. Audited.',
        body: MePatch,
        response: { 200: Me, ...problemResponses(400, 401, 403, 429, 503) },
      },
    },
    async (req, reply) => {
      const profile = await services.auth.updateMe(userOf(req), req.body, contextOf(req), throttle).catch((err) => withRetryAfter(reply, err));
      return presentMe(profile);
    },
  );
};
