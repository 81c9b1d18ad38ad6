import { randomBytes } from 'node:crypto';
import {
  genesisHash,
  sha256Hex,
  BUNDLE_FORMAT,
  type Batch,
  type Bundle,
  type AnalysisSettings,
  type SessionKind,
  type SessionMeta,
  type VeritasEvent,
} from '@veritas/schema';
import type { Database } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import { resolveThresholds } from '@veritas/analysis';
import { guard } from '../../platform/db/database-errors';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import { endSession, findSession, insertSession, listSessions, listSessionsBySource } from './sessions.repository';
import { decodeCursor, encodeCursor } from './session-list';
import { countEventsByType, eventWindows, listEvents, seqBounds } from './events.repository';
import { bundleJsonChunks, bundleSession, storedBatches } from './bundle-export';

/** Per-session analysis settings as stored (checked at creation; the analysis module applies them). */
export type { AnalysisSettings } from '@veritas/schema';

/** Refuses unknown or out-of-range thresholds now, with the name, rather than in a job later. */
function checkedSettings(settings: AnalysisSettings | undefined): AnalysisSettings {
  if (!settings) return {};
  try {
    resolveThresholds(settings.thresholds);
  } catch (err) {
    throw new AppError('invalid-request', `analysis.thresholds: ${(err as Error).message}`);
  }
  return settings;
}

/**
 * Seqs per window when a whole session is walked for its replay: a few hundred KB of rows at a
 * time, the next window read while this one is used (400,000 events: 1,000 gave the lowest peak,
 * 4,000 the same time; bench/README.md).
 */
const EVENT_PAGE = 1_000;

/** 128 random bits, URL-safe: the session id is a read capability, so it must not be guessable. */
export const newSessionId = () => randomBytes(16).toString('base64url');
/** 256 random bits: the write capability. Only its SHA-256 is stored. */
export const newWriteToken = () => randomBytes(32).toString('base64url');

export interface CreateSessionInput {
  kind: SessionKind;
  meta?: SessionMeta;
  /** Thresholds and host-signal choice for this session's analysis (an exam's settings). */
  analysis?: AnalysisSettings;
  ownerId?: string | null;
  source?: 'live' | 'demo';
}

export interface SessionsService {
  create(scope: Scope, input: CreateSessionInput): Promise<{ session: SessionRow; writeToken: string }>;
  get(scope: Scope, id: string): Promise<SessionRow>;
  end(scope: Scope, id: string): Promise<SessionRow>;
  events(scope: Scope, id: string, after: number, limit: number): Promise<VeritasEvent[]>;
  bundle(scope: Scope, id: string): Promise<Bundle>;
  /** The bundle as streamed JSON text, read a page of events at a time. */
  bundleJson(scope: Scope, id: string, pageSize?: number): Promise<AsyncGenerator<string>>;
  listBySource(scope: Scope, source: string, limit: number): Promise<SessionRow[]>;
  /**
   * A page of the sessions in the scope, newest first; `publishedOnly` keeps the demo sessions only
   * (what kernel/policy's listingOf decides per actor). `next` is the cursor of the following page.
   */
  list(scope: Scope, query: SessionListQuery): Promise<{ items: SessionRow[]; next: string | null }>;
  /**
   * A session (checked now, so an unknown one is a clean 404) and its events a window of `pageSize`
   * seqs at a time, in seq order, up to the last stored when this was called, as often as the caller
   * walks them; `types` keeps only those event types. A page's array is emptied when the next one is
   * asked for (its events stay as they are): keep the events, not the array.
   */
  eventSource(
    scope: Scope,
    id: string,
    pageSize?: number,
  ): Promise<{ session: SessionRow; pages(types?: readonly string[]): AsyncGenerator<VeritasEvent[]>; countByType(): Promise<Record<string, number>> }>;
}

export interface SessionListQuery {
  publishedOnly: boolean;
  kind?: string;
  status?: 'active' | 'ended';
  /** The `next` of the previous page. */
  cursor?: string;
  limit: number;
}

export interface SessionsDeps {
  database: Database;
  /** Told session.created and session.ended. */
  events: EventBus;
}

export function createSessionsService({ database: { db }, events }: SessionsDeps): SessionsService {
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
        analysis_settings: JSON.stringify(checkedSettings(input.analysis)),
        head_hash: await genesisHash(id),
      };
      await guard(insertSession(db, row));
      const session = await get(scope, id);
      await events.publish('session.created', { sessionId: id, scope });
      return { session, writeToken };
    },
    get,
    async end(scope, id) {
      const row = await guard(endSession(db, scope, id));
      if (!row) throw new AppError('not-found', `no session ${id}`);
      // Ending twice tells it twice: subscribers are idempotent (one analysis job per session).
      await events.publish('session.ended', { sessionId: id, scope });
      return row;
    },
    async events(scope, id, after, limit) {
      await get(scope, id);
      return guard(listEvents(db, scope, id, after, limit));
    },
    async bundle(scope, id) {
      const s = await get(scope, id);
      const batches: Batch[] = [];
      for await (const b of storedBatches(db, scope, s)) batches.push(b);
      return { format: BUNDLE_FORMAT, session: bundleSession(s), batches };
    },
    async bundleJson(scope, id, pageSize) {
      // Checked before the first byte goes out, so an unknown session is still a clean 404.
      const s = await get(scope, id);
      return bundleJsonChunks(db, scope, s, pageSize);
    },
    listBySource: (scope, source, limit) => guard(listSessionsBySource(db, scope, source, limit)),
    async list(scope, { cursor, ...query }) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      // One row more than asked tells whether a next page exists without a second query.
      const rows = await guard(listSessions(db, scope, { ...query, ...(after ? { after } : {}), limit: query.limit + 1 }));
      const items = rows.slice(0, query.limit);
      const last = items[items.length - 1];
      const next = rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at_exact, id: last.id }) : null;
      return { items, next };
    },
    async eventSource(scope, id, pageSize = EVENT_PAGE) {
      const session = await get(scope, id);
      // The events stored when the read starts: later ones (a live session) are the next read's.
      const bounds = await guard(seqBounds(db, scope, id));
      async function* pages(types?: readonly string[]): AsyncGenerator<VeritasEvent[]> {
        if (!bounds) return;
        const it = eventWindows(db, scope, id, bounds, pageSize, types);
        for (let next = await guard(it.next()); !next.done; next = await guard(it.next())) yield next.value;
      }
      return { session, pages, countByType: () => guard(countEventsByType(db, scope, id)) };
    },
  };
}
