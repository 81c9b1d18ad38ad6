import { Type, type Static } from '@sinclair/typebox';
import type { ShareLinkRow } from './share-links.repository';

/** What a link opens: the replay (events, replay, bundle, live), the report (analysis, report, alerts, certificate), or both. */
export const ShareScopeSchema = Type.Union([Type.Literal('replay'), Type.Literal('report'), Type.Literal('both')], {
  description: 'What the link opens: the replay, the report, or both',
});

export const ShareLinkView = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  scope: ShareScopeSchema,
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()], { description: 'The person who created it' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Noted at most once a minute' }),
});

export const CreatedShareLink = Type.Composite([
  ShareLinkView,
  Type.Object({
    token: Type.String({ description: 'Shown once: only its hash is stored' }),
    url: Type.String({ description: 'The share page with the token: <base>/shared/<id>?share=<token>' }),
  }),
]);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentShareLink(l: ShareLinkRow, now = Date.now()): Static<typeof ShareLinkView> {
  const state = l.revoked_at ? 'revoked' : l.expires_at && l.expires_at.getTime() <= now ? 'expired' : 'active';
  return {
    id: l.id,
    sessionId: l.session_id,
    scope: l.scope,
    state,
    createdAt: l.created_at.toISOString(),
    createdBy: l.created_by,
    expiresAt: iso(l.expires_at),
    revokedAt: iso(l.revoked_at),
    lastUsedAt: iso(l.last_used_at),
  };
}
