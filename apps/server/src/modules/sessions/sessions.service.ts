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
import type { Database, Db } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import { resolveThresholds } from '@veritas/analysis';
import { guard } from '../../platform/db/database-errors';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import { deleteSession, endSession, findSession, insertSession, listSessions, listSessionsBySource, setWriteKey } from './sessions.repository';
import type { Reach } from '../grants';
import type { AuditInput, AuditService } from '../audit';
import { tenantOfCaller, type Caller } from './session-audit';
import { decodeCursor, encodeCursor } from './session-list';
import { countEventsByType, eventWindows, listEvents, seqBounds } from './events.repository';
import { bundleJsonChunks, bundleSession, storedBatches } from './bundle-export';
import { sessionDataCsv, sessionDataJson } from './session-data';

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
  /** The person or key that creates it (a tenant's session); none for an anonymous public session. */
  owner?: SessionOwner;
  source?: 'live' | 'demo';
  /** An exam attempt's deadline: ingest refuses the session's batches from then on, and once it has ended (attempt-closed). */
  closesAt?: Date;
  /** 'server': batches come unsealed and the server chains them (docs/adr/0024); 'client' (default): each batch sealed and MACed by its sender. */
  sealing?: 'client' | 'server';
}

/** Who a tenant's session belongs to: a person (its student, usually) or a partner's API key. */
export interface SessionOwner {
  kind: 'user' | 'api-key';
  id: string;
}

export interface SessionsService {
  /** Creates a session in the scope; with `by`, audited in the same transaction (every request is; seeds and tests need not). */
  create(scope: Scope, input: CreateSessionInput, by?: Caller): Promise<{ session: SessionRow; writeToken: string }>;
  /**
   * `create` inside the caller's transaction `trx` (an exam attempt starting under its row lock). It
   * tells nothing: the caller publishes session.created once its transaction has committed.
   */
  createWithin(trx: Db, scope: Scope, input: CreateSessionInput, by?: Caller): Promise<{ session: SessionRow; writeToken: string }>;
  /**
   * Gives the session a new write token inside `trx` and answers it; the old one writes no more (its
   * batches are refused as invalid-token by ingest, on every instance). Only the SHA-256 is stored, so
   * a token cannot be handed out twice: resuming an attempt after a reload rotates it.
   */
  rotateWriteToken(trx: Db, scope: Scope, id: string): Promise<string>;
  /** Ends the session inside `trx` (audited there with `by`); the caller publishes session.ended after its commit, which drops its cached credential. */
  endWithin(trx: Db, scope: Scope, id: string, by?: Caller): Promise<SessionRow>;
  get(scope: Scope, id: string): Promise<SessionRow>;
  end(scope: Scope, id: string, by?: Caller): Promise<SessionRow>;
  /** Deletes the session and everything of it (events, batches, analysis, alerts, share links), audited with its event count. */
  delete(scope: Scope, id: string, by: Caller): Promise<{ id: string; eventCount: number }>;
  events(scope: Scope, id: string, after: number, limit: number): Promise<VeritasEvent[]>;
  bundle(scope: Scope, id: string): Promise<Bundle>;
  /** The bundle as streamed JSON text, read a page of events at a time. */
  bundleJson(scope: Scope, id: string, pageSize?: number): Promise<AsyncGenerator<string>>;
  /** An ended session's raw data, streamed: JSON (session and events) or CSV (a row per sample of a sensor session, per event otherwise). */
  data(scope: Scope, id: string, format: 'json' | 'csv', pageSize?: number): Promise<AsyncGenerator<string>>;
  listBySource(scope: Scope, source: string, limit: number): Promise<SessionRow[]>;
  /**
   * A page of the sessions in the scope within `reach` (kernel/policy's listingOf per actor: the
   * published demo sessions, or a person's or key's sessions), newest first. `next` is the cursor of the following page.
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
  reach: Reach;
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
  /** Where creations, ends and deletions are recorded. */
  audit: AuditService;
  /** Told when a session is deleted, so a cached write credential of it is dropped. */
  forget?: (sessionId: string) => void;
}

/** An audit entry about a session, in the caller's tenant. */
function entry(by: Caller, action: string, sessionId: string, detail?: Record<string, unknown>): AuditInput {
  return {
    tenantId: tenantOfCaller(by.actor),
    actor: by.actor,
    action,
    resource: { type: 'session', id: sessionId },
    context: by.context,
    ...(detail ? { detail } : {}),
  };
}

export function createSessionsService({ database, events, audit, forget }: SessionsDeps): SessionsService {
  // An ended session's credential goes once its end is committed and told (by end(), or by endWithin's
  // caller after its commit): dropped before, a batch read in between found it open and cached it again.
  events.on('session.ended', ({ sessionId }) => forget?.(sessionId));
  const { db } = database;
  async function get(scope: Scope, id: string): Promise<SessionRow> {
    const row = await guard(findSession(db, scope, id));
    if (!row) throw new AppError('not-found', `no session ${id}`);
    return row;
  }

  /** Inserts a new session (and its audit entry) in `trx`: the one way a session is made. */
  async function insertNew(trx: Db, scope: Scope, input: CreateSessionInput, by: Caller | undefined): Promise<{ id: string; writeToken: string }> {
    const id = newSessionId();
    const writeToken = newWriteToken();
    const row = {
      id,
      tenant_id: scope.tenantId,
      owner_id: input.owner?.id ?? null,
      owner_kind: input.owner?.kind ?? null,
      kind: input.kind,
      status: 'active' as const,
      source: input.source ?? 'live',
      write_key: await sha256Hex(writeToken),
      meta: JSON.stringify(input.meta ?? {}),
      analysis_settings: JSON.stringify(checkedSettings(input.analysis)),
      head_hash: await genesisHash(id),
      ...(input.closesAt ? { closes_at: input.closesAt } : {}),
      ...(input.sealing === 'server' ? { sealing: 'server' as const } : {}),
    };
    await insertSession(trx, row);
    if (by)
      await audit.record(
        entry(by, 'session.create', id, { kind: input.kind, source: row.source, ...(input.sealing === 'server' ? { sealing: 'server' } : {}) }),
        trx,
      );
    return { id, writeToken };
  }

  return {
    async create(scope, input, by) {
      const made = await guard(db.transaction().execute((trx) => insertNew(trx, scope, input, by)));
      const session = await get(scope, made.id);
      await events.publish('session.created', { sessionId: made.id, scope });
      return { session, writeToken: made.writeToken };
    },
    async createWithin(trx, scope, input, by) {
      const made = await insertNew(trx, scope, input, by);
      const session = await findSession(trx, scope, made.id);
      if (!session) throw new Error(`session ${made.id} was not stored`);
      return { session, writeToken: made.writeToken };
    },
    async rotateWriteToken(trx, scope, id) {
      const writeToken = newWriteToken();
      if (!(await setWriteKey(trx, scope, id, await sha256Hex(writeToken)))) throw new AppError('not-found', `no session ${id}`);
      // This instance's cached key goes now; any other instance finds the new one when the new token does not match its cache.
      forget?.(id);
      return writeToken;
    },
    async endWithin(trx, scope, id, by) {
      const ended = await endSession(trx, scope, id);
      if (!ended) throw new AppError('not-found', `no session ${id}`);
      if (by) await audit.record(entry(by, 'session.end', id, { eventCount: ended.next_seq }), trx);
      // Its credential is dropped when the caller tells session.ended, after the commit (above).
      return ended;
    },
    get,
    async end(scope, id, by) {
      const row = await guard(
        db.transaction().execute(async (trx) => {
          const ended = await endSession(trx, scope, id);
          if (ended && by) await audit.record(entry(by, 'session.end', id, { eventCount: ended.next_seq }), trx);
          return ended;
        }),
      );
      if (!row) throw new AppError('not-found', `no session ${id}`);
      // Ending twice tells it twice: subscribers are idempotent (one analysis job per session).
      await events.publish('session.ended', { sessionId: id, scope });
      return row;
    },
    async delete(scope, id, by) {
      const deleted = await guard(
        db.transaction().execute(async (trx) => {
          const row = await deleteSession(trx, scope, id);
          // Recorded with the deletion or not at all: the entry is what is left of the session.
          if (row) await audit.record(entry(by, 'session.delete', id, { eventCount: row.next_seq, kind: row.kind, source: row.source }), trx);
          return row;
        }),
      );
      if (!deleted) throw new AppError('not-found', `no session ${id}`);
      forget?.(id);
      return { id, eventCount: deleted.next_seq };
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
    async data(scope, id, format, pageSize) {
      // Checked before the first byte goes out: an unknown session is a clean 404, an active one a 409.
      const s = await get(scope, id);
      if (s.status !== 'ended') throw new AppError('session-not-ended', `session ${id} is still active; end it first`);
      return format === 'csv' ? sessionDataCsv(db, scope, s, pageSize) : sessionDataJson(db, scope, s, pageSize);
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
