import { randomBytes } from 'node:crypto';
import { randomToken, tokenHash } from '../auth';
import type { Actor, SessionReader } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { scopeOfRow, type Scope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { AuditService } from '../audit';
import { findSession, tenantOfCaller, type Caller } from '../sessions';
import {
  findOpenShareLink,
  findShareLink,
  insertShareLink,
  listShareLinks,
  revokeShareLink,
  touchShareLink,
  type ShareLinkRow,
} from './share-links.repository';
import type { ShareScope } from '../../platform/db/tables';

/** A link lasts this long unless its creator says otherwise (1 to 365 days). */
export const DEFAULT_SHARE_DAYS = 30;
/** The last use is noted at most this often (the repository's interval says the same). */
const TOUCH_EVERY_MS = 60_000;

const newLinkId = () => `sl_${randomBytes(12).toString('base64url')}`;

export interface ShareLinksService {
  /** A new read-only link to the session (of the scope); the token is in the answer only. */
  create(scope: Scope, sessionId: string, input: { expiresInDays?: number; scope?: ShareScope }, by: Caller): Promise<{ link: ShareLinkRow; token: string }>;
  list(scope: Scope, sessionId: string): Promise<ShareLinkRow[]>;
  /** Revokes a link (revoking it again changes nothing and is not recorded again). */
  revoke(scope: Scope, sessionId: string, linkId: string, by: Caller): Promise<ShareLinkRow>;
  /** The reader a share link's token makes for this session, when the link is open; else undefined (the auth plugin's shareLink). */
  resolve(sessionId: string, token: string): Promise<SessionReader | undefined>;
  /** What the share link a reader came through opens, and until when; every other reader (the access hook let through) reads it all. */
  current(actor: Actor, scope: Scope, sessionId: string): Promise<{ viaLink: boolean; scope: ShareScope; expiresAt: string | null }>;
}

export function createShareLinksService({ database: { db }, audit }: { database: Database; audit: AuditService }): ShareLinksService {
  async function sessionIn(scope: Scope, sessionId: string) {
    const session = await guard(findSession(db, scope, sessionId));
    if (!session) throw new AppError('not-found', `no session ${sessionId}`);
    return session;
  }

  const entry = (by: Caller, action: string, link: ShareLinkRow) => ({
    tenantId: tenantOfCaller(by.actor),
    actor: by.actor,
    action,
    resource: { type: 'share-link', id: link.id },
    context: by.context,
    detail: { sessionId: link.session_id, scope: link.scope, expiresAt: link.expires_at?.toISOString() ?? null },
  });

  return {
    async create(scope, sessionId, { expiresInDays = DEFAULT_SHARE_DAYS, scope: opens = 'both' }, by) {
      const session = await sessionIn(scope, sessionId);
      // 256 random bits, shown once; only its SHA-256 is stored.
      const token = randomToken();
      const link = await guard(
        db.transaction().execute(async (trx) => {
          const row = await insertShareLink(trx, {
            id: newLinkId(),
            session_id: session.id,
            tenant_id: session.tenant_id,
            token_hash: tokenHash(token),
            created_by: by.actor.kind === 'user' ? by.actor.userId : null,
            expires_at: new Date(Date.now() + expiresInDays * 86_400_000),
            scope: opens,
          });
          await audit.record(entry(by, 'share-link.create', row), trx);
          return row;
        }),
      );
      return { link, token };
    },

    async list(scope, sessionId) {
      await sessionIn(scope, sessionId);
      return guard(listShareLinks(db, scope, sessionId));
    },

    async revoke(scope, sessionId, linkId, by) {
      const revoked = await guard(
        db.transaction().execute(async (trx) => {
          const row = await revokeShareLink(trx, scope, sessionId, linkId);
          if (row) await audit.record(entry(by, 'share-link.revoke', row), trx);
          return row;
        }),
      );
      if (revoked) return revoked;
      const existing = await guard(findShareLink(db, scope, sessionId, linkId));
      if (!existing) throw new AppError('not-found', `no share link ${linkId} of session ${sessionId}`);
      return existing;
    },

    async resolve(sessionId, token) {
      const link = await guard(findOpenShareLink(db, sessionId, tokenHash(token)));
      if (!link) return undefined;
      if (link.last_used_at === null || Date.now() - link.last_used_at.getTime() >= TOUCH_EVERY_MS) await guard(touchShareLink(db, link.id));
      return { kind: 'session-reader', sessionId, scope: scopeOfRow(link), shareLinkId: link.id, shareScope: link.scope };
    },

    async current(actor, scope, sessionId) {
      if (actor.kind !== 'session-reader' || actor.shareLinkId === undefined) {
        // Not through a link: the reader reads all of a session that exists (an unknown id is a 404, as on every session route).
        await sessionIn(scope, sessionId);
        return { viaLink: false, scope: 'both', expiresAt: null };
      }
      const link = await guard(findShareLink(db, actor.scope, sessionId, actor.shareLinkId));
      if (!link) throw new AppError('not-found', `no share link of session ${sessionId}`);
      return { viaLink: true, scope: link.scope, expiresAt: link.expires_at?.toISOString() ?? null };
    },
  };
}
