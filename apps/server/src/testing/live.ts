/** Helpers of the live-stream tests: sessions fed batch by batch, tickets, what an SSE client received. */
import type { VeritasEvent } from '@veritas/schema';
import type { App } from '../http/app';
import { recordAs } from './institution';
import type { Person } from './people';
import { chainBatches, typingEvents, type SealedBatch } from './batches';
import type { SseClient } from './sse-client';

/** A session of a tenant (the student's) with its batches sealed and not yet sent. */
export interface Pending {
  id: string;
  writeToken: string;
  batches: SealedBatch[];
}

export async function studentSession(app: App, student: Person, events: VeritasEvent[] = typingEvents('abcdefghijklmnopqrst'), size = 5): Promise<Pending> {
  const { id, writeToken } = await recordAs(app, student, { events: [], end: false });
  return { id, writeToken, batches: await chainBatches(id, events, size, writeToken) };
}

export async function send(app: App, s: Pending, index: number): Promise<void> {
  const r = await app.inject({
    method: 'POST',
    url: `/v1/sessions/${s.id}/events`,
    headers: { authorization: `Bearer ${s.writeToken}` },
    payload: s.batches[index],
  });
  if (r.statusCode !== 200) throw new Error(`ingest answered ${r.statusCode}: ${r.body}`);
}

export async function end(app: App, s: Pending): Promise<void> {
  const r = await app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
  if (r.statusCode !== 200) throw new Error(`ending answered ${r.statusCode}: ${r.body}`);
}

export async function ticketFor(app: App, headers: Record<string, string>, sessionId: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/live-tickets`, headers });
  if (r.statusCode !== 201) throw new Error(`a live ticket answered ${r.statusCode}: ${r.body}`);
  const body = r.json() as { ticket: string; expiresAt: string; url: string };
  if (body.url !== `/v1/sessions/${sessionId}/live?ticket=${body.ticket}`) throw new Error(`the ticket's url is ${body.url}`);
  return body.ticket;
}

export const seqs = (c: SseClient) => c.messages.filter((m) => m.event === 'message').map((m) => Number(m.id));
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
export const baseOf = (app: App) => {
  const addr = app.server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('the app is not listening');
  return `http://127.0.0.1:${addr.port}`;
};
