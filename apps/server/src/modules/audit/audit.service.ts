import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { actorIdentity, type Actor } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { isDatabaseUnavailable } from '../../platform/db/availability';
import { auditHash } from './audit-hash';
import { chainAnchor } from './audit-cut.repository';
import { allChains, appendAuditEntries, chainHead, chainPage, GENESIS_HASH, searchAudit, type AuditQuery, type AuditRow } from './audit.repository';

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
  /** The first entry checked, when retention deleted the ones before it (`entries` counts from here). */
  from?: number;
}

export interface AuditService {
  /** Records an entry in its own transaction, or in `trx` so it commits (or not) with the write it describes. */
  record(input: AuditInput, trx?: Kysely<DB>): Promise<AuditRow>;
  /** Walks every chain (or one) and checks each entry's hash, its link to the one before, and the head. */
  verify(chain?: string): Promise<ChainReport[]>;
  search(query: AuditQuery): Promise<AuditRow[]>;
}

const PAGE = 1000;
/** Entries of one chain appended in one transaction at most: a bounded statement, whatever the burst. */
const GROUP = 200;

interface Waiting {
  row: ReturnType<typeof rowOfInput>;
  done: (row: AuditRow) => void;
  failed: (err: unknown) => void;
}

function rowOfInput(input: AuditInput, at: Date) {
  const who = actorIdentity(input.actor);
  return {
    id: randomUUID(),
    chain: chainOf(input.tenantId),
    tenant_id: input.tenantId,
    at,
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

export function createAuditService(database: Database, clock: () => Date = () => new Date()): AuditService {
  const rowOf = (input: AuditInput) => rowOfInput(input, clock());
  const append = (chain: string, rows: Waiting['row'][]) => database.db.transaction().execute((t) => appendAuditEntries(t, chain, rows, auditHash));

  /**
   * Entries recorded on their own wait for their chain: while one transaction holds the chain's head,
   * the entries that arrive meanwhile queue and go in the next one together (one lock and one commit
   * for the group, not one each: the head row serialises every append of a tenant). Each caller's
   * promise settles when its entry is committed. An entry that fails for any reason but an
   * unreachable database is tried again alone, so it fails alone.
   */
  const waiting = new Map<string, Waiting[]>();
  async function drain(chain: string, queue: Waiting[]): Promise<void> {
    // Entries recorded in the same turn of the event loop (a burst) join the first transaction.
    await Promise.resolve();
    while (queue.length > 0) {
      const group = queue.splice(0, GROUP);
      try {
        const rows = await append(
          chain,
          group.map((w) => w.row),
        );
        group.forEach((w, i) => w.done(rows[i]!));
      } catch (err) {
        if (group.length === 1 || isDatabaseUnavailable(err)) {
          for (const w of group) w.failed(err);
          continue;
        }
        for (const w of group) await append(chain, [w.row]).then(([row]) => w.done(row!), w.failed);
      }
    }
    waiting.delete(chain);
  }
  function enqueue(row: Waiting['row']): Promise<AuditRow> {
    return new Promise<AuditRow>((done, failed) => {
      const queue = waiting.get(row.chain);
      if (queue) {
        queue.push({ row, done, failed });
        return;
      }
      const fresh: Waiting[] = [{ row, done, failed }];
      waiting.set(row.chain, fresh);
      void drain(row.chain, fresh);
    });
  }

  /**
   * Walks a chain from its start: the genesis, or the anchor the audit retention left when it deleted
   * the oldest entries. An anchor counts only when an `audit.purge` entry kept in the chain records
   * that very cut (its seq and hash): the entries after it are hashed, so an anchor moved by hand to
   * hide more deleted entries does not verify.
   */
  async function verifyChain(chain: string): Promise<ChainReport> {
    const anchor = await chainAnchor(database.db, chain);
    const base = anchor?.seq ?? 0;
    const from = anchor ? { from: base + 1 } : {};
    let prev = anchor?.hash ?? GENESIS_HASH;
    let expected = base + 1;
    let anchored = anchor === undefined;
    const held = () => expected - 1 - base;
    for (;;) {
      const page = await chainPage(database.db, chain, expected - 1, PAGE);
      for (const row of page) {
        const seq = Number(row.seq);
        if (seq !== expected) return { chain, entries: held(), ...from, ok: false, broken: { seq: expected, reason: `entry ${expected} is missing` } };
        if (row.prev_hash !== prev) return { chain, entries: held(), ...from, ok: false, broken: { seq, reason: 'does not link to the entry before it' } };
        const { hash, ...unhashed } = row;
        if (auditHash(unhashed) !== hash) return { chain, entries: held(), ...from, ok: false, broken: { seq, reason: 'its content does not match its hash' } };
        if (!anchored && row.action === 'audit.purge' && row.detail.throughSeq === base && row.detail.anchorHash === anchor!.hash) anchored = true;
        prev = hash;
        expected++;
      }
      if (page.length < PAGE) break;
    }
    const head = await chainHead(database.db, chain);
    const last = expected - 1;
    if (head && (Number(head.seq) !== last || head.hash !== prev)) {
      return {
        chain,
        entries: held(),
        ...from,
        ok: false,
        broken: { seq: Number(head.seq), reason: `the chain ends at entry ${last} but its head says ${head.seq}: entries were removed` },
      };
    }
    if (!anchored) {
      return {
        chain,
        entries: held(),
        ...from,
        ok: false,
        broken: { seq: base + 1, reason: `the chain starts after entry ${base}, but no audit.purge entry in it records that cut` },
      };
    }
    return { chain, entries: held(), ...from, ok: true };
  }

  return {
    async record(input, trx) {
      const row = rowOf(input);
      if (trx) return (await appendAuditEntries(trx, row.chain, [row], auditHash))[0]!;
      return enqueue(row).catch(rethrowUnavailable);
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
