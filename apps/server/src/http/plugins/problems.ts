import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describePattern } from '@veritas/schema';
import { AppError, problemType, toProblem, type Problem } from '../../kernel/errors';

const FASTIFY_CODES: Record<string, AppError['code']> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
};

/** Any thrown thing as a problem; 5xx details are logged, never sent. */
export function problemFor(err: unknown, requestId: string): Problem {
  if (err instanceof AppError) return toProblem(err, requestId);
  const e = err as FastifyError & { validation?: { instancePath: string; message?: string; params?: { pattern?: unknown; additionalProperty?: unknown } }[]; validationContext?: string };
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    // An unknown property is named in the path, so a client sees which of its fields was refused.
    const extra = (v: { params?: { additionalProperty?: unknown } }) => (typeof v.params?.additionalProperty === 'string' ? `/${v.params.additionalProperty}` : '');
    const errors = e.validation.slice(0, 20).map((v) => ({ path: `/${where}${v.instancePath}${extra(v)}`, message: describePattern(v.params?.pattern) ?? v.message ?? 'invalid' }));
    return toProblem(new AppError('invalid-request', `${errors[0]?.path}: ${errors[0]?.message}`, { errors }), requestId);
  }
  // Fastify's JSON parser throws a SyntaxError with status 400 for a body that does not parse.
  if (e instanceof SyntaxError && e.statusCode === 400) {
    return toProblem(new AppError('malformed-json', e.message), requestId);
  }
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return toProblem(new AppError(mapped, e.message), requestId);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { type: problemType(e.statusCode === 429 ? 'rate-limited' : 'invalid-request'), title: e.statusCode === 429 ? 'Too many requests' : 'Bad request', status: e.statusCode, detail: e.message, requestId };
  }
  return toProblem(new AppError('internal', 'the server failed; the request id identifies it in the logs'), requestId);
}

export function installProblemHandlers(app: FastifyInstance, onNotFound?: (req: FastifyRequest, reply: FastifyReply) => unknown): void {
  app.setErrorHandler((err, req, reply) => {
    const problem = problemFor(err, req.id);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ type: problem.type, detail: problem.detail }, 'request refused');
    if (problem.status === 503) reply.header('retry-after', '2');
    void reply.code(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler(
    onNotFound ??
      ((req, reply) => {
        void reply.code(404).type('application/problem+json').send(toProblem(new AppError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`), req.id));
      }),
  );
}
