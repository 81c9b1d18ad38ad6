import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import fastifyCookie from '@fastify/cookie';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SESSION_FORMAT } from '@veritas/schema';
import type { Config } from '../config/config';
import type { Database } from '../platform/db/database';
import { AppError, toProblem } from '../kernel/errors';
import { createMetrics } from '../platform/metrics/metrics';
import { installValidators } from './plugins/validation';
import { installGracefulClose } from './plugins/graceful-close';
import { installProblemHandlers } from './plugins/problems';
import { createRateLimiter, installRateLimit } from './plugins/rate-limit';
import { MemoryRateCounter } from '../platform/rate-limit/rate-counter';
import { RedisRateCounter } from '../platform/rate-limit/redis-rate-counter';
import { createTracing } from '../platform/tracing';
import { installTracing } from './plugins/tracing';
import { clientErrorHandler, frameworkErrors } from './plugins/client-errors';
import { behindTls, docsCsp, installSecurityHeaders, SAFE_REQUEST_ID } from './plugins/security-headers';
import { enforceAccess, installAccess } from './plugins/access';
import { installAuth } from './plugins/auth';
import { installBatchEncoding } from './plugins/batch-encoding';
import { installCors } from './plugins/cors';
import { installIdempotency } from './plugins/idempotency';
import { SECURITY_SCHEMES, transformDocument, transformRoute } from './openapi/openapi-hygiene';
import { createHub } from '../platform/hub/create-hub';
import { instrumentHub } from '../platform/hub/instrumented-hub';
import { createServices, type Services } from '../modules/services';
import { Problem } from './route-kit';
import type { RouteDeps } from './route-deps';
import { parseJsonBody } from './json-body';
import { sessionsRoutes } from '../modules/sessions';
import { ingestRoutes } from '../modules/ingest';
import { bundlesRoutes } from '../modules/bundles';
import { healthRoutes } from '../modules/health';
import { demoRoutes } from '../modules/demo';
import { replayRoutes } from '../modules/replay';
import { sessionListRoutes } from '../modules/session-list';
import { analysisRoutes } from '../modules/analysis';
import { peopleRoutes } from '../modules/people';
import { apiKeysRoutes } from '../modules/api-keys';
import { webhooksRoutes } from '../modules/webhooks';
import { auditRoutes } from '../modules/audit';
import { installShareScope, shareLinksRoutes } from '../modules/share-links';
import { certificatesRoutes } from '../modules/certificates';
import { authRoutes, linksRoutes, meRoutes } from '../modules/auth';
import { ssoAdminRoutes, ssoSignInRoutes } from '../modules/sso';
import { reviewRoutes } from '../modules/review';
import { attemptsRoutes, examsRoutes } from '../modules/exams';
import { sdkRoutes } from '../modules/sdk';
import { examLiveRoutes, liveRoutes } from '../modules/live';
import { dashboardsRoutes } from '../modules/dashboards';
import { retentionRoutes } from '../modules/retention';
import { reportsRoutes } from '../modules/reports';
import { exportsRoutes } from '../modules/exports';
import { consentRoutes, subjectExportRoutes } from '../modules/privacy';
import { ltiFrameHeaders, ltiRoutes } from '../modules/lti';
import { ltiDeepLinkingRoutes, ltiServicesRoutes } from '../modules/lti';
import { downloadsRoutes } from '../modules/downloads';
import { createBlobStore } from '../platform/blob/create-blob-store';

export interface AppDeps {
  config: Config;
  database: Database;
  /** Shared rate-limit counters across instances; absent on the embedded default. */
  redis?: Redis;
  /** Prefix of the rate-limit keys in Redis (tests give each app its own). */
  rateLimitNamespace?: string;
  /** Prefix of the live hub's channels in Redis (tests give each group of apps their own). */
  hubNamespace?: string;
  /** The clock live tickets are issued and checked by (tests move it). */
  clock?: () => Date;
  logger?: boolean | object;
}

/** A request as logged: a share link's token (`?share=`), a live ticket (`?ticket=`) or a download grant (`?grant=`) is a credential and never reaches the logs. */
function requestForLog(req: { method: string; url: string; ip?: string; id?: unknown }) {
  return { method: req.method, url: req.url.replace(/([?&](?:share|ticket|grant)=)[^&#]*/g, '$1[redacted]'), remoteAddress: req.ip, reqId: req.id };
}

/**
 * Fastify's `trustProxy` from the configuration. A hop count is given as a function (the nearest N
 * addresses of the chain are proxies): Fastify treats a bare number as trusting no hop at all.
 */
export function trustProxyOption(trust: Config['trustProxy']): false | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  return trust === false ? false : [...trust];
}

export type App = FastifyInstance & { services: Services; config: Readonly<Config> };

export const API_VERSION = '1.0.0';

/**
 * Builds the Fastify app: plugins, then routes. It starts nothing: opening the job queue and running
 * workers is a role's business (roles/), and listening the caller's, so building the app (for the
 * OpenAPI document, in a test) starts no poller.
 */
export async function buildApp({ config, database, redis, rateLimitNamespace, hubNamespace, clock, logger }: AppDeps): Promise<App> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel, serializers: { req: requestForLog } },
    bodyLimit: config.bodyLimit.default,
    // A client's request id is echoed and logged: only a short, safe one is kept (no log or header injection).
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Which proxies are believed about the client's address (VERITAS_TRUST_PROXY): req.ip, and so
    // the rate-limit keys, the audit trail and the logs, name the real client behind them.
    trustProxy: trustProxyOption(config.trustProxy),
    // Slow and silent clients are cut off: the whole request within requestMs (408), no request
    // stalled for connectionMs, no idle keep-alive connection past keepAliveMs.
    requestTimeout: config.timeouts.requestMs,
    connectionTimeout: config.timeouts.connectionMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    // Node checks requestTimeout on this period (default 30 s), so a short timeout needs a short
    // period; and it checks nothing while headersTimeout (default 60 s) exceeds requestTimeout.
    http: {
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.timeouts.requestMs / 4))),
      headersTimeout: Math.min(60_000, config.timeouts.requestMs),
    },
    // Errors met before routing (Node's parser, Fastify's router) are problems like every other.
    clientErrorHandler,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const metrics = createMetrics();
  // The live hub: in process, or shared by every instance through Redis. Its failures are logged, never thrown.
  const hub = instrumentHub(
    createHub(config, redis, {
      ...(hubNamespace ? { prefix: hubNamespace } : {}),
      onError: (err, context) => app.log.warn({ err, ...context }, 'the live hub failed; live viewers catch up from the database'),
    }),
    metrics,
  );
  const tracing = createTracing(config.tracing ? { ...config.tracing, serviceVersion: API_VERSION } : undefined);
  if (tracing) installTracing(app, tracing);
  const blobs = await createBlobStore(config);
  app.addHook('onClose', async () => blobs.close());
  const services = createServices(database, config, metrics, { log: app.log, hub, blobs, ...(clock ? { clock } : {}), ...(tracing ? { tracing } : {}) });
  app.decorate('services', services);
  app.decorate('config', config);
  app.addHook('onClose', async () => services.ingest.close());
  app.addHook('onClose', async () => services.audit.stop());
  installGracefulClose(app);
  app.addHook('onClose', async () => hub.close());
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Latency by route pattern: an unmatched path is one label, so no client can grow the series.
  app.addHook('onResponse', async (req, reply) => {
    services.metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  installValidators(app);
  // Our JSON parser instead of Fastify's, the same the ingest socket uses (one path for both transports).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // The compact batch media type and gzip-encoded bodies (ADR 0025), decoded before validation.
  installBatchEncoding(app);
  // Who is calling (auth), then whether the route's declared access lets them (access): before any handler.
  installAuth(app, {
    session: (sessionId, token) => services.credentials.actorFor(sessionId, token),
    bearer: (c) => (c.kind === 'access-token' ? services.accessTokens.verify(c.token) : services.apiKeys.actorOf(c.token)),
    sessionGrant: (actor, sessionId) => services.grants.sessionGrant(actor, sessionId),
    shareLink: (sessionId, token) => services.shareLinks.resolve(sessionId, token),
    liveTicket: (sessionId, ticket) => services.liveStreams.tickets.resolve(sessionId, ticket),
    examTicket: (examId, purpose, ticket) => services.examLive.tickets.resolve(examId, purpose, ticket),
  });
  // Cross-origin use of the recorder's routes, decided per request (before access: it declares its preflight route).
  await installCors(app, {
    publicOrigins: config.corsOrigins,
    tenantOfSession: (id) => services.credentials.tenantOf(id),
    tenantOrigins: (tenantId) => services.people.tenant.corsOriginsOf(tenantId),
  });
  installAccess(app, { publicSessions: config.publicSessions });
  // After access: a share link's reader reads only what its scope opens, and each read is audited.
  installShareScope(app, { database, audit: services.audit });
  // After access and validation (a preHandler): a refused or malformed create never claims its key.
  installIdempotency(app, services.idempotency);
  app.addSchema(Problem);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Veritas API',
        version: API_VERSION,
        description: `Capture, carry, analyse and replay assessment sessions. Event format ${SESSION_FORMAT}.`,
        license: { name: 'Proprietary' },
      },
      // Relative to where the document is served: every Veritas server serves its own.
      servers: [{ url: '/', description: 'The Veritas server that serves this document' }],
      components: { securitySchemes: SECURITY_SCHEMES },
      tags: [
        { name: 'sessions', description: 'Sessions and their events' },
        { name: 'ingest', description: 'Sending events' },
        { name: 'bundles', description: 'Offline bundles' },
        { name: 'analysis', description: 'Analysis and live alerts' },
        { name: 'operations', description: 'Health and metrics' },
        { name: 'demo', description: 'Demo data' },
        { name: 'admin', description: "A tenant's administration: people, observers, API keys, settings, audit trail" },
        { name: 'classes', description: "Classes: a teacher's roster of students" },
        { name: 'auth', description: 'Sign-in, tokens, one’s own profile, invitations and password resets' },
        { name: 'sso', description: 'Single sign-on with an institution’s OpenID Connect provider' },
        { name: 'certificates', description: 'Signed certificates of analysed sessions and their revocation' },
        { name: 'review', description: 'Flag review: consolidated flags, reviewers’ decisions, students’ answers' },
        { name: 'exams', description: 'Exams: their window, classes, co-teachers, analysis settings and results release' },
        { name: 'attempts', description: 'Attempts at exams: start or resume, submit, abandon, scores and partners’ analyses' },
        { name: 'lti', description: 'LTI 1.3: Veritas inside an institution’s LMS (registrations, login initiation, launch)' },
        { name: 'dashboards', description: 'Each page’s data in one request: student and teacher dashboards, exam analytics and CSV, attempt monitoring' },
        { name: 'privacy', description: 'Consent texts and agreements; subject-access archives behind expiring links' },
      ],
    },
    // An operationId and a security declaration per operation, from its method, path and declared access.
    transform: transformRoute,
    transformObject: transformDocument,
  });
  const tls = behindTls(config.publicUrl);
  await installSecurityHeaders(app, { tls });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: docsCsp(tls) });
  // Shared through Redis when there is one, counted in this instance's memory too: during a Redis
  // outage each instance keeps enforcing the limits on its own traffic.
  const rateCounter = redis ? new RedisRateCounter(redis, rateLimitNamespace ?? 'veritas-rl:') : new MemoryRateCounter();
  const rateLimiter = createRateLimiter(rateCounter);
  await installRateLimit(app, rateCounter);
  await app.register(fastifyWebsocket, { options: { maxPayload: 4 * 1024 * 1024 } });
  // Cookies carry the refresh token and the CSRF token of people signed in in a browser (modules/auth).
  await app.register(fastifyCookie);

  const webDist = config.webDist && existsSync(config.webDist) ? config.webDist : undefined;
  if (webDist) await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false, decorateReply: true, serveDotFiles: false });

  installProblemHandlers(app, async (req, reply) => {
    const isPage = req.method === 'GET' && !req.url.startsWith('/v1/') && (req.headers.accept ?? '').includes('text/html');
    // The web app routes by path: any page path gets index.html.
    if (webDist && isPage) {
      // A page an LTI launch opened (`?lti=`) may be framed by that LMS (modules/lti).
      await ltiFrameHeaders(services.lti, req, reply);
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .code(404)
      .type('application/problem+json')
      .send(toProblem(new AppError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`), req.id));
  });

  const deps: RouteDeps = {
    services,
    config,
    rateLimiter,
    ...(redis ? { redis } : {}),
    async authorize(access, sessionId, token) {
      const actor = await services.credentials.actorFor(sessionId, token);
      enforceAccess(actor, access, sessionId, config.publicSessions);
      return actor;
    },
  };
  app.get('/openapi.json', { config: { access: 'anyone' }, schema: { hide: true } }, async () => app.swagger());
  if (webDist) app.get('/', { config: { access: 'anyone' }, schema: { hide: true } }, (_req, reply) => reply.type('text/html').sendFile('index.html'));
  await app.register(healthRoutes, deps);
  await app.register(sessionsRoutes, deps);
  await app.register(sessionListRoutes, deps);
  await app.register(ingestRoutes, deps);
  await app.register(bundlesRoutes, deps);
  await app.register(demoRoutes, deps);
  await app.register(replayRoutes, deps);
  await app.register(analysisRoutes, deps);
  await app.register(peopleRoutes, deps);
  await app.register(apiKeysRoutes, deps);
  await app.register(webhooksRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(shareLinksRoutes, deps);
  await app.register(certificatesRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(meRoutes, deps);
  await app.register(linksRoutes, deps);
  await app.register(ssoAdminRoutes, deps);
  await app.register(ssoSignInRoutes, deps);
  await app.register(reviewRoutes, deps);
  await app.register(examsRoutes, deps);
  await app.register(attemptsRoutes, deps);
  await app.register(sdkRoutes, deps);
  await app.register(liveRoutes, deps);
  await app.register(examLiveRoutes, deps);
  await app.register(dashboardsRoutes, deps);
  await app.register(retentionRoutes, deps);
  await app.register(reportsRoutes, deps);
  await app.register(exportsRoutes, deps);
  await app.register(consentRoutes, deps);
  await app.register(subjectExportRoutes, deps);
  await app.register(ltiRoutes, deps);
  await app.register(ltiDeepLinkingRoutes, deps);
  await app.register(downloadsRoutes, deps);
  await app.register(ltiServicesRoutes, deps);
  return app as unknown as App;
}
