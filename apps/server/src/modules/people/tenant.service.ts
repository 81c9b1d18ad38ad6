import DataLoader from 'dataloader';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { originProblem } from '../../config/config';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService } from '../audit';
import { findTenantById, lockTenant, updateTenant, type TenantRow } from './tenants.repository';
import type { Caller } from './users.service';

export type HostSignals = TenantRow['host_signals'];

export interface TenantService {
  /** The caller's own tenant. */
  get(actor: UserActor): Promise<TenantRow>;
  /** Renames it, changes whether its sessions take host-page signals, or which origins may use the recorder's routes. Audited. */
  update(caller: Caller, changes: { name?: string; hostSignals?: HostSignals; corsOrigins?: string[] }): Promise<TenantRow>;
  /** Whether a tenant's sessions take host-page signals (an unknown tenant: accept, the default). */
  hostSignalsOf(tenantId: string): Promise<HostSignals>;
  /** The origins a tenant lets use the recorder's routes for its sessions (CORS); none for an unknown tenant. */
  corsOriginsOf(tenantId: string): Promise<readonly string[]>;
}

/** Each origin exactly as a browser sends it (a 400 naming the first that is not), kept in the order given. */
function checkedOrigins(origins: readonly string[]): string[] {
  origins.forEach((o, i) => {
    const problem = originProblem(o);
    if (problem) throw new AppError('invalid-request', `/body/corsOrigins/${i}: "${o}" ${problem}`);
  });
  return [...origins];
}

/**
 * A tenant's CORS origins are asked for on every cross-origin request to its sessions (each batch a
 * partner's page sends), so they are remembered this long instead of read each time: a change made
 * through this instance counts at once, one made through another within this time.
 */
const CORS_ORIGINS_TTL_MS = 10_000;

export function createTenantService(database: Database, audit: AuditService): TenantService {
  const { db } = database;
  const corsOrigins = new Map<string, { origins: readonly string[]; readAt: number }>();
  // The asks of one turn of the event loop share one read per tenant: every session of an exam's
  // first commit group asks for the same tenant's choice when its live analyser is made. Not a cache:
  // a change is seen by the next turn's asks.
  const hostSignalsRead = new DataLoader<string, HostSignals>(
    async (ids) => {
      const unique = [...new Set(ids)];
      const rows = await Promise.all(unique.map((id) => findTenantById(db, id)));
      const of = new Map(unique.map((id, i) => [id, rows[i]?.host_signals ?? 'accept']));
      return ids.map((id) => of.get(id)!);
    },
    { cache: false, maxBatchSize: 500 },
  );

  async function get(actor: UserActor): Promise<TenantRow> {
    const row = await guard(findTenantById(db, actor.tenantId));
    if (!row) throw new AppError('not-found', `no tenant ${actor.tenantId}`);
    return row;
  }

  return {
    get,

    async update({ actor, context }, changes) {
      return db
        .transaction()
        .execute(async (trx) => {
          const before = await lockTenant(trx, actor.tenantId);
          if (!before) throw new AppError('not-found', `no tenant ${actor.tenantId}`);
          const diff: Record<string, { from: string; to: string } | { from: string[]; to: string[] }> = {};
          if (changes.name !== undefined) {
            const name = changes.name.trim();
            if (name.length === 0) throw new AppError('invalid-request', '/body/name: must not be blank');
            if (name !== before.name) diff.name = { from: before.name, to: name };
          }
          if (changes.hostSignals !== undefined && changes.hostSignals !== before.host_signals)
            diff.hostSignals = { from: before.host_signals, to: changes.hostSignals };
          if (changes.corsOrigins !== undefined) {
            const origins = checkedOrigins(changes.corsOrigins);
            if (JSON.stringify(origins) !== JSON.stringify(before.cors_origins)) diff.corsOrigins = { from: before.cors_origins, to: origins };
          }
          if (Object.keys(diff).length === 0) return before;
          const after = await updateTenant(trx, actor.tenantId, {
            ...(diff.name ? { name: diff.name.to as string } : {}),
            ...(diff.hostSignals ? { host_signals: diff.hostSignals.to as HostSignals } : {}),
            ...(diff.corsOrigins ? { cors_origins: JSON.stringify(diff.corsOrigins.to) } : {}),
          });
          await audit.record(
            { tenantId: actor.tenantId, actor, action: 'tenant.update', resource: { type: 'tenant', id: actor.tenantId }, context, detail: { changes: diff } },
            trx,
          );
          return after!;
        })
        .then((after) => {
          corsOrigins.delete(actor.tenantId);
          return after;
        })
        .catch(rethrowUnavailable);
    },

    hostSignalsOf: (tenantId) => hostSignalsRead.load(tenantId),

    async corsOriginsOf(tenantId) {
      const known = corsOrigins.get(tenantId);
      if (known && Date.now() - known.readAt < CORS_ORIGINS_TTL_MS) return known.origins;
      const origins = (await guard(findTenantById(db, tenantId)))?.cors_origins ?? [];
      if (corsOrigins.size >= 10_000) corsOrigins.clear(); // bounded: far more tenants than one instance serves at once
      corsOrigins.set(tenantId, { origins, readAt: Date.now() });
      return origins;
    },
  };
}
