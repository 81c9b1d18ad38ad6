import type { SessionKind, SessionMeta, VeritasEvent } from '@veritas/schema';
import { toIdfx } from '@veritas/schema/idfx';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import { eventPages, findSession } from '../sessions';

/** The most events an IDFX export holds: the log is built whole in memory (XML has no streaming builder here). */
export const IDFX_EXPORT_MAX_EVENTS = 1_000_000;

export interface ExportsService {
  /** An ended writing session in scope as an IDFX log (Inputlog XML) and its file name. */
  idfx(scope: Scope, sessionId: string): Promise<{ xml: string; fileName: string }>;
}

export function createExportsService({ database: { db } }: { database: Database }): ExportsService {
  return {
    async idfx(scope, sessionId) {
      const session = await guard(findSession(db, scope, sessionId));
      if (!session) throw new AppError('not-found', `no session ${sessionId}`);
      if (session.status !== 'ended') throw new AppError('session-not-ended');
      if (session.kind !== 'writing') throw new AppError('not-found', `session ${sessionId} is a ${session.kind} session: IDFX is for writing sessions`);
      if (session.next_seq > IDFX_EXPORT_MAX_EVENTS)
        throw new AppError('body-too-large', `the session holds ${session.next_seq} events; an IDFX export holds at most ${IDFX_EXPORT_MAX_EVENTS}`);
      const events: VeritasEvent[] = [];
      const pages = eventPages(db, scope, sessionId, -1, 10_000);
      for (;;) {
        const next = await guard(pages.next());
        if (next.done) break;
        events.push(...next.value);
      }
      const xml = toIdfx(
        {
          id: session.id,
          kind: session.kind as SessionKind,
          createdAt: session.created_at.toISOString(),
          ...(session.ended_at ? { endedAt: session.ended_at.toISOString() } : {}),
          meta: session.meta as SessionMeta,
        },
        events,
      );
      return { xml, fileName: `session-${session.id}.idfx` };
    },
  };
}
