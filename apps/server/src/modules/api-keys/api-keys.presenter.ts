import type { Static } from '@sinclair/typebox';
import type { ApiScope } from '../../kernel/actor';
import type { ApiKeyRow } from './api-keys.repository';
import type { ApiKeyView } from './api-keys.schemas';

/** A key as lists show it: never its hash. */
export function presentApiKey(k: ApiKeyRow): Static<typeof ApiKeyView> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes as ApiScope[],
    createdAt: k.created_at.toISOString(),
    createdBy: k.created_by,
    lastUsedAt: k.last_used_at ? k.last_used_at.toISOString() : null,
    revokedAt: k.revoked_at ? k.revoked_at.toISOString() : null,
  };
}
