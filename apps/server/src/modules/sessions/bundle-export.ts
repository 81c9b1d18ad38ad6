import { BUNDLE_FORMAT, type Batch, type Bundle, type SessionKind, type SessionMeta, type VeritasEvent } from '@veritas/schema';
import type { Db } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import type { Scope } from '../../kernel/scope';
import { eventPages } from './events.repository';
import { listBatches } from './batches.repository';
import { guard } from '../../platform/db/database-errors';

export const EXPORT_PAGE = 10_000;

export function bundleSession(s: SessionRow): Bundle['session'] {
  return {
    id: s.id,
    kind: s.kind as SessionKind,
    createdAt: s.created_at.toISOString(),
    ...(s.ended_at ? { endedAt: s.ended_at.toISOString() } : {}),
    meta: s.meta as SessionMeta,
    ...(s.sealing === 'server' ? { sealing: 'server' as const } : {}),
  };
}

/**
 * A stored session's batches in order, each with its events, reading events a page at a time so a
 * long session is never held in memory whole. Stored events run from seq 0 without gaps, so each
 * batch takes the next `count` of them.
 */
export async function* storedBatches(db: Db, scope: Scope, session: SessionRow, pageSize = EXPORT_PAGE): AsyncGenerator<Batch> {
  const batches = await guard(listBatches(db, scope, session.id));
  const pages = eventPages(db, scope, session.id, -1, pageSize);
  let buffer: VeritasEvent[] = [];
  let at = 0;
  for (const b of batches) {
    while (buffer.length - at < b.count) {
      const next = await guard(pages.next());
      if (next.done) throw new Error(`events of session ${session.id} stop inside the batch at ${b.first_seq}`);
      buffer = buffer.slice(at).concat(next.value);
      at = 0;
    }
    const events = buffer.slice(at, at + b.count);
    at += b.count;
    // A session's sealer is declared once, at creation: every batch of it was sealed the same way (docs/adr/0024).
    yield {
      firstSeq: b.first_seq,
      events,
      prevHash: b.prev_hash,
      hash: b.hash,
      ...(b.mac ? { mac: b.mac } : {}),
      ...(session.sealing === 'server' ? { sealedBy: 'server' as const } : {}),
    };
  }
}

/** The bundle as JSON text, produced piece by piece for streaming: the same bytes as JSON.stringify(bundle). */
export async function* bundleJsonChunks(db: Db, scope: Scope, session: SessionRow, pageSize = EXPORT_PAGE): AsyncGenerator<string> {
  yield `{"format":${JSON.stringify(BUNDLE_FORMAT)},"session":${JSON.stringify(bundleSession(session))},"batches":[`;
  let first = true;
  for await (const batch of storedBatches(db, scope, session, pageSize)) {
    yield (first ? '' : ',') + JSON.stringify(batch);
    first = false;
  }
  yield ']}';
}
