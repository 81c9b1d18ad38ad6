import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describePattern } from '@veritas/schema';
import { AppError, problemType, toProblem, type Problem } from '../../kernel/errors';
import { discardBody } from './discard-body';

const FASTIFY_CODES: Record<string, AppError['code']> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
  FST_ERR_BAD_URL: 'invalid-request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
};

/** What a refused body may still be read (and discarded) so the client can read its 413. */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/** Any thrown thing as a problem; 5xx details are logged, never sent. */
export function problemFor(err: unknown, requestId: string): Problem {
  if (err instanceof AppError) return toProblem(err, requestId);
  const e = err as FastifyError & {
    validation?: { instancePath: string; message?: string; params?: { pattern?: unknown; additionalProperty?: unknown } }[];
    validationContext?: string;
  };
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    // An unknown property is named in the path, so a client sees which of its fields was refused.
    const extra = (v: { params?: { additionalProperty?: unknown } }) =>
      typeof v.params?.additionalProperty === 'string' ? `/${v.params.additionalProperty}` : '';
    const errors = e.validation
      .slice(0, 20)
      .map((v) => ({ path: `/${where}${v.instancePath}${extra(v)}`, message: describePattern(v.params?.pattern) ?? v.message ?? 'invalid' }));
    return toProblem(new AppError('invalid-request', `${errors[0]?.path}: ${errors[0]?.message}`, { errors }), requestId);
  }
  // Fastify's JSON parser throws a SyntaxError with status 400 for a body that does not parse.
  if (e instanceof SyntaxError && e.statusCode === 400) {
    return toProblem(new AppError('malformed-json', e.message), requestId);
  }
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  // The URL errors repeat the whole path in their message; the problem says what is wrong instead.
  if (mapped === 'uri-too-long') return toProblem(new AppError(mapped, 'a path parameter is longer than 100 characters'), requestId);
  if (e.code === 'FST_ERR_BAD_URL') return toProblem(new AppError('invalid-request', 'the URL holds a malformed percent-escape'), requestId);
  if (mapped) return toProblem(new AppError(mapped, e.message), requestId);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      type: problemType(e.statusCode === 429 ? 'rate-limited' : 'invalid-request'),
      title: e.statusCode === 429 ? 'Too many requests' : 'Bad request',
      status: e.statusCode,
      detail: e.message,
      requestId,
    };
  }
  return toProblem(new AppError('internal', 'the server failed; the request id identifies it in the logs'), requestId);
}

export function installProblemHandlers(app: FastifyInstance, onNotFound?: (req: FastifyRequest, reply: FastifyReply) => unknown): void {
  app.setErrorHandler(async (err, req, reply) => {
    const problem = problemFor(err, req.id);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ type: problem.type, detail: problem.detail }, 'request refused');
    if (problem.status === 503) reply.header('retry-after', '2');
    if (problem.status === 413) await discardBody(req.raw, DISCARD_LIMIT_BYTES);
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler(
    onNotFound ??
      ((req, reply) => {
        void reply
          .code(404)
          .type('application/problem+json')
          .send(toProblem(new AppError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`), req.id));
      }),
  );
}
