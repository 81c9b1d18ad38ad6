import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { actorIdentity, type Actor } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { auditHash } from './audit-hash';
import { allChains, appendAuditEntry, chainHead, chainPage, GENESIS_HASH, searchAudit, type AuditQuery, type AuditRow } from './audit.repository';

/** Where a request came from, for the audit: its address and request id. */
export interface RequestContext {
  ip: string | null;
  requestId: string | null;
}

/** One thing that happened: who did what to which resource, in which tenant (null: the public scope). */
export interface AuditInput {
  tenantId: string | null;
  actor: Actor;
  /** `<resource>.<verb>`, e.g. `session.create`, `user.invite`, `session.events.read`. */
  action: string;
  resource: { type: string; id: string | null };
  context: RequestContext;
  detail?: Record<string, unknown>;
}

/** The chain a tenant's entries go to; the tenant-less (public sessions, server operations) share one. */
export const PUBLIC_CHAIN = 'public';
export const chainOf = (tenantId: string | null) => tenantId ?? PUBLIC_CHAIN;

export interface ChainReport {
  chain: string;
  entries: number;
  ok: boolean;
  /** The first entry that does not hold, and why. */
  broken?: { seq: number; reason: string };
}

export interface AuditService {
  /** Records an entry in its own transaction, or in `trx` so it commits (or not) with the write it describes. */
  record(input: AuditInput, trx?: Kysely<DB>): Promise<AuditRow>;
  /** Walks every chain (or one) and checks each entry's hash, its link to the one before, and the head. */
  verify(chain?: string): Promise<ChainReport[]>;
  search(query: AuditQuery): Promise<AuditRow[]>;
}

const PAGE = 1000;

export function createAuditService(database: Database, clock: () => Date = () => new Date()): AuditService {
  function rowOf(input: AuditInput) {
    const who = actorIdentity(input.actor);
    return {
      id: randomUUID(),
      chain: chainOf(input.tenantId),
      tenant_id: input.tenantId,
      at: clock(),
      actor_kind: who.kind,
      actor_id: who.id,
      auth_method: who.authMethod,
      action: input.action,
      resource_type: input.resource.type,
      resource_id: input.resource.id,
      ip: input.context.ip,
      request_id: input.context.requestId,
      detail: input.detail ?? {},
    };
  }

  async function verifyChain(chain: string): Promise<ChainReport> {
    let prev = GENESIS_HASH;
    let expected = 1;
    for (;;) {
      const page = await chainPage(database.db, chain, expected - 1, PAGE);
      for (const row of page) {
        const seq = Number(row.seq);
        if (seq !== expected) return { chain, entries: expected - 1, ok: false, broken: { seq: expected, reason: `entry ${expected} is missing` } };
        if (row.prev_hash !== prev) return { chain, entries: seq - 1, ok: false, broken: { seq, reason: 'does not link to the entry before it' } };
        const { hash, ...unhashed } = row;
        if (auditHash(unhashed) !== hash) return { chain, entries: seq - 1, ok: false, broken: { seq, reason: 'its content does not match its hash' } };
        prev = hash;
        expected++;
      }
      if (page.length < PAGE) break;
    }
    const head = await chainHead(database.db, chain);
    const entries = expected - 1;
    if (head && (Number(head.seq) !== entries || head.hash !== prev)) {
      return {
        chain,
        entries,
        ok: false,
        broken: { seq: Number(head.seq), reason: `the chain ends at entry ${entries} but its head says ${head.seq}: entries were removed` },
      };
    }
    return { chain, entries, ok: true };
  }

  return {
    async record(input, trx) {
      const row = rowOf(input);
      if (trx) return appendAuditEntry(trx, row, auditHash);
      return database.db
        .transaction()
        .execute((t) => appendAuditEntry(t, row, auditHash))
        .catch(rethrowUnavailable);
    },
    async verify(chain) {
      const chains = chain === undefined ? await allChains(database.db) : [chain];
      const reports: ChainReport[] = [];
      for (const c of chains) reports.push(await verifyChain(c));
      return reports;
    },
    search: (query) => searchAudit(database.db, query).catch(rethrowUnavailable),
  };
}
