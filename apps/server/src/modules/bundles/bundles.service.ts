import { parseBundle, verifyChain, genesisHash } from '@veritas/schema';
import type { Database } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import { AppError } from '../../kernel/errors';
import type { Scope } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import { findSession, insertSession, advanceSessions, lockSessionForImport, insertEvents, insertBatches, type EventRow } from '../sessions';
import { rethrowUnavailable } from '../../platform/db/database-errors';

export interface BundlesService {
  /** Verifies a bundle (format, events, chain) and stores it as an ended session. Idempotent. */
  import(scope: Scope, input: unknown, options?: { source?: 'upload' | 'demo' }): Promise<{ session: SessionRow; created: boolean }>;
}

const CHUNK = 5000;

export interface BundlesDeps {
  database: Database;
  /** Told bundle.imported once the import is committed (analysis starts there). */
  events: EventBus;
}

export function createBundlesService({ database: { db }, events }: BundlesDeps): BundlesService {
  async function store(scope: Scope, input: unknown, options: { source?: 'upload' | 'demo' }): Promise<{ session: SessionRow; created: boolean }> {
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
        if (existing) {
          const same = existing.head_hash === head && existing.next_seq === total && existing.tenant_id === scope.tenantId;
          if (!same) throw new AppError('session-exists', `a different session ${id} is already stored`);
          return { session: (await findSession(tx, scope, id))!, created: false };
        }
        await insertSession(tx, {
          id,
          tenant_id: scope.tenantId,
          owner_id: null,
          kind: bundle.session.kind,
          status: 'ended',
          source: options.source ?? 'upload',
          write_key: null,
          meta: JSON.stringify(bundle.session.meta ?? {}),
          created_at: bundle.session.createdAt,
          ended_at: bundle.session.endedAt ?? new Date(),
          head_hash: await genesisHash(id),
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
            bundle.batches.slice(i, i + CHUNK).map((b) => ({ session_id: id, first_seq: b.firstSeq, count: b.events.length, prev_hash: b.prevHash, hash: b.hash, mac: b.mac ?? null })),
          );
        }
        await advanceSessions(tx, [{ id, next_seq: total, head_hash: head, last_t: lastT }]);
        return { session: (await findSession(tx, scope, id))!, created: true };
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
