import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AppError } from '../../kernel/errors';
import { contextOf, problemFor, problemResponses, userOf } from '../../http/route-kit';
import { enforce } from '../../kernel/policy';
import type { RouteDeps } from '../../http/route-deps';
import { LIVE_TICKET_TTL_S } from './live-tickets.service';
import { AlertsClientMessage, StudentsMessage, ExamLiveParams, ExamLiveTicket, ExamTicketBody, TicketQuery, type LivePurpose } from './exam-live.schemas';
import { isAllowedOrigin } from './exam-live.origin';

const clientMessage = TypeCompiler.Compile(AlertsClientMessage);
const EXAM_ID = new RegExp(ExamLiveParams.properties.examId.pattern!);
/** A teacher's message is a small JSON object; anything longer is refused unread. */
const MAX_CLIENT_MESSAGE = 1024;

const channelPath = (examId: string, purpose: LivePurpose) => (purpose === 'exam-live' ? `/v1/exams/${examId}/live` : `/v1/exams/${examId}/alerts/socket`);

/**
 * An exam's live supervision (ADR 0019): tickets, the exam view (Server-Sent Events, every second)
 * and the critical alerts socket with acknowledgements. Who watches which exam is the service's
 * (its teachers, admins, observers of its teachers); any other exam answers as unknown.
 */
export const examLiveRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const live = services.examLive;
  app.addHook('preClose', async () => live.closeAll());

  const watchedExam = async (req: FastifyRequest, examId: string) => {
    const actor = userOf(req);
    if (!(await live.watches(actor, examId))) throw new AppError('not-found', `no exam ${examId}`);
    return actor;
  };

  app.post(
    '/v1/exams/:examId/live-tickets',
    {
      config: { access: 'exams:watch' },
      schema: {
        tags: ['exams'],
        summary: 'Get a ticket for an exam’s live view or alerts socket',
        description: `A ticket valid ${LIVE_TICKET_TTL_S} s for one channel of this exam (\`purpose\`: \`exam-live\` for GET /v1/exams/{examId}/live, \`alerts\` for its alerts socket), issued to whoever asked (its teachers, admins, observers of its teachers) and good for nothing else. A browser's EventSource and WebSocket cannot send an Authorization header; an access token is never accepted in a URL.`,
        params: ExamLiveParams,
        body: ExamTicketBody,
        response: { 201: ExamLiveTicket, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const { examId } = req.params;
      const actor = await watchedExam(req, examId);
      const { ticket, expiresAt } = await live.tickets.issue(actor, examId, req.body.purpose);
      return reply.code(201).send({ ticket, expiresAt: expiresAt.toISOString(), url: `${channelPath(examId, req.body.purpose)}?ticket=${ticket}` });
    },
  );

  app.get(
    '/v1/exams/:examId/live',
    {
      config: { access: 'exams:watch', examTicket: 'exam-live' },
      schema: {
        tags: ['exams'],
        summary: 'Watch an exam live (Server-Sent Events)',
        description:
          'Every second an event `students` whose data is `{ at, students: [{ attemptId, sessionId, studentId, studentName, attemptState, presence, charsPerMinute, pastes, awayMs, host, openAlerts }] }` (schema: LiveStudent). ' +
          'Presence: online, idle (no input for 30 s, or the page hidden or out of focus) or offline (nothing heard for 45 s, or the attempt not in progress). `host` is what the host page last sent in `metrics` events, under its own labels and never scored; null when the exam or the tenant refuses host signals. ' +
          'Open with a bearer token or, from a browser, `?ticket=` (POST …/live-tickets, purpose exam-live). The stream closes within seconds of its viewer losing access.',
        params: ExamLiveParams,
        querystring: TicketQuery,
        response: {
          200: {
            description: 'Server-Sent Events: each `students` event’s data is this object',
            content: { 'text/event-stream': { schema: StudentsMessage } },
          },
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const { examId } = req.params;
      const actor = await watchedExam(req, examId);
      await services.audit.record({
        tenantId: actor.tenantId,
        actor,
        action: 'exam.live.watch',
        resource: { type: 'exam', id: examId },
        context: contextOf(req),
      });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'x-request-id': req.id,
      });
      try {
        await live.view(
          {
            write: (chunk) => res.write(chunk),
            get writableLength() {
              return res.writableLength;
            },
            end: (abort) => (abort ? res.destroy() : res.end()),
            onClose: (listener) => res.once('close', listener),
          },
          actor,
          examId,
        );
      } catch (err) {
        req.log.warn({ err, examId }, 'an exam live view could not start');
        res.destroy();
      }
    },
  );

  app.get(
    '/v1/exams/:examId/alerts/socket',
    {
      websocket: true,
      config: { access: 'exams:watch', examTicket: 'alerts' },
      // Checked before the upgrade (and, like the access hook, before the schema), so a refusal is a plain
      // HTTP problem: the page's origin, then the declared access (the access hook leaves upgrades to the
      // route), then the exam. A malformed exam id names no exam: its schema answers 400.
      preValidation: async (req) => {
        const origin = req.headers.origin;
        const actor = req.actor;
        if (origin !== undefined && !(await isAllowedOrigin(origin, req, config.publicUrl, actor, services.people.tenant))) {
          throw new AppError('forbidden', `a page of ${origin.slice(0, 100)} may not open this socket`);
        }
        enforce(actor, 'exams:watch', { publicSessions: config.publicSessions });
        const { examId } = req.params as { examId?: unknown };
        if (typeof examId === 'string' && EXAM_ID.test(examId)) await watchedExam(req, examId);
      },
      schema: {
        tags: ['exams'],
        summary: 'Critical alerts of an exam (WebSocket)',
        description:
          'Open with `?ticket=` (POST …/live-tickets, purpose alerts) or a bearer token, from the server’s own origin or one of the tenant’s CORS origins. ' +
          'The server sends every critical alert not yet acknowledged at once (again on each reconnection, until acknowledged), then each new one within a second: `{"type":"alert","alert":{id, examId, attemptId, sessionId, studentName, kind, severity, message, at, acknowledged}}`. ' +
          'Critical: a live detector’s high-severity alert, or one raised by a proctoring `violation` event. ' +
          'A teacher or admin sends `{"type":"ack","alertId":"…"}`; every socket of the exam’s watchers then gets `{"type":"acknowledged","alertId","by":{id,name},"at"}` (the first acknowledgement stands; it is stored and audited). ' +
          'An observer watches but may not acknowledge: `{"type":"problem","problem":{…forbidden}}`. A message that is not one of these is answered with an invalid-request problem. The socket is closed with 4403 when its person loses access, 1012 when the server restarts.',
        params: ExamLiveParams,
        querystring: TicketQuery,
        // Socket routes are not in the OpenAPI document; its messages are AlertsServerMessage and AlertsClientMessage (exam-live.schemas.ts).
        response: problemResponses(400, 401, 403, 404),
      },
    },
    async (socket, req) => {
      const examId = (req.params as { examId: string }).examId;
      const actor = userOf(req);
      const send = (msg: object) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      const problem = (err: unknown) => {
        const p = problemFor(err, req.id);
        if (p.status >= 500) req.log.error({ err }, 'alerts socket failure');
        send({ type: 'problem', problem: p });
      };
      // Messages are taken one at a time, in order.
      let chain = Promise.resolve();
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        chain = chain.then(async () => {
          try {
            if (isBinary || data.length > MAX_CLIENT_MESSAGE)
              throw new AppError('invalid-request', `a message is a JSON object of at most ${MAX_CLIENT_MESSAGE} bytes`);
            let msg: unknown;
            try {
              msg = JSON.parse(data.toString('utf8'));
            } catch {
              throw new AppError('malformed-json', 'the message is not valid JSON');
            }
            if (!clientMessage.Check(msg)) throw new AppError('invalid-request', 'expected {"type":"ack","alertId":"…"}');
            // Every socket of the exam is told, this one included (once, whether by this instance or the hub).
            await live.acknowledge(actor, examId, msg.alertId, contextOf(req));
          } catch (err) {
            problem(err);
          }
        });
      });
      try {
        await services.audit.record({
          tenantId: actor.tenantId,
          actor,
          action: 'exam.alerts.watch',
          resource: { type: 'exam', id: examId },
          context: contextOf(req),
        });
        await live.alerts(
          {
            send,
            close: (code, reason) => socket.close(code, reason),
            onClose: (listener) => socket.once('close', listener),
          },
          actor,
          examId,
        );
      } catch (err) {
        problem(err);
        socket.close(1011, 'could not start');
      }
    },
  );
};
