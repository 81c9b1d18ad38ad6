import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem } from '../../kernel/errors';
import { problemFor } from './problems';

/**
 * Errors raised before a request reaches Fastify's routing (Node's HTTP parser: headers too large,
 * a request not received in time, a malformed request line), written as problem+json on the raw
 * socket. Fastify's default handler writes its own JSON shape.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection is gone; there is nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('headers-too-large', 'the request headers exceed the server limit')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('request-timeout', 'the request was not received within the request timeout')
        : new AppError('invalid-request', 'the request is not valid HTTP/1.1');
  const body = JSON.stringify(toProblem(appError, randomUUID()));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}\r\nConnection: close\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Fastify's routing errors (a malformed percent-escape, a path parameter over maxParamLength) as problems. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const problem = problemFor(err, req.id);
  void reply.code(problem.status).type('application/problem+json').send(problem);
}
