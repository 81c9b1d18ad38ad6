import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../kernel/errors';
import { contextOf, linkBase, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { createLtiDeepLinking } from './lti-deep-linking.service';
import { DeepLinkAnswerBody, DeepLinkAnswerPage, DeepLinkParams, DeepLinkView } from './lti-deep-linking.schemas';
import { LAUNCH_PATH } from './lti.presenter';

const FORM = 'application/x-www-form-urlencoded';

/**
 * LTI Deep Linking 2.0: the picker page's request (for the teacher whose deep-linking launch made it)
 * and its answer, which the browser posts as a form and which answers with the page that posts the
 * signed response on to the LMS.
 */
export const ltiDeepLinkingRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const deepLinks = createLtiDeepLinking({
    database: services.database,
    audit: services.audit,
    toolKeys: services.lti.toolKeys,
    clock: () => new Date(),
  });
  const rateLimit = { max: config.rateLimit.anonymousPerMinute, timeWindow: 60_000 };
  // The picker posts a plain form (its answer is a page the browser follows): parsed here only, for these routes.
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 8 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    '/v1/lti/deep-links/:deepLinkToken',
    {
      config: { access: 'exams:manage' },
      schema: {
        tags: ['lti'],
        summary: 'A deep-linking request in flight (the exam picker inside the LMS)',
        description:
          'For the person whose deep-linking launch made it, while it is unanswered and less than an hour old (else 400 lti-deep-link-invalid); ' +
          'anyone else, or an unknown token: 404 not-found.',
        params: DeepLinkParams,
        response: { 200: DeepLinkView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => reply.header('cache-control', 'no-store').send(await deepLinks.view(userOf(req), req.params.deepLinkToken)),
  );

  app.post(
    '/v1/lti/deep-links/:deepLinkToken/response',
    {
      config: { access: 'anyone', rateLimit },
      schema: {
        tags: ['lti'],
        summary: 'Answer a deep-linking request: the exam picked (or none) goes back to the LMS',
        description:
          'Posted by the picker page as a form (the token in the path is the capability; it works once, for an hour, and only for exams the ' +
          'teacher of the launch manages, else 404 not-found). Answers an HTML page that posts the LtiDeepLinkingResponse, signed by Veritas’s ' +
          'tool key (kid in the header; iss the client id, aud the platform, a fresh nonce, the deployment, the request’s data, one ' +
          '`ltiResourceLink` to the launch URL with custom `veritas_exam_id`), as the form field `JWT` to the LMS’s deep_link_return_url. ' +
          'The course’s class is put on the exam. Audited `lti.deep-link` (or `lti.deep-link-cancel`). A used, expired or unknown request: 400 ' +
          'lti-deep-link-invalid.',
        params: DeepLinkParams,
        body: DeepLinkAnswerBody,
        produces: ['text/html'],
        response: { 200: { content: { 'text/html': { schema: DeepLinkAnswerPage } } }, ...problemResponses(400, 404, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const { action, examId } = req.body;
      if (action === 'place' && examId === undefined) throw new AppError('invalid-request', 'body/examId: placing an exam needs its id');
      const base = linkBase(req, config.publicUrl);
      const page = await deepLinks.respond(
        req.params.deepLinkToken,
        { examId: action === 'place' ? examId : undefined },
        contextOf(req),
        `${base}${LAUNCH_PATH}`,
      );
      reply.removeHeader('x-frame-options');
      return reply.header('content-security-policy', page.csp).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page.html);
    },
  );
};
