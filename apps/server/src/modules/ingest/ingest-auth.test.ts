import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('write token check (the last proven token is remembered, never a wrong one)', () => {
  it("refuses a wrong token, or another session's, after the right one was accepted", async () => {
    const create = async () =>
      (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json() as { id: string; writeToken: string };
    const s = await create();
    const other = await create();
    const [b0, b1] = await chainBatches(s.id, typingEvents('abcdef'), 3, s.writeToken);
    const send = (token: string, b: unknown) =>
      t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${token}` }, payload: b as object });
    expect((await send(s.writeToken, b0)).statusCode).toBe(200);
    const wrong = s.writeToken.slice(0, -1) + (s.writeToken.endsWith('A') ? 'B' : 'A');
    for (const token of [wrong, other.writeToken, s.writeToken + 'x']) {
      const r = await send(token, b1);
      expect(r.statusCode).toBe(401);
      expect(r.json().type).toBe('urn:veritas:problem:invalid-token');
    }
    expect((await send(s.writeToken, b1)).json()).toMatchObject({ ack: 5 });
  });
});
