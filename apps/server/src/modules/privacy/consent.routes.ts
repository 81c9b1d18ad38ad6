import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import {
  AgreeBody,
  AgreementView,
  ConsentRequirementBody,
  ConsentSettingsView,
  ConsentTextBody,
  ConsentTextView,
  MyConsentView,
  WithdrawalView,
} from './consent.schemas';
import { presentAgreement, presentText } from './consent.presenter';

/** Consent texts and the requirement (admins); one's own agreement (every signed-in person). ADR 0029. */
export const consentRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/admin/consent',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['privacy'],
        summary: 'The consent texts and whether consent is required',
        response: { 200: ConsentSettingsView, ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => {
      const s = await services.consent.settings(userOf(req));
      return { required: s.required, current: s.current ? presentText(s.current) : null, texts: s.texts.map(presentText) };
    },
  );

  app.put(
    '/v1/admin/consent',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['privacy'],
        summary: 'Require consent before sessions record, or stop requiring it',
        description:
          'While required, ingest refuses the first events of a session whose owner has not agreed to the current consent text (403 consent-required). Requiring needs a published text (409 conflict). Audited.',
        body: ConsentRequirementBody,
        response: { 200: ConsentSettingsView, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (req) => {
      const actor = userOf(req);
      await services.consent.require({ actor, context: contextOf(req) }, req.body.required);
      const s = await services.consent.settings(actor);
      return { required: s.required, current: s.current ? presentText(s.current) : null, texts: s.texts.map(presentText) };
    },
  );

  app.post(
    '/v1/admin/consent/texts',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['privacy'],
        summary: 'Publish the next version of the consent text',
        description: 'Versions count up from 1 and are never changed; people who agreed to an earlier version are asked again. Audited.',
        body: ConsentTextBody,
        response: { 201: ConsentTextView, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (req, reply) => reply.code(201).send(presentText(await services.consent.publishText({ actor: userOf(req), context: contextOf(req) }, req.body))),
  );

  app.get(
    '/v1/me/consent',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: 'The consent text I am asked to agree to, and my agreement',
        response: { 200: MyConsentView, ...problemResponses(401, 503) },
      },
    },
    async (req) => {
      const s = await services.consent.mine(userOf(req));
      return { required: s.required, current: s.current ? presentText(s.current) : null, agreement: s.agreement ? presentAgreement(s.agreement) : null };
    },
  );

  app.post(
    '/v1/me/consent',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: 'Agree to the current consent text',
        description: 'Records which text and version the person agreed to, and when. Agreeing again answers the first agreement. Audited.',
        body: AgreeBody,
        response: { 200: AgreementView, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (req) => presentAgreement(await services.consent.agree({ actor: userOf(req), context: contextOf(req) }, req.body.version)),
  );

  app.post(
    '/v1/me/consent/withdraw',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: 'Withdraw my agreement to the consent text',
        description:
          'Withdraws every agreement of mine that stands. Where consent is required, my new sessions (their first events) and bundle uploads are then refused (403 consent-required) until I agree again. Sessions and data already stored are kept until retention or an erasure removes them; ask an admin for erasure. Withdrawing with nothing to withdraw changes nothing. Audited (consent.withdraw).',
        response: { 200: WithdrawalView, ...problemResponses(401, 503) },
      },
    },
    async (req) => {
      const actor = userOf(req);
      const { withdrawn } = await services.consent.withdraw({ actor, context: contextOf(req) });
      const s = await services.consent.mine(actor);
      return {
        required: s.required,
        current: s.current ? presentText(s.current) : null,
        agreement: s.agreement ? presentAgreement(s.agreement) : null,
        withdrawn,
      };
    },
  );
};
