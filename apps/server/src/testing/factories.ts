import { BUNDLE_FORMAT, type Bundle, type SessionKind, type SessionMeta, type VeritasEvent } from '@veritas/schema';
import type { FastifyInstance } from 'fastify';
import { chainBatches, typingEvents, type SealedBatch } from './batches';

/**
 * Test factories in the `buildX(overrides)` style: a valid thing by default, the test names only
 * what it is about. `build*` makes values; `create*` stores them through the API, as a client would.
 */

export interface SessionBody {
  kind: SessionKind;
  meta?: SessionMeta;
  analysis?: { thresholds?: Record<string, number | number[]>; acceptHostSignals?: boolean };
}

/** The body of POST /v1/sessions. */
export const buildSessionBody = (overrides: Partial<SessionBody> = {}): SessionBody => ({ kind: 'writing', meta: { title: 'Essay' }, ...overrides });

/** A session created over HTTP: its id and write token (and everything else the answer holds). */
export interface CreatedSession {
  id: string;
  writeToken: string;
  ack: number;
  [key: string]: unknown;
}

export async function createSession(app: FastifyInstance, overrides: Partial<SessionBody> = {}): Promise<CreatedSession> {
  const r = await app.inject({ method: 'POST', url: '/v1/sessions', payload: buildSessionBody(overrides) });
  if (r.statusCode !== 201) throw new Error(`creating a session answered ${r.statusCode}: ${r.body}`);
  return r.json();
}

export interface BatchOverrides {
  sessionId: string;
  /** The session's write token: the batches carry MACs. */
  writeToken?: string;
  /** Typed one character per event (default "hello"); ignored when `events` is given. */
  text?: string;
  events?: VeritasEvent[];
  /** Events per batch (default: all in one). */
  size?: number;
}

/** Sealed, chained batches of a session from seq 0. */
export async function buildBatches({ sessionId, writeToken, text = 'hello', events, size }: BatchOverrides): Promise<SealedBatch[]> {
  const list = events ?? typingEvents(text);
  return chainBatches(sessionId, list, size ?? Math.max(1, list.length), writeToken);
}

/** The first sealed batch of a session (a valid POST /v1/sessions/:id/events body). */
export async function buildBatch(overrides: Omit<BatchOverrides, 'size'>): Promise<SealedBatch> {
  return (await buildBatches(overrides))[0]!;
}

export interface BundleOverrides {
  id?: string;
  kind?: SessionKind;
  text?: string;
  meta?: SessionMeta;
  createdAt?: string;
  endedAt?: string;
  /** Events per batch (default 5). */
  size?: number;
}

/** A valid v1 bundle of a writing session recorded offline. */
export async function buildBundle(overrides: BundleOverrides = {}): Promise<Bundle> {
  const id = overrides.id ?? 'offlineSession0001';
  return {
    format: BUNDLE_FORMAT,
    session: {
      id,
      kind: overrides.kind ?? 'writing',
      createdAt: overrides.createdAt ?? '2026-11-01T10:00:00.000Z',
      endedAt: overrides.endedAt ?? '2026-11-01T10:30:00.000Z',
      meta: overrides.meta ?? { title: 'Offline' },
    },
    batches: await chainBatches(id, typingEvents(overrides.text ?? 'written offline'), overrides.size ?? 5),
  };
}
