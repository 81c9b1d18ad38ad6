import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contextOf, linkBase, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { setSignInCookies } from '../auth';
import { JWKS_PATH, LAUNCH_PATH, presentRegistration, presentTool } from './lti.presenter';
import { Jwks, LaunchBody, LoginParamsSchema, LtiSettingsView, RegistrationBody, RegistrationParams, RegistrationView } from './lti.schemas';

const Redirect = (description: string) => Type.Null({ description });
const FORM = 'application/x-www-form-urlencoded';

/** LTI 1.3: an administrator's registrations of their LMS, Veritas's keys, the login initiation and the launch. */
export const ltiRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const { registrations, launches, toolKeys } = services.lti;
  const base = (req: FastifyRequest) => linkBase(req, config.publicUrl);
  // Each login initiation stores a state: anonymous callers are limited like the other anonymous writes.
  const rateLimit = { max: config.rateLimit.anonymousPerMinute, timeWindow: 60_000 };
  // The LMS posts forms (the login initiation may, the launch does): parsed here only, for these routes.
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 96 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const admin = { config: { access: 'tenant:manage' as const } };
  app.get(
    '/v1/admin/lti',
    {
      ...admin,
      schema: {
        tags: ['lti'],
        summary: 'My institution’s LMS registrations (LTI 1.3) and the URLs to paste into the LMS',
        response: { 200: LtiSettingsView, ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => ({ tool: presentTool(base(req)), registrations: (await registrations.list(userOf(req))).map((r) => presentRegistration(r, base(req))) }),
  );

  app.post(
    '/v1/admin/lti/registrations',
    {
      ...admin,
      schema: {
        tags: ['lti'],
        summary: 'Register an LMS platform',
        description: 'URLs are https (plain http only on localhost). At most 20 per institution; one per issuer and client id. Audited.',
        body: RegistrationBody,
        response: { 201: RegistrationView, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(presentRegistration(await registrations.create(userOf(req), req.body, contextOf(req)), base(req))),
  );

  app.get(
    '/v1/admin/lti/registrations/:registrationId',
    {
      ...admin,
      schema: {
        tags: ['lti'],
        summary: 'One LMS registration',
        params: RegistrationParams,
        response: { 200: RegistrationView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentRegistration(await registrations.get(userOf(req), req.params.registrationId), base(req)),
  );

  app.put(
    '/v1/admin/lti/registrations/:registrationId',
    {
      ...admin,
      schema: {
        tags: ['lti'],
        summary: 'Change an LMS registration',
        description: 'The whole registration, as when created. Audited.',
        params: RegistrationParams,
        body: RegistrationBody,
        response: { 200: RegistrationView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentRegistration(await registrations.update(userOf(req), req.params.registrationId, req.body, contextOf(req)), base(req)),
  );

  app.delete(
    '/v1/admin/lti/registrations/:registrationId',
    {
      ...admin,
      schema: {
        tags: ['lti'],
        summary: 'Remove an LMS registration',
        description: 'Its launches stop working; the accounts and classes it made stay. Audited.',
        params: RegistrationParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await registrations.remove(userOf(req), req.params.registrationId, contextOf(req));
      return reply.code(204).send(null);
    },
  );

  app.get(
    JWKS_PATH,
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['lti'],
        summary: 'Veritas’s public keys as an LTI tool (JWKS)',
        description: 'RS256 keys that sign Veritas’s client assertions; paste this URL into the LMS.',
        response: { 200: Jwks, ...problemResponses(503) },
      },
    },
    async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(await toolKeys.jwks()),
  );

  const loginSchema = {
    tags: ['lti'],
    summary: 'OIDC third-party login initiation (the LMS calls it to start a launch)',
    description:
      'Checks the issuer, client id and deployment against the registration, keeps a state and a nonce (single use, 10 minutes) and ' +
      'redirects the browser to the platform’s auth endpoint. Unknown registration: 404 lti-not-registered; another issuer, client or ' +
      'deployment: 400 lti-launch-refused.',
    params: RegistrationParams,
    response: { 302: Redirect('To the platform’s auth endpoint'), ...problemResponses(400, 404, 415, 429, 503) },
  };
  const login = async (req: FastifyRequest, reply: FastifyReply, registrationId: string, params: typeof LoginParamsSchema.static) => {
    const location = await launches.login(registrationId, params, `${base(req)}${LAUNCH_PATH}`);
    return reply.header('cache-control', 'no-store').redirect(location, 302);
  };
  // No automatic HEAD twin: a HEAD would store a login in flight.
  app.get(
    '/v1/lti/:registrationId/login',
    { exposeHeadRoute: false, config: { access: 'anyone', rateLimit }, schema: { ...loginSchema, querystring: LoginParamsSchema } },
    async (req, reply) => login(req, reply, req.params.registrationId, req.query),
  );
  app.post(
    '/v1/lti/:registrationId/login',
    { config: { access: 'anyone', rateLimit }, schema: { ...loginSchema, body: LoginParamsSchema } },
    async (req, reply) => login(req, reply, req.params.registrationId, req.body),
  );

  app.post(
    LAUNCH_PATH,
    {
      config: { access: 'anyone', rateLimit },
      schema: {
        tags: ['lti'],
        summary: 'The launch: the platform posts the id token here (form_post)',
        description:
          'Takes the login its `state` names (once; 10 minutes; else 400 lti-state-invalid), verifies the id token against the platform’s JWKS ' +
          '(RS256 only) and its claims (iss, aud, azp, exp, nonce, deployment, message type, version 1.3.0), else 400 lti-launch-refused with ' +
          'the `reason`. The person is found or made (Learner → student, Instructor → teacher, Administrator → admin), the course becomes a ' +
          'class, the person is signed in (cookies SameSite=None; Secure; Partitioned, for the LMS frame) and sent to the exam (a student) ' +
          'or its dashboard (a teacher), with `?lti=<registration>` so that page may be framed by the LMS.',
        body: LaunchBody,
        response: { 303: Redirect('To the exam or its dashboard, signed in'), ...problemResponses(400, 403, 404, 415, 429, 502, 503) },
      },
    },
    async (req, reply) => {
      const { signedIn, location } = await launches.launch(req.body, contextOf(req));
      setSignInCookies(reply, signedIn, { secure: true });
      return reply.header('cache-control', 'no-store').redirect(location, 303);
    },
  );
};
