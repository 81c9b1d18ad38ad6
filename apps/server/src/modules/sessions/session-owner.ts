import type { Actor } from '../../kernel/actor';
import type { SessionOwner } from './sessions.service';

/**
 * Who a new session belongs to, from who creates it: a person or a key of a tenant (the session then
 * lives in their tenant); nobody for an anonymous public session. Never from the body: a client
 * cannot name a tenant or an owner.
 */
export function ownerOf(actor: Actor): SessionOwner | undefined {
  if (actor.kind === 'user') return { kind: 'user', id: actor.userId };
  if (actor.kind === 'api-key') return { kind: 'api-key', id: actor.keyId };
  return undefined;
}
