import { sql, type ColumnType, type Generated, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

/** The tables of schema step 0016 (platform/db/schema-steps/0016-webhooks.ts), seen only by this module. */
export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: Generated<string>;
  events: ColumnType<string[], string, string>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  enabled: Generated<boolean>;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  subject_id: string;
  body: string;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: Generated<number>;
  generation: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export interface WebhookAttemptsTable {
  id: string;
  tenant_id: string;
  delivery_id: string;
  endpoint_id: string;
  attempt: number;
  at: Date;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
}
// A type, not an interface: withTables wants a record type.
export type WebhookTables = {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
};
export type WebhooksDb = Kysely<DB & WebhookTables>;
export const webhooksDb = (db: Kysely<DB>): WebhooksDb => db.withTables<WebhookTables>();

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export async function insertEndpoint(db: WebhooksDb, row: Insertable<WebhookEndpointsTable>): Promise<EndpointRow> {
  return db.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listEndpoints(db: WebhooksDb, tenantId: TenantId): Promise<EndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('id').limit(100).execute();
}

export async function countEndpoints(db: WebhooksDb, tenantId: TenantId): Promise<number> {
  const r = await db
    .selectFrom('webhook_endpoints')
    .select((e) => e.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findEndpoint(db: WebhooksDb, tenantId: TenantId, id: string, lock = false): Promise<EndpointRow | undefined> {
  const q = db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function updateEndpoint(db: WebhooksDb, tenantId: TenantId, id: string, set: Updateable<WebhookEndpointsTable>): Promise<EndpointRow | undefined> {
  return db.updateTable('webhook_endpoints').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteEndpoint(db: WebhooksDb, tenantId: TenantId, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The enabled endpoints of these tenants (each keeps the events it subscribes to). */
export async function enabledEndpoints(db: WebhooksDb, tenantIds: readonly TenantId[]): Promise<EndpointRow[]> {
  if (tenantIds.length === 0) return [];
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', sql<TenantId>`any(${[...tenantIds]}::text[])`)
    .where('enabled', '=', true)
    .execute();
}

/** Stores the messages owed; ids already stored (the same event told twice) are left as they are. Returns the ids newly stored. */
export async function insertDeliveries(db: WebhooksDb, rows: Insertable<WebhookDeliveriesTable>[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const done = await db
    .insertInto('webhook_deliveries')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return done.map((r) => r.id);
}

export async function findDelivery(db: WebhooksDb, tenantId: TenantId, id: string, lock = false): Promise<DeliveryRow | undefined> {
  const q = db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function updateDelivery(db: WebhooksDb, id: string, set: Updateable<WebhookDeliveriesTable>): Promise<DeliveryRow> {
  return db.updateTable('webhook_deliveries').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** An endpoint's messages, newest first, `before` a cursor (created_at, id). */
export async function listDeliveries(
  db: WebhooksDb,
  tenantId: TenantId,
  endpointId: string,
  limit: number,
  before?: { createdAt: Date; id: string },
): Promise<DeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpointId);
  if (before) q = q.where((e) => e.or([e('created_at', '<', before.createdAt), e.and([e('created_at', '=', before.createdAt), e('id', '<', before.id)])]));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function insertAttempt(db: WebhooksDb, row: Insertable<WebhookAttemptsTable>): Promise<void> {
  await db.insertInto('webhook_attempts').values(row).execute();
}

/** The attempts at these messages, oldest first. */
export async function listAttempts(db: WebhooksDb, tenantId: TenantId, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('at')
    .orderBy('attempt')
    .execute();
}
