import { parseBundle, verifyChain, genesisHash, type Bundle } from '@veritas/schema';
import type { Database } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import {
  findSession,
  insertSession,
  advanceSessions,
  lockSessionForImport,
  insertEvents,
  insertBatches,
  tenantOfCaller,
  type Caller,
  type EventRow,
  type SessionOwner,
} from '../sessions';
import type { AuditService } from '../audit';
import { consentDemandFor } from '../privacy';
import { consentRefusal } from '../ingest';
import { rethrowUnavailable } from '../../platform/db/database-errors';

/** What an upload could say about the bundle's MACs (docs/adr/0009-what-the-mac-proves.md). */
export interface MacCheck {
  /** True when every batch's MAC was checked against the session's write key. */
  checked: boolean;
  /** Batches of the bundle that carry a MAC. */
  batchesWithMac: number;
  detail: string;
}

export interface Imported {
  session: SessionRow;
  created: boolean;
  macs: MacCheck;
}

export interface ImportOptions {
  source?: 'upload' | 'demo';
  /** The person or key uploading it (the session is theirs, in their tenant); none for an anonymous upload. */
  owner?: SessionOwner;
  /** Who asked: a stored upload is audited in the transaction that stores it. */
  by?: Caller;
}

export interface BundlesService {
  /** Verifies a bundle (format, events, chain, and MACs when the server knows the key) and stores it as an ended session. Idempotent. */
  import(scope: Scope, input: unknown, options?: ImportOptions): Promise<Imported>;
}

/**
 * The server knows a session's MAC key only for a session it holds with a write key (one recorded
 * live): then every batch must carry the right MAC. For any other bundle it can check the chain,
 * not who sealed it, and says so.
 */
async function checkMacs(id: string, batches: Bundle['batches'], writeKey: string | null | undefined): Promise<MacCheck> {
  const batchesWithMac = batches.filter((b) => b.mac !== undefined).length;
  if (!writeKey) {
    return {
      checked: false,
      batchesWithMac,
      detail: `not checked: this server holds no write key for session ${id}; ${batchesWithMac} of ${batches.length} batches carry a MAC, which \`veritas verify --key\` checks offline`,
    };
  }
  const problem = await verifyChain(id, batches, writeKey);
  if (problem) {
    const what =
      problem.code === 'missing-mac'
        ? 'has no MAC'
        : problem.code === 'bad-mac'
          ? 'has a MAC that does not match the write key'
          : `fails the chain check (${problem.code})`;
    throw new AppError('invalid-bundle', `batch ${problem.index} (firstSeq ${problem.firstSeq}) ${what} of the stored session ${id}`, { chain: problem });
  }
  return { checked: true, batchesWithMac, detail: `checked: every batch's MAC matches the write key of session ${id}` };
}

const CHUNK = 5000;

/**
 * Where the uploader's tenant requires consent, a bundle is a whole session at once and is asked what
 * ingest asks of a session's first batch (ADR 0029): its first event is the accepted consent to the
 * current text, and the person it belongs to agreed to that text and has not withdrawn. Read in the
 * transaction that stores it, so a requirement or a withdrawal committed before counts.
 */
async function refuseWithoutConsent(tx: Parameters<typeof consentDemandFor>[0], scope: Scope, bundle: Bundle, owner: SessionOwner | undefined) {
  const demand = await consentDemandFor(tx, scope.tenantId, owner);
  if (!demand) return;
  const first = bundle.batches[0]?.events[0];
  const refusal = first ? consentRefusal(demand, first) : `the bundle has no events, so not the consent to ${demand.policy ?? 'a consent text'}`;
  if (refusal) throw new AppError('consent-required', refusal);
}

export interface BundlesDeps {
  database: Database;
  /** Told bundle.imported once the import is committed (analysis starts there). */
  events: EventBus;
  audit: AuditService;
}

export function createBundlesService({ database: { db }, events, audit }: BundlesDeps): BundlesService {
  async function store(scope: Scope, input: unknown, options: ImportOptions): Promise<Imported> {
    const parsed = parseBundle(input);
    if (!parsed.ok) throw new AppError('invalid-bundle', `${parsed.issues[0]!.path || '/'}: ${parsed.issues[0]!.message}`, { issues: parsed.issues });
    const { bundle } = parsed;
    const problem = await verifyChain(bundle.session.id, bundle.batches);
    if (problem) {
      throw new AppError('invalid-bundle', `chain check failed: ${problem.code} at batch ${problem.index} (firstSeq ${problem.firstSeq})`, { chain: problem });
    }
    const id = bundle.session.id;
    const total = bundle.batches.reduce((n, b) => n + b.events.length, 0);
    const head = bundle.batches.length ? bundle.batches[bundle.batches.length - 1]!.hash : await genesisHash(id);
    const lastBatch = bundle.batches[bundle.batches.length - 1];
    const lastT = lastBatch ? lastBatch.events[lastBatch.events.length - 1]!.t : 0;
    try {
      return await db.transaction().execute(async (tx) => {
        const existing = await lockSessionForImport(tx, id);
        const ownerId = options.owner?.id ?? null;
        if (existing) {
          // MACs first: a bundle re-chained after its events were replaced is told why it is refused.
          const macs = await checkMacs(id, bundle.batches, existing.write_key);
          // Another person's upload of the same bundle is a conflict, not their session.
          const same = existing.head_hash === head && existing.next_seq === total && existing.tenant_id === scope.tenantId && existing.owner_id === ownerId;
          if (!same) throw new AppError('session-exists', `a different session ${id} is already stored`);
          return { session: (await findSession(tx, scope, id))!, created: false, macs };
        }
        const macs = await checkMacs(id, bundle.batches, null);
        await refuseWithoutConsent(tx, scope, bundle, options.owner);
        await insertSession(tx, {
          id,
          tenant_id: scope.tenantId,
          owner_id: ownerId,
          owner_kind: options.owner?.kind ?? null,
          kind: bundle.session.kind,
          status: 'ended',
          source: options.source ?? 'upload',
          write_key: null,
          meta: JSON.stringify(bundle.session.meta ?? {}),
          created_at: bundle.session.createdAt,
          ended_at: bundle.session.endedAt ?? new Date(),
          head_hash: await genesisHash(id),
          ...(bundle.session.sealing === 'server' ? { sealing: 'server' as const } : {}),
        });
        let rows: EventRow[] = [];
        for (const b of bundle.batches) {
          for (const e of b.events) rows.push({ session_id: id, seq: e.seq, t: e.t, type: e.type, data: e.data });
          if (rows.length >= CHUNK) {
            await insertEvents(tx, rows);
            rows = [];
          }
        }
        await insertEvents(tx, rows);
        for (let i = 0; i < bundle.batches.length; i += CHUNK) {
          await insertBatches(
            tx,
            bundle.batches
              .slice(i, i + CHUNK)
              .map((b) => ({ session_id: id, first_seq: b.firstSeq, count: b.events.length, prev_hash: b.prevHash, hash: b.hash, mac: b.mac ?? null })),
          );
        }
        await advanceSessions(tx, [{ id, next_seq: total, head_hash: head, last_t: lastT }]);
        if (options.by) {
          await audit.record(
            {
              tenantId: tenantOfCaller(options.by.actor),
              actor: options.by.actor,
              action: 'session.upload',
              resource: { type: 'session', id },
              context: options.by.context,
              detail: { kind: bundle.session.kind, eventCount: total, source: options.source ?? 'upload' },
            },
            tx,
          );
        }
        return { session: (await findSession(tx, scope, id))!, created: true, macs };
      });
    } catch (err) {
      rethrowUnavailable(err);
    }
  }

  return {
    async import(scope, input, options = {}) {
      const imported = await store(scope, input, options);
      await events.publish('bundle.imported', { sessionId: imported.session.id, scope, created: imported.created });
      return imported;
    },
  };
}
