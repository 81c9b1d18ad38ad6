import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app';
import { loadConfig } from '../../config/config';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { buildPerson, buildTenant } from '../../testing/people';

interface LogLine {
  msg: string;
  reqId?: string;
  actor?: { kind: string; id: string | null; tenantId?: string };
}

let database: TestDatabase;
let app: App;
const lines: LogLine[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = await buildApp({
    config: loadConfig({}, { dataDir: undefined, logLevel: 'info' }),
    database: database.database,
    logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } as never,
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const completed = (reqId: string) => lines.find((l) => l.reqId === reqId && l.msg === 'request completed');

describe('request logs', () => {
  it('name the person behind a request, with its request id, and never their token', async () => {
    const tenant = await buildTenant(app);
    const teacher = await buildPerson(app, tenant, 'teacher');
    const r = await app.inject({ url: '/v1/me', headers: { ...teacher.headers, 'x-request-id': 'log-actor-1' } });
    expect(r.statusCode).toBe(200);
    expect(completed('log-actor-1')?.actor).toEqual({ kind: 'user', id: teacher.user.id, tenantId: tenant.id });
    expect(JSON.stringify(lines.filter((l) => l.reqId === 'log-actor-1'))).not.toContain(teacher.token);
  });

  it('name a session writer by its session, and leave anonymous requests without an actor', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' }, headers: { 'x-request-id': 'log-anon-1' } });
    expect(created.statusCode).toBe(201);
    expect(completed('log-anon-1')).toBeDefined();
    expect(completed('log-anon-1')?.actor).toBeUndefined();
    const { id, writeToken } = created.json() as { id: string; writeToken: string };
    await app.inject({ url: `/v1/sessions/${id}`, headers: { authorization: `Bearer ${writeToken}`, 'x-request-id': 'log-writer-1' } });
    expect(completed('log-writer-1')?.actor).toEqual({ kind: 'session-writer', id });
  });
});
