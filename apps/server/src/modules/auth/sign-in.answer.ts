import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { AppError } from '../../kernel/errors';
import type { RouteDeps } from '../../http/route-deps';
import { presentMe } from './auth.presenter';
import type { SignInAnswer } from './auth.schemas';
import { cookieSecurity, setSignInCookies } from './sign-in-cookies';
import type { SignedIn } from './sign-in.service';

export type Delivery = 'cookie' | 'body';

/** The answer to a sign-in or a refresh: the access token and the person; the refresh token as a cookie or in the body. */
export async function signInAnswer(
  { services, config }: Pick<RouteDeps, 'services' | 'config'>,
  req: FastifyRequest,
  reply: FastifyReply,
  signedIn: SignedIn,
  delivery: Delivery,
): Promise<Static<typeof SignInAnswer>> {
  const profile = await services.auth.profileOf(signedIn.user, signedIn.authMethod);
  if (delivery === 'cookie') setSignInCookies(reply, signedIn, cookieSecurity(req, config.publicUrl));
  return {
    accessToken: signedIn.accessToken,
    tokenType: 'Bearer',
    expiresIn: signedIn.expiresIn,
    ...(delivery === 'body' ? { refreshToken: signedIn.refreshToken } : {}),
    user: presentMe(profile),
  };
}

/** A throttled refusal carries Retry-After, as the HTTP rate limit's do. */
export function withRetryAfter(reply: FastifyReply, err: unknown): never {
  if (err instanceof AppError && err.code === 'rate-limited' && typeof err.extra.retryAfter === 'number')
    reply.header('retry-after', String(err.extra.retryAfter));
  throw err;
}
