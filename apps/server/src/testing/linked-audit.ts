import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/tables';
import type { AuditService } from '../modules/audit';
import type { Database } from '../platform/db/database';

/**
 * The database to read `audit_log` from once every committed entry is linked into it: an entry
 * recorded in a write's transaction is linked just after its commit (ADR 0033), so a test that reads
 * the table straight after the write links first, as the product's own readers (search, verify) do.
 */
export async function linkedAudit(services: { audit: AuditService; database: Database }): Promise<Kysely<DB>> {
  await services.audit.linkPending();
  return services.database.db;
}

/** The linked entries of one action, in one tenant or every chain, oldest first. */
export async function auditedAction(services: { audit: AuditService; database: Database }, action: string, tenantId?: string) {
  let query = (await linkedAudit(services)).selectFrom('audit_log').selectAll().where('action', '=', action);
  if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
  return query.orderBy('at').orderBy('seq').execute();
}
