import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LtiService } from './lti.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The frame headers of a web page a launch opened: a page asked for with `?lti=<registration id>` may
 * be framed by that registration's LMS origins (CSP frame-ancestors, which browsers prefer over
 * X-Frame-Options, dropped), and only by them; every other page keeps `frame-ancestors 'none'`. An
 * unknown id changes nothing. Called by the shell just before it serves the web app's page.
 */
export async function ltiFrameHeaders(lti: LtiService, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const id = (req.query as Record<string, unknown> | undefined)?.lti;
  if (typeof id !== 'string' || !UUID.test(id)) return;
  const origins = await lti.launches.frameOrigins(id);
  const csp = reply.getHeader('content-security-policy');
  if (origins.length === 0 || typeof csp !== 'string') return;
  reply.header('content-security-policy', csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${origins.join(' ')}`));
  reply.removeHeader('x-frame-options');
}
