import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { SessionRow } from '../../platform/db/tables';
import { linkBase, type SessionView } from '../../http/route-kit';

/** The configured public URL, else the listening address: never the client's Host header. */
export const baseUrl = (req: FastifyRequest, publicUrl?: string): string => linkBase(req, publicUrl);

export function presentSession(s: SessionRow, base: string): Static<typeof SessionView> {
  const api = `${base}/v1/sessions/${s.id}`;
  return {
    id: s.id,
    kind: s.kind as Static<typeof SessionView>['kind'],
    status: s.status,
    source: s.source,
    createdAt: s.created_at.toISOString(),
    ...(s.ended_at ? { endedAt: s.ended_at.toISOString() } : {}),
    ack: s.next_seq - 1,
    eventCount: s.next_seq,
    lastT: s.last_t,
    meta: s.meta as Static<typeof SessionView>['meta'],
    analysis: (s.analysis_settings ?? {}) as Static<typeof SessionView>['analysis'],
    sealing: s.sealing,
    links: { view: `${base}/replay/${s.id}`, events: `${api}/events`, bundle: `${api}/bundle`, ingest: `${api.replace(/^http/, 'ws')}/ingest` },
  };
}
