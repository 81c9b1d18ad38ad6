import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, linkBase, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { presentInvitation, presentLink } from './auth.presenter';
import {
  AcceptBody,
  Invitation,
  InvitationBody,
  InvitationParams,
  IssuedInvitation,
  IssuedReset,
  LinkParams,
  LinkView,
  SignInAnswer,
  UserParams,
} from './auth.schemas';
import { signInAnswer } from './sign-in.answer';

const NO_MAIL = 'This server sends no email: pass the link on to the person yourself. It works once and is shown only now.';

/** One-time links: admins invite people and issue password resets; whoever holds a link opens and uses it. */
export const linksRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { services, config } = deps;
  const links = services.auth.links;

  app.post(
    '/v1/admin/invitations',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['auth'],
        summary: 'Invite a person into my institution with a role',
        description: `Returns a one-time link, valid 7 days; a newer invitation for the same address replaces an open one. ${NO_MAIL}`,
        body: InvitationBody,
        response: { 201: IssuedInvitation, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (req, reply) => {
      const admin = userOf(req);
      const { link, url } = await links.invite(admin, admin.tenantId, req.body, linkBase(req, config.publicUrl), contextOf(req));
      const { createdAt: _c, createdBy: _b, ...view } = presentInvitation(link);
      return reply.code(201).send({ ...view, link: url, note: NO_MAIL });
    },
  );

  app.get(
    '/v1/admin/invitations',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['auth'],
        summary: 'Open invitations of my institution',
        description: 'Not yet accepted, revoked or expired; newest first. The links themselves are never shown again.',
        response: { 200: Type.Object({ items: Type.Array(Invitation) }), ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => ({ items: (await links.listInvitations(userOf(req).tenantId)).map(presentInvitation) }),
  );

  app.delete(
    '/v1/admin/invitations/:invitationId',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke an invitation',
        description: 'Its link stops working at once. An accepted invitation answers 409; another institution’s, 404.',
        params: InvitationParams,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => {
      await links.revokeInvitation(userOf(req), req.params.invitationId, contextOf(req));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/admin/users/:userId/password-reset',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['auth'],
        summary: 'Make a password-reset link for a person of my institution',
        description: `Valid one hour; using it sets a new password and ends every sign-in of that person. A disabled account answers 409. ${NO_MAIL}`,
        params: UserParams,
        response: { 201: IssuedReset, ...problemResponses(401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => {
      const { link, url } = await links.passwordReset(userOf(req), req.params.userId, linkBase(req, config.publicUrl), contextOf(req));
      return reply.code(201).send({ link: url, expiresAt: link.expires_at.toISOString(), note: NO_MAIL });
    },
  );

  app.get(
    '/v1/auth/links/:token',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['auth'],
        summary: 'What a one-time link is for',
        description: 'An invitation or a password reset, for which address and institution. 410 link-invalid once it is used, revoked or expired.',
        params: LinkParams,
        response: { 200: LinkView, ...problemResponses(400, 410, 503) },
      },
    },
    async (req) => {
      const { link, tenant } = await links.open(req.params.token);
      return presentLink(link, tenant);
    },
  );

  app.post(
    '/v1/auth/links/:token',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['auth'],
        summary: 'Use a one-time link: set a password and sign in',
        description:
          'An invitation creates the account (409 conflict when the address already has one); a password reset sets the new password and ends every other sign-in. ' +
          'The link is then spent (410 link-invalid afterwards). Answers as sign-in does.',
        params: LinkParams,
        body: AcceptBody,
        response: { 200: SignInAnswer, ...problemResponses(400, 409, 410, 503) },
      },
    },
    async (req, reply) => {
      const { password, displayName, tokenDelivery = 'cookie' } = req.body;
      const signedIn = await links.accept(req.params.token, { password, ...(displayName !== undefined ? { displayName } : {}) }, contextOf(req));
      return signInAnswer(deps, req, reply, signedIn, tokenDelivery);
    },
  );
};
