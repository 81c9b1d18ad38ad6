/** Helpers of the exam live tests: an exam of a teacher's class, a student's attempt fed batch by batch, tickets. */
import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import WebSocket from 'ws';
import type { App } from '../http/app';
import type { Person } from './people';

export async function classOf(app: App, teacher: Person): Promise<string> {
  const row = await app.services.database.db.selectFrom('classes').select('id').where('teacher_id', '=', teacher.user.id).executeTakeFirstOrThrow();
  return row.id;
}

export async function createExam(app: App, teacher: Person, overrides: Record<string, unknown> = {}): Promise<string> {
  const hour = 3_600_000;
  const r = await app.inject({
    method: 'POST',
    url: '/v1/exams',
    headers: teacher.headers,
    payload: {
      title: 'Essay on rivers',
      instructions: 'Write about a river.',
      kind: 'writing',
      maxScore: 20,
      passMark: 10,
      durationMinutes: 60,
      opensAt: new Date(Date.now() - hour).toISOString(),
      closesAt: new Date(Date.now() + 3 * hour).toISOString(),
      classIds: [await classOf(app, teacher)],
      ...overrides,
    },
  });
  if (r.statusCode !== 201) throw new Error(`creating an exam answered ${r.statusCode}: ${r.body}`);
  return (r.json() as { id: string }).id;
}

/** A student's attempt, with a chain they extend one batch at a time. */
export interface Writer {
  attemptId: string;
  sessionId: string;
  writeToken: string;
  /** Sends these events (their seq numbered on from the last sent) as one batch; resolves once acknowledged. */
  send(app: App, events: Omit<VeritasEvent, 'seq'>[]): Promise<void>;
}

export async function startAttempt(app: App, examId: string, student: Person): Promise<Writer> {
  const r = await app.inject({ method: 'POST', url: `/v1/exams/${examId}/attempts`, headers: student.headers });
  if (r.statusCode !== 201) throw new Error(`starting an attempt answered ${r.statusCode}: ${r.body}`);
  const body = r.json() as { attempt: { id: string; sessionId: string }; writeToken: string };
  const sessionId = body.attempt.sessionId;
  const key = await macKeyFromToken(body.writeToken);
  let prev = await genesisHash(sessionId);
  let next = 0;
  return {
    attemptId: body.attempt.id,
    sessionId,
    writeToken: body.writeToken,
    async send(target, events) {
      const numbered = events.map((e, i) => ({ ...e, seq: next + i }) as VeritasEvent);
      const batch = await sealBatch(numbered, prev, key);
      const res = await target.inject({
        method: 'POST',
        url: `/v1/sessions/${sessionId}/events`,
        headers: { authorization: `Bearer ${body.writeToken}` },
        payload: batch,
      });
      if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}: ${res.body}`);
      prev = batch.hash;
      next += numbered.length;
    },
  };
}

/** A live ticket of an exam for one channel. */
export async function examTicket(app: App, who: Person, examId: string, purpose: 'exam-live' | 'alerts'): Promise<{ ticket: string; url: string }> {
  const r = await app.inject({ method: 'POST', url: `/v1/exams/${examId}/live-tickets`, headers: who.headers, payload: { purpose } });
  if (r.statusCode !== 201) throw new Error(`an exam ticket answered ${r.statusCode}: ${r.body}`);
  return r.json() as { ticket: string; url: string };
}

/** Typed characters at `fromPos`, `gap` ms apart from `fromT`. */
export const typed = (text: string, fromT: number, fromPos = 0, gap = 100): Omit<VeritasEvent, 'seq'>[] =>
  [...text].map(
    (ch, i) =>
      ({ t: fromT + i * gap, type: 'text.op', data: { pos: fromPos + i, del: 0, ins: ch, cause: 'type', trusted: true } }) as Omit<VeritasEvent, 'seq'>,
  );

export interface AlertsClient {
  ws: WebSocket;
  /** Resolves 'open', or the HTTP status the upgrade was refused with. */
  opened: Promise<'open' | number>;
  received: { type: string; [key: string]: unknown }[];
  closed: Promise<number>;
  until(condition: (received: AlertsClient['received']) => boolean, what: string, timeoutMs?: number): Promise<void>;
  send(message: unknown): void;
}

/** An alerts socket as a page of `origin` would open it. */
export function openAlerts(url: string, origin?: string): AlertsClient {
  const ws = new WebSocket(url, origin ? { headers: { origin } } : {});
  const waiters = new Set<() => void>();
  const client: AlertsClient = {
    ws,
    received: [],
    opened: new Promise((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(0));
    }),
    closed: new Promise<number>((r) => ws.once('close', (code) => r(code))),
    until(condition, what, timeoutMs = 20_000) {
      if (condition(client.received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!condition(client.received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(client.received)}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    send: (m) => ws.send(JSON.stringify(m)),
  };
  ws.on('message', (d) => {
    client.received.push(JSON.parse(d.toString()) as AlertsClient['received'][number]);
    for (const w of [...waiters]) w();
  });
  ws.on('error', () => {});
  return client;
}
