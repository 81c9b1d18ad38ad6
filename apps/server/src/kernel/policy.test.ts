import { describe, expect, it } from 'vitest';
import { ACCESS_LEVELS, decide, listingOf, LISTING, POLICY } from './policy';
import type { Actor } from './actor';
import { PUBLIC_SCOPE, tenantScope } from './scope';

const actors: Record<Actor['kind'], Actor> = {
  anonymous: { kind: 'anonymous' },
  'session-reader': { kind: 'session-reader', sessionId: 's1', scope: PUBLIC_SCOPE },
  'session-writer': { kind: 'session-writer', sessionId: 's1', scope: PUBLIC_SCOPE, macKey: 'k' },
};

describe('policy', () => {
  it('decides every access × actor kind as the table says', () => {
    for (const access of ACCESS_LEVELS) {
      for (const [kind, actor] of Object.entries(actors)) {
        const d = decide(actor, access, { sessionId: 's1', publicSessions: true });
        expect(d.allowed, `${access} × ${kind}`).toBe(POLICY[access][kind as Actor['kind']]);
      }
    }
    // The table itself, spelled out, so a change to it is a change to this test.
    expect(POLICY).toEqual({
      anyone: { anonymous: true, 'session-reader': true, 'session-writer': true },
      public: { anonymous: true, 'session-reader': true, 'session-writer': true },
      reader: { anonymous: false, 'session-reader': true, 'session-writer': true },
      writer: { anonymous: false, 'session-reader': false, 'session-writer': true },
    });
  });

  it('refuses a capability for another session as if there were none', () => {
    expect(decide(actors['session-writer'], 'writer', { sessionId: 's2', publicSessions: true })).toEqual({ allowed: false, code: 'invalid-token' });
    expect(decide(actors['session-reader'], 'reader', { sessionId: 's2', publicSessions: true })).toEqual({ allowed: false, code: 'not-found' });
  });

  it('names why a writer route is refused', () => {
    const target = { sessionId: 's1', publicSessions: true };
    expect(decide(actors.anonymous, 'writer', target)).toMatchObject({ allowed: false, code: 'missing-token' });
    expect(decide(actors['session-reader'], 'writer', target)).toMatchObject({ allowed: false, code: 'missing-token' });
    expect(decide({ kind: 'session-reader', sessionId: 's1', scope: PUBLIC_SCOPE, refusedToken: 'invalid-token' }, 'writer', target)).toMatchObject({
      code: 'invalid-token',
    });
    expect(decide({ kind: 'session-reader', sessionId: 's1', scope: PUBLIC_SCOPE, refusedToken: 'not-found' }, 'writer', target)).toMatchObject({
      code: 'not-found',
    });
  });

  it('closes public routes when the server takes no anonymous sessions', () => {
    for (const actor of Object.values(actors)) {
      expect(decide(actor, 'public', { publicSessions: false })).toEqual({ allowed: false, code: 'public-sessions-disabled' });
      expect(decide(actor, 'anyone', { publicSessions: false }).allowed).toBe(true);
    }
  });

  it('lists only published sessions of the public scope for every actor of today, whatever scope it holds', () => {
    expect(LISTING).toEqual({ anonymous: 'published', 'session-reader': 'published', 'session-writer': 'published' });
    const tenantWriter: Actor = { kind: 'session-writer', sessionId: 's1', scope: tenantScope('t1'), macKey: 'k' };
    for (const actor of [...Object.values(actors), tenantWriter]) expect(listingOf(actor)).toEqual({ scope: PUBLIC_SCOPE, publishedOnly: true });
  });
});
