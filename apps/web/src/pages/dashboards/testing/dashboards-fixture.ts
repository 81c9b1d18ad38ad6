/**
 * The dashboards' browser tests' data, made through the real API as people would make it (Node only,
 * never bundled): an exam, attempts recorded with sealed batches, scores, the results released.
 */
import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { vi } from 'vitest';
import type { WebServer } from '../../../testing/real-server';

export async function call<T>(web: WebServer, path: string, token: string, init: { method?: string; body?: unknown; bearer?: string } = {}): Promise<T> {
  const res = await fetch(`${web.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.bearer ?? token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An exam open now for these classes, by the teacher holding `token`. */
export async function createExam(web: WebServer, token: string, title: string, classIds: string[]): Promise<string> {
  const hour = 3_600_000;
  const body = {
    title,
    subject: 'Geography',
    kind: 'writing',
    maxScore: 20,
    passMark: 10,
    durationMinutes: 60,
    opensAt: new Date(Date.now() - hour).toISOString(),
    closesAt: new Date(Date.now() + 3 * hour).toISOString(),
    classIds,
  };
  return (await call<{ id: string }>(web, '/v1/exams', token, { method: 'POST', body })).id;
}

/** A student's attempt: started, `events` sent as the recorder sends them (chained, sealed batches), submitted. */
export async function takeExam(web: WebServer, token: string, examId: string, events: VeritasEvent[]): Promise<{ attemptId: string; sessionId: string }> {
  const started = await call<{ attempt: { id: string }; session: { id: string }; writeToken: string }>(web, `/v1/exams/${examId}/attempts`, token, {
    method: 'POST',
  });
  const sessionId = started.session.id;
  const key = await macKeyFromToken(started.writeToken);
  let prev = await genesisHash(sessionId);
  for (let i = 0; i < events.length; i += 100) {
    const batch = await sealBatch(events.slice(i, i + 100), prev, key);
    await call(web, `/v1/sessions/${sessionId}/events`, token, { method: 'POST', body: batch, bearer: started.writeToken });
    prev = batch.hash;
  }
  await call(web, `/v1/attempts/${started.attempt.id}/submit`, token, { method: 'POST' });
  return { attemptId: started.attempt.id, sessionId };
}

/** Waits (polled, a generous ceiling) until `check` holds. */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`still waiting for ${what}`);
    },
    { timeout: 120_000, interval: 200 },
  );
}
