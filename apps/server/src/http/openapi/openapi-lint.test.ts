import { describe, expect, it } from 'vitest';
import { createConfig, lint } from '@redocly/openapi-core';
import { OPENAPI_PATH } from './openapi-document';
import { modernTuples, operationIdOf, securityOf } from './openapi-hygiene';

describe('docs/openapi.json under a standard linter', () => {
  it("passes Redocly's recommended rules with no error", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lint({ ref: OPENAPI_PATH, config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    expect(errors).toEqual([]);
    // What client generators need to name methods, and what the issue counted: none missing.
    expect(problems.filter((p) => p.ruleId === 'operation-operationId' || p.ruleId === 'security-defined' || p.ruleId === 'no-empty-servers')).toEqual([]);
  });
});

describe('what the document derives from the routes', () => {
  it('names an operation by its method and path', () => {
    expect(operationIdOf('GET', '/v1/sessions/:id/events')).toBe('getSessionsByIdEvents');
    expect(operationIdOf('DELETE', '/v1/sessions/:id/share-links/:linkId')).toBe('deleteSessionsByIdShareLinksByLinkId');
    expect(operationIdOf('GET', '/.well-known/jwks.json')).toBe('getWellKnownJwksJson');
  });

  it("declares the credentials that can pass a route's access, from the policy table", () => {
    expect(securityOf(['anyone'])).toEqual([]);
    expect(securityOf(['writer'])).toEqual([{ writeToken: [] }]);
    expect(securityOf(['users:manage'])).toEqual([{ accessToken: [] }]);
    expect(securityOf(['public'])).toEqual([{}, { accessToken: [] }, { apiKey: ['sessions:write'] }]);
    expect(securityOf(['reader'])).toEqual([
      {},
      { writeToken: [] },
      { accessToken: [] },
      { apiKey: ['sessions:read'] },
      { shareLink: [] },
      { shareLinkHeader: [] },
    ]);
    // Both must pass: only a person holds the action, whatever reads the session.
    expect(securityOf(['reader', 'sessions:delete'])).toEqual([{ accessToken: [] }]);
  });

  it('writes tuples as JSON Schema 2020-12 does, and leaves examples alone', () => {
    const schema = {
      type: 'array',
      items: [{ type: 'number' }, { type: 'string' }],
      additionalItems: false,
      examples: [{ items: [1, 'a'] }],
    };
    modernTuples(schema);
    expect(schema).toEqual({ type: 'array', prefixItems: [{ type: 'number' }, { type: 'string' }], items: false, examples: [{ items: [1, 'a'] }] });
  });
});
