import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@veritas/schema';
import { AppError } from '../../kernel/errors';
import type { IdempotencyService } from '../../modules/idempotency';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A creating route: a request sent with an `Idempotency-Key` header is answered once, and its retries get that answer. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyClaim?: { lookupHash: string; key: string };
  }
}

// Visible ASCII only, as an RFC 8941 string may be (a quoted one is unquoted first).
const KEY = /^[\x21-\x7e]{1,255}$/;

function keyOf(header: string | string[]): string {
  const raw = Array.isArray(header) ? header.join(',') : header;
  const unquoted = /^"(.*)"$/.exec(raw)?.[1] ?? raw;
  if (!KEY.test(unquoted)) throw new AppError('idempotency-key-invalid');
  return unquoted;
}

/** Who is asking: the same key from another caller is another request (and can never read this one's answer). */
function principalOf(req: FastifyRequest): { principal: string; tenantId: string | null } {
  const actor = req.actor;
  if (actor.kind === 'user') return { principal: `tenant:${actor.tenantId}|user:${actor.userId}`, tenantId: actor.tenantId };
  if (actor.kind === 'api-key') return { principal: `tenant:${actor.tenantId}|api-key:${actor.keyId}`, tenantId: actor.tenantId };
  // Anonymous callers (public sessions) are told apart by their address (the real client's, behind a trusted proxy).
  return { principal: `${actor.kind}|address:${req.ip}`, tenantId: null };
}

function fingerprintOf(req: FastifyRequest): string {
  const request = canonicalJson({
    method: req.method,
    route: req.routeOptions.url,
    params: req.params ?? null,
    query: req.query ?? null,
    body: req.body ?? null,
  });
  return createHash('sha256').update(request).digest('hex');
}

/**
 * Idempotency-Key on creating routes (IETF draft "The Idempotency-Key HTTP Header Field"): the first
 * request's 2xx answer is kept, sealed with the key (modules/idempotency), and replayed to retries;
 * a failed first request frees the key. Runs after the access hook and validation, so a refused or
 * malformed request never claims a key. See docs/adr/0021-idempotency-keys.md.
 */
export function installIdempotency(app: FastifyInstance, store: IdempotencyService): void {
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.routeOptions.config.idempotent) return;
    const header = req.headers['idempotency-key'];
    if (header === undefined) return;
    const key = keyOf(header);
    const { principal, tenantId } = principalOf(req);
    const { lookupHash, outcome } = await store.begin({ key, principal, tenantId, fingerprint: fingerprintOf(req) });
    switch (outcome.kind) {
      case 'claimed':
        req.idempotencyClaim = { lookupHash, key };
        return;
      case 'replay':
        reply.code(outcome.status).header('idempotent-replayed', 'true');
        if (outcome.contentType) reply.type(outcome.contentType);
        return reply.send(outcome.body);
      case 'in-flight':
        reply.header('retry-after', '1');
        throw new AppError('idempotency-in-flight');
      case 'reused':
        throw new AppError('idempotency-key-reused');
    }
  });

  // Kept before the answer leaves, so a retry that arrives the moment the client has it finds it.
  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotencyClaim;
    if (!claim) return payload;
    req.idempotencyClaim = undefined;
    const ok = reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string';
    try {
      if (ok) await store.complete(claim.lookupHash, claim.key, reply.statusCode, String(reply.getHeader('content-type') ?? '') || null, payload);
      else await store.release(claim.lookupHash);
    } catch (err) {
      // The create itself is done (or failed) either way: a retry then finds the key in flight until it is stale.
      req.log.warn({ err }, 'could not keep the idempotent answer');
    }
    return payload;
  });

  // An answer never sent (the client went away mid-request): free the key.
  app.addHook('onResponse', async (req) => {
    const claim = req.idempotencyClaim;
    if (!claim) return;
    req.idempotencyClaim = undefined;
    await store.release(claim.lookupHash).catch((err: unknown) => req.log.warn({ err }, 'could not free an idempotency key'));
  });
}
