import { randomBytes } from 'node:crypto';
import { genesisHash, sha256Hex, BUNDLE_FORMAT, type Bundle, type SessionKind, type SessionMeta, type VeritasEvent } from '@veritas/schema';
import type { Database } from '../db/database';
import type { SessionRow } from '../db/tables';
import { guard } from './database-errors';
import { AppError } from '../errors';
import { endSession, findSession, insertSession, listSessionsBySource, type Scope } from '../repositories/sessions.repository';
import { listEvents } from '../repositories/events.repository';
import { listBatches } from '../repositories/batches.repository';

/** 128 random bits, URL-safe: the session id is a read capability, so it must not be guessable. */
export const newSessionId = () => randomBytes(16).toString('base64url');
/** 256 random bits: the write capability. Only its SHA-256 is stored. */
export const newWriteToken = () => randomBytes(32).toString('base64url');

export interface CreateSessionInput {
  kind: SessionKind;
  meta?: SessionMeta;
  ownerId?: string | null;
  source?: 'live' | 'demo';
}

export interface SessionsService {
  create(scope: Scope, input: CreateSessionInput): Promise<{ session: SessionRow; writeToken: string }>;
  get(scope: Scope, id: string): Promise<SessionRow>;
  end(scope: Scope, id: string): Promise<SessionRow>;
  events(scope: Scope, id: string, after: number, limit: number): Promise<VeritasEvent[]>;
  bundle(scope: Scope, id: string): Promise<Bundle>;
  listBySource(scope: Scope, source: string, limit: number): Promise<SessionRow[]>;
}


export function createSessionsService({ db }: Database): SessionsService {
  async function get(scope: Scope, id: string): Promise<SessionRow> {
    const row = await guard(findSession(db, scope, id));
    if (!row) throw new AppError('not-found', `no session ${id}`);
    return row;
  }

  return {
    async create(scope, input) {
      const id = newSessionId();
      const writeToken = newWriteToken();
      const row = {
        id,
        tenant_id: scope.tenantId,
        owner_id: input.ownerId ?? null,
        kind: input.kind,
        status: 'active' as const,
        source: input.source ?? 'live',
        write_key: await sha256Hex(writeToken),
        meta: JSON.stringify(input.meta ?? {}),
        head_hash: await genesisHash(id),
      };
      await guard(insertSession(db, row));
      return { session: await get(scope, id), writeToken };
    },
    get,
    async end(scope, id) {
      const row = await guard(endSession(db, scope, id));
      if (!row) throw new AppError('not-found', `no session ${id}`);
      return row;
    },
    async events(scope, id, after, limit) {
      await get(scope, id);
      return guard(listEvents(db, scope, id, after, limit));
    },
    async bundle(scope, id) {
      const s = await get(scope, id);
      const batches = await guard(listBatches(db, scope, id));
      const events: VeritasEvent[] = [];
      for (let after = -1; after < s.next_seq - 1; ) {
        const page = await guard(listEvents(db, scope, id, after, 10_000));
        if (page.length === 0) break;
        events.push(...page);
        after = page[page.length - 1]!.seq;
      }
      return {
        format: BUNDLE_FORMAT,
        session: {
          id: s.id,
          kind: s.kind as SessionKind,
          createdAt: s.created_at.toISOString(),
          ...(s.ended_at ? { endedAt: s.ended_at.toISOString() } : {}),
          meta: s.meta as SessionMeta,
        },
        batches: batches.map((b) => ({
          firstSeq: b.first_seq,
          events: events.slice(b.first_seq, b.first_seq + b.count),
          prevHash: b.prev_hash,
          hash: b.hash,
          ...(b.mac ? { mac: b.mac } : {}),
        })),
      };
    },
    listBySource: (scope, source, limit) => guard(listSessionsBySource(db, scope, source, limit)),
  };
}
