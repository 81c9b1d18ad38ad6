import type { Kysely } from 'kysely';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { decide } from '../../kernel/policy';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { LiveHub } from '../../platform/hub/live-hub';
import { findUser } from '../people';
import type { AuditService, RequestContext } from '../audit';
import type { LiveAccess } from './live-access';
import type { LiveLogger } from './live.service';
import { criticalAlerts, insertAcknowledgement, watchesExam } from './exam-live.repository';
import { asHubMessage, examChannel, ExamRoom, type RoomMember } from './exam-live.room';
import { createExamTickets, type ExamTickets } from './exam-tickets.service';
import type { LiveAlert, StudentsMessage } from './exam-live.schemas';

export interface ExamLiveOptions {
  /** How often the exam view is sent (ms). */
  tickMs: number;
  /** How often each exam's roster and open alerts are read again (ms). */
  refreshMs: number;
  /** How often each viewer's and socket's access is checked again (ms). */
  recheckMs: number;
  /** An exam view with more unsent bytes than this is dropped (it reconnects). */
  maxBufferedBytes: number;
  /** The server refuses host-page signals (VERITAS_HOST_SIGNALS=refuse). */
  serverRefusesHost: boolean;
}

/** Where an exam view writes (the SSE response). */
export interface ViewSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  end(abort: boolean): void;
  onClose(listener: () => void): void;
}

/** An alerts socket, as little as the service needs. */
export interface AlertSocket {
  send(message: object): void;
  /** Closes it with a WebSocket close code. */
  close(code: number, reason: string): void;
  onClose(listener: () => void): void;
}

export type Acknowledged = { alertId: string; by: { id: string; name: string }; at: string };

/** An acknowledgement as answered to whoever sent it: `fresh` false when an earlier one stood already. */
export type AckAnswer = { ack: Acknowledged; fresh: boolean };

export interface ExamLiveService {
  tickets: ExamTickets;
  /** Whether this person watches the exam now (a teacher of it, an admin, an observer of one of its teachers). */
  watches(actor: UserActor, examId: string): Promise<boolean>;
  /** Opens an exam view on the sink (the caller has checked access); the students every tick until closed. */
  view(sink: ViewSink, actor: UserActor, examId: string): Promise<void>;
  /** Attaches an alerts socket (the caller has checked access): open critical alerts at once, then each new one and each acknowledgement. */
  alerts(socket: AlertSocket, actor: UserActor, examId: string): Promise<void>;
  /** A teacher's (or admin's) acknowledgement: stored once (the first stands), audited, told to every socket of the exam. */
  acknowledge(actor: UserActor, examId: string, alertId: string, context: RequestContext): Promise<AckAnswer>;
  /** Publishes new critical alerts to their exam's channel (alert.raised, as stored: nothing is read back). */
  publishAlerts(examId: string, alerts: LiveAlert[]): Promise<void>;
  stats(): { rooms: number; members: number };
  closeAll(): void;
}

export interface ExamLiveDeps {
  database: Database;
  hub: LiveHub;
  audit: AuditService;
  access: LiveAccess;
  options: ExamLiveOptions;
  now?: () => Date;
  log?: LiveLogger;
}

/** Close codes of the alerts socket: access lost (4403), the server closing (1012, service restart). */
export const CLOSE_ACCESS = 4403;
export const CLOSE_RESTART = 1012;

export function createExamLiveService({ database, hub, audit, access, options, now = () => new Date(), log }: ExamLiveDeps): ExamLiveService {
  const { db } = database;
  const rooms = new Map<string, ExamRoom>();
  /** Each open view or socket, with how it is closed when the server shuts down. */
  const closers = new Set<() => void>();
  const tickets = createExamTickets({ database, access, now });

  const watches = async (actor: UserActor, examId: string) => guard(watchesExam(db, actor.tenantId, examId, { id: actor.userId, role: actor.role }));

  function roomOf(actor: UserActor, examId: string): ExamRoom {
    const key = `${actor.tenantId}\u0000${examId}`;
    let room = rooms.get(key);
    if (!room) {
      room = new ExamRoom({
        db,
        hub,
        tenantId: actor.tenantId,
        examId,
        serverRefusesHost: options.serverRefusesHost,
        now: () => now().getTime(),
        tickMs: options.tickMs,
        refreshMs: options.refreshMs,
        onError: (err, during) => log?.warn({ err, examId, during }, 'an exam live room could not read or fold; it reads again on its next refresh'),
      });
      rooms.set(key, room);
    }
    return room;
  }

  /** Joins the room; every recheckMs the person's access is checked again, and lost, `lost` closes them out. */
  async function enter(
    actor: UserActor,
    examId: string,
    member: RoomMember,
    onClose: (l: () => void) => void,
    lost: () => void,
    shutdown: () => void,
  ): Promise<void> {
    const key = `${actor.tenantId}\u0000${examId}`;
    const room = roomOf(actor, examId);
    let left = false;
    let checking = false;
    const recheck = setInterval(() => {
      if (checking) return;
      checking = true;
      void stillWatches(actor, examId)
        .then((ok) => {
          if (!ok) lost();
        })
        .catch(() => lost())
        .finally(() => (checking = false));
    }, options.recheckMs);
    const leave = () => {
      if (left) return;
      left = true;
      clearInterval(recheck);
      closers.delete(shutdown);
      if (room.leave(member) && rooms.get(key) === room) {
        rooms.delete(key);
        room.stop();
      }
    };
    closers.add(shutdown);
    onClose(leave);
    try {
      await room.ready;
    } catch (err) {
      leave();
      if (rooms.get(key) === room) rooms.delete(key);
      room.stop();
      throw err;
    }
    if (!left) room.join(member);
  }

  async function stillWatches(actor: UserActor, examId: string): Promise<boolean> {
    const current = await access.user(actor.tenantId, actor.userId, actor.via, actor.signInId);
    return current !== undefined && current.role === actor.role && (await watches(current, examId));
  }

  return {
    tickets,
    watches,

    async view(sink, actor, examId) {
      let closed = false;
      const close = (abort: boolean) => {
        if (closed) return;
        closed = true;
        sink.end(abort);
      };
      const send = (chunk: string) => {
        if (closed) return;
        sink.write(chunk);
        // A viewer that does not keep up is dropped; it reconnects and gets the current state.
        if (sink.writableLength > options.maxBufferedBytes) close(true);
      };
      send('retry: 1000\n\n');
      const member: RoomMember = { students: (m: StudentsMessage) => send(`event: students\ndata: ${JSON.stringify(m)}\n\n`) };
      await enter(
        actor,
        examId,
        member,
        (l) =>
          sink.onClose(() => {
            closed = true;
            l();
          }),
        () => close(false),
        () => close(false),
      );
    },

    async alerts(socket, actor, examId) {
      const member: RoomMember = {
        alert: (alert: LiveAlert) => socket.send({ type: 'alert', alert }),
        acknowledged: (ack) => socket.send({ type: 'acknowledged', ...ack }),
      };
      await enter(
        actor,
        examId,
        member,
        (l) => socket.onClose(l),
        () => socket.close(CLOSE_ACCESS, 'access lost'),
        () => socket.close(CLOSE_RESTART, 'the server is restarting'),
      );
    },

    async acknowledge(actor, examId, alertId, context) {
      const d = decide(actor, 'alerts:acknowledge', { publicSessions: false });
      if (!d.allowed) throw new AppError(d.code, 'an observer watches but does not acknowledge alerts');
      if (!(await watches(actor, examId))) throw new AppError('not-found', `no exam ${examId}`);
      const [alert] = await guard(criticalAlerts(db, actor.tenantId, examId, { alertId, limit: 1 }));
      if (!alert) throw new AppError('not-found', `no critical alert ${alertId} in this exam`);
      const at = now();
      const fresh = await db
        .transaction()
        .execute(async (trx: Kysely<DB>) => {
          if (!(await insertAcknowledgement(trx, { alertId, tenantId: actor.tenantId, examId, userId: actor.userId, at }))) return false;
          await audit.record(
            {
              tenantId: actor.tenantId,
              actor,
              action: 'alert.acknowledge',
              resource: { type: 'alert', id: alertId },
              context,
              detail: { examId, sessionId: alert.session_id, kind: alert.detector },
            },
            trx,
          );
          return true;
        })
        .catch(rethrowUnavailable);
      // The first acknowledgement stands: whoever came second is told whose it is.
      const [stored] = await guard(criticalAlerts(db, actor.tenantId, examId, { alertId, limit: 1 }));
      const me = await guard(findUser(db, actor.tenantId, actor.userId));
      const ack: Acknowledged = {
        alertId,
        by: { id: stored?.ack_user_id ?? actor.userId, name: stored?.ack_user_name ?? me?.display_name ?? '' },
        at: (stored?.ack_at ?? at).toISOString(),
      };
      if (fresh) {
        rooms.get(`${actor.tenantId}\u0000${examId}`)?.acknowledged(ack);
        void hub.publish(examChannel(examId), asHubMessage({ k: 'ack', ...ack })).catch(() => undefined);
      }
      return { ack, fresh };
    },

    async publishAlerts(examId, alerts) {
      if (alerts.length > 0) await hub.publish(examChannel(examId), asHubMessage({ k: 'alerts', alerts }));
    },

    stats: () => ({ rooms: rooms.size, members: closers.size }),
    closeAll() {
      for (const close of [...closers]) close();
    },
  };
}
