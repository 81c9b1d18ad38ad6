import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { actorIdentity, type Actor } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { isDatabaseUnavailable } from '../../platform/db/availability';
import { auditHash } from './audit-hash';
import { chainAnchor } from './audit-cut.repository';
import {
  allChains,
  chainHead,
  chainPage,
  GENESIS_HASH,
  hasPending,
  insertPending,
  linkPendingEntries,
  pendingChains,
  searchAudit,
  type AuditQuery,
  type AuditRow,
} from './audit.repository';
import { coalescedByKey } from './coalesced-by-key';

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
  /**
   * Records an entry. In `trx` it commits (or not) with the write it describes, unnumbered, and is
   * linked into its chain soon after the commit (ADR 0033); on its own it is stored and linked before
   * the promise settles.
   */
  record(input: AuditInput, trx?: Kysely<DB>): Promise<void>;
  /**
   * Links the committed pending entries of one chain, or of every chain, now: before a reader that must
   * see them all (the audit retention's cut), and the scheduled sweep, after a process died before its links ran.
   */
  linkPending(chain?: string): Promise<void>;
  /** Walks every chain (or one) and checks each entry's hash, its link to the one before, and the head. */
  verify(chain?: string): Promise<ChainReport[]>;
  search(query: AuditQuery): Promise<AuditRow[]>;
  /** Cancels the links scheduled after commits (their entries wait for the sweep) and waits for the links running. */
  stop(): Promise<void>;
}

interface AuditServiceOptions {
  clock?: () => Date;
  log?: { warn(obj: object, msg: string): void };
}

const PAGE = 1000;
/** Entries of one chain inserted, or linked, in one statement at most: bounded, whatever the burst. */
const GROUP = 200;
const LINKED_AT_ONCE = 500;
/**
 * How long after an entry recorded in a transaction its chain is linked: long enough for that
 * transaction to have committed as a rule, short enough that the chain is seldom behind. An entry
 * whose transaction commits later is linked by the next link of its chain or by the sweep.
 */
const LINK_AFTER_MS = 50;

interface Waiting {
  row: ReturnType<typeof rowOfInput>;
  done: () => void;
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

export function createAuditService(database: Database, options: AuditServiceOptions = {}): AuditService {
  const clock = options.clock ?? (() => new Date());
  const rowOf = (input: AuditInput) => rowOfInput(input, clock());

  /** Moves a chain's committed pending entries into it, a bounded batch per transaction, until none are left. */
  async function linkChain(chain: string): Promise<void> {
    if (!(await hasPending(database.db, chain))) return;
    for (;;) {
      const linked = await database.db.transaction().execute((t) => linkPendingEntries(t, chain, LINKED_AT_ONCE, auditHash));
      if (linked.length < LINKED_AT_ONCE) return;
    }
  }
  // One link of a chain at a time in this process; whoever asks while one runs is served by the next.
  const link = coalescedByKey(linkChain);
  const running = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  const linkLogged = (chain: string) =>
    link(chain).catch((err: unknown) =>
      options.log?.warn({ err, chain }, 'linking audit entries failed; they stay recorded and the next link or the sweep links them'),
    );

  async function linkPending(chain?: string): Promise<void> {
    for (const c of chain === undefined ? await pendingChains(database.db) : [chain]) await link(c);
  }

  let stopped = false;
  const scheduled = new Map<string, NodeJS.Timeout>();
  function linkSoon(chain: string): void {
    if (stopped || scheduled.has(chain)) return;
    const timer = setTimeout(() => {
      scheduled.delete(chain);
      track(linkLogged(chain));
    }, LINK_AFTER_MS);
    timer.unref();
    scheduled.set(chain, timer);
  }

  /**
   * Entries recorded on their own wait for their chain: while one insert runs, the entries that arrive
   * meanwhile queue and go in the next one together (one statement and one commit for the group, not
   * one each). An entry that fails for any reason but an unreachable database is tried again alone, so
   * it fails alone. Each caller's promise settles once its entry is stored and its chain linked.
   */
  const waiting = new Map<string, Waiting[]>();
  async function drain(chain: string, queue: Waiting[]): Promise<void> {
    // Entries recorded in the same turn of the event loop (a burst) join the first insert.
    await Promise.resolve();
    while (queue.length > 0) {
      const group = queue.splice(0, GROUP);
      const stored: Waiting[] = [];
      try {
        await insertPending(
          database.db,
          group.map((w) => w.row),
        );
        stored.push(...group);
      } catch (err) {
        if (group.length === 1 || isDatabaseUnavailable(err)) {
          for (const w of group) w.failed(err);
          continue;
        }
        for (const w of group) await insertPending(database.db, [w.row]).then(() => stored.push(w), w.failed);
      }
      // Stored is recorded: a link that fails leaves the entries pending for the next link or the sweep.
      await linkLogged(chain);
      for (const w of stored) w.done();
    }
    waiting.delete(chain);
  }
  function enqueue(row: Waiting['row']): Promise<void> {
    return new Promise<void>((done, failed) => {
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
      if (!trx) return enqueue(row).catch(rethrowUnavailable);
      await insertPending(trx, [row]);
      linkSoon(row.chain);
    },
    linkPending,
    async verify(chain) {
      // What is committed is checked: the entries still pending are linked first.
      await linkPending(chain);
      const chains = chain === undefined ? await allChains(database.db) : [chain];
      const reports: ChainReport[] = [];
      for (const c of chains) reports.push(await verifyChain(c));
      return reports;
    },
    async search(query) {
      try {
        await link(chainOf(query.tenantId));
        return await searchAudit(database.db, query);
      } catch (err) {
        return rethrowUnavailable(err);
      }
    },
    async stop() {
      stopped = true;
      for (const timer of scheduled.values()) clearTimeout(timer);
      scheduled.clear();
      await Promise.all(running);
    },
  };
}
