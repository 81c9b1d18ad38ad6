import type { FastifyInstance } from 'fastify';

/**
 * Closing the app waits for the requests in flight, but Node's `server.close()` closes only the
 * keep-alive connections idle at that instant: one that finishes a request a moment later stays open
 * until keepAliveTimeout (72 s by default here), and the process with it. So while closing, every
 * answer says `Connection: close`, and connections are closed as soon as they fall idle.
 */
export function installGracefulClose(app: FastifyInstance): void {
  let sweep: NodeJS.Timeout | undefined;
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    sweep.unref();
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => clearInterval(sweep));
}
