import { randomToken, tokenHash } from '../auth';
import type { AuthMethod, UserActor } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { LiveAccess } from './live-access';
import { deleteExpiredExamTickets, findExamTicket, insertExamTicket } from './exam-live.repository';
import type { LivePurpose } from './exam-live.schemas';
import { LIVE_TICKET_TTL_S } from './live-tickets.service';

const AUTH_METHODS: readonly string[] = ['password', 'oidc', 'lti'] satisfies AuthMethod[];

export interface ExamTickets {
  /** A ticket for one channel of one exam, issued to a person already let through as its watcher. Shown once; stored hashed. */
  issue(actor: UserActor, examId: string, purpose: LivePurpose): Promise<{ ticket: string; expiresAt: Date }>;
  /** The person a ticket was issued to, as they are now (a disabled person holds none), when it is for this exam and channel and unexpired. */
  resolve(examId: string, purpose: LivePurpose, ticket: string): Promise<UserActor | undefined>;
}

/** Exam tickets live as long as a session's (ADR 0017), and like them may be used again within their minute (EventSource reconnects with the same URL). */
export function createExamTickets({ database: { db }, access, now }: { database: Database; access: LiveAccess; now: () => Date }): ExamTickets {
  return {
    async issue(actor, examId, purpose) {
      const at = now();
      const expiresAt = new Date(at.getTime() + LIVE_TICKET_TTL_S * 1000);
      const ticket = randomToken();
      await guard(
        db.transaction().execute(async (trx) => {
          await deleteExpiredExamTickets(trx, new Date(at.getTime() - LIVE_TICKET_TTL_S * 1000));
          await insertExamTicket(trx, {
            token_hash: tokenHash(ticket),
            tenant_id: actor.tenantId,
            exam_id: examId,
            user_id: actor.userId,
            purpose,
            auth_method: actor.via,
            expires_at: expiresAt,
          });
        }),
      );
      return { ticket, expiresAt };
    },
    async resolve(examId, purpose, ticket) {
      const row = await guard(findExamTicket(db, examId, purpose, tokenHash(ticket), now()));
      if (!row) return undefined;
      const via = AUTH_METHODS.includes(row.auth_method) ? (row.auth_method as AuthMethod) : 'password';
      return access.user(row.tenant_id, row.user_id, via);
    },
  };
}
