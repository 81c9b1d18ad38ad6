import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { groupBy } from '../../kernel/group-by';
import type { UserActor, Actor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId as asTenantId, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { JobContext, JobQueue } from '../../platform/queue/job-queue';
import type { AuditService, RequestContext } from '../audit';
import type { Caller } from '../people';
import { DELIVER_WEBHOOK, messageBody, messageId, type DeliverWebhookJob, type WebhookEvent } from './webhook-events';
import { urlProblem } from './webhook-address';
import { newWebhookSecret, webhookHeaders } from './webhook-signing';
import { sendWebhook, type SendResult } from './webhook-sender';
import type { WebhookMetrics } from '../../platform/metrics/metrics';
import {
  countEndpoints,
  deleteEndpoint,
  findDelivery,
  findEndpoint,
  insertAttempt,
  insertDeliveries,
  insertEndpoint,
  listAttempts,
  listDeliveries,
  listEndpoints,
  enabledEndpoints,
  updateDelivery,
  updateEndpoint,
  webhooksDb,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
} from './webhooks.repository';

/** Endpoints one institution may have. */
export const MAX_ENDPOINTS = 50;
/** How long the secret before a rotation keeps signing beside the new one, by default (receivers switch over meanwhile). */
export const DEFAULT_OVERLAP_S = 24 * 3600;

export interface WebhookSettings {
  allowPrivate: boolean;
  attempts: number;
  timeoutMs: number;
}

export interface EndpointInput {
  url: string;
  description?: string;
  events: WebhookEvent[];
  enabled?: boolean;
}

/** What one message is about: its subject (the message id's part that makes it unique) and its payload. */
export interface WebhookSubject {
  subjectId: string;
  data: Record<string, unknown>;
}

export interface DeliveryLogPage {
  items: { delivery: DeliveryRow; attempts: AttemptRow[] }[];
  next: string | null;
}

export interface WebhooksService {
  create(caller: Caller, input: EndpointInput): Promise<{ row: EndpointRow; secret: string }>;
  list(actor: UserActor): Promise<EndpointRow[]>;
  get(actor: UserActor, id: string): Promise<EndpointRow>;
  /** Changes URL, description, events; `enabled: true` re-enables a disabled endpoint. Audited. */
  update(caller: Caller, id: string, input: Partial<EndpointInput>): Promise<EndpointRow>;
  remove(caller: Caller, id: string): Promise<void>;
  /** A new secret (shown once); the old one keeps signing for `overlapSeconds` (0: stops at once). Audited. */
  rotate(caller: Caller, id: string, overlapSeconds: number): Promise<{ row: EndpointRow; secret: string }>;
  deliveries(actor: UserActor, endpointId: string, limit: number, cursor?: string): Promise<DeliveryLogPage>;
  /** Sends a message again, as a new job of a new generation, whatever its state. Audited. */
  redeliver(caller: Caller, endpointId: string, deliveryId: string): Promise<DeliveryRow>;
  /** Stores one message per subscribed endpoint and subject, and enqueues its delivery (the domain events' subscriber). */
  tell(tenant: TenantId, type: WebhookEvent, subjects: readonly WebhookSubject[]): Promise<number>;
  /** The job: one attempt at one message. Throws to be retried; the last attempt's failure disables the endpoint. */
  deliver(job: DeliverWebhookJob, ctx: JobContext): Promise<void>;
}

const SYSTEM: Actor = Object.freeze({ kind: 'anonymous' });
const JOB_CONTEXT: RequestContext = { ip: null, requestId: null };

/** The delivery log's cursor: the last item's time and id. */
const encodeCursor = (d: DeliveryRow) => Buffer.from(JSON.stringify([d.created_at.toISOString(), d.id])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const createdAt = new Date(String(at));
    if (typeof id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error('bad');
    return { createdAt, id };
  } catch {
    throw new AppError('invalid-request', '/querystring/cursor: not a cursor this server gave');
  }
}

export function createWebhooksService(deps: {
  database: Database;
  audit: AuditService;
  jobs: JobQueue;
  settings: WebhookSettings;
  clock?: () => Date;
  /** Each attempt's result and latency, each delivery's end (veritas_webhook_*). */
  metrics?: WebhookMetrics;
}): WebhooksService {
  const { audit, jobs, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const db = webhooksDb(deps.database.db);
  const inTransaction = <T>(work: (trx: typeof db) => Promise<T>) => db.transaction().execute(work).catch(rethrowUnavailable);

  function checkUrl(url: string): void {
    const problem = urlProblem(url, settings.allowPrivate);
    if (problem) throw new AppError('webhook-url-refused', `/body/url ${problem}`);
  }

  async function found(trx: typeof db, tenant: TenantId, id: string, lock = false): Promise<EndpointRow> {
    const row = await findEndpoint(trx, tenant, id, lock);
    if (!row) throw new AppError('not-found', `no webhook endpoint ${id}`);
    return row;
  }

  const enqueue = (d: Pick<DeliveryRow, 'id' | 'tenant_id' | 'generation'>) =>
    jobs.enqueue(DELIVER_WEBHOOK, { tenantId: d.tenant_id, deliveryId: d.id, generation: d.generation } satisfies DeliverWebhookJob, {
      key: `${d.id}:${d.generation}`,
    });

  /** The secrets that sign now: the current one, and the previous one while its overlap lasts. */
  const liveSecrets = (e: EndpointRow, at: Date) =>
    e.previous_secret && e.previous_secret_expires_at && e.previous_secret_expires_at > at ? [e.secret, e.previous_secret] : [e.secret];

  /**
   * The enabled endpoints of the tenants told in one turn of the event loop, read in one query: an
   * exam's consolidation tells flag.raised for hundreds of sessions at once, most often of a tenant
   * with no endpoint at all. Batching only (no cache): each turn reads afresh, so an endpoint made,
   * changed or disabled is seen by the next event on every instance.
   */
  const endpointsOf = new DataLoader<TenantId, EndpointRow[]>(
    async (tenants) => {
      const byTenant = groupBy(await guard(enabledEndpoints(db, tenants)), (e) => e.tenant_id);
      return tenants.map((t) => byTenant.get(t) ?? []);
    },
    { cache: false, maxBatchSize: 500 },
  );

  async function record(trx: typeof db, actor: Actor, tenant: TenantId, action: string, id: string, context: RequestContext, detail: Record<string, unknown>) {
    await audit.record({ tenantId: tenant, actor, action, resource: { type: 'webhook-endpoint', id }, context, detail }, trx as never);
  }

  return {
    async create({ actor, context }, input) {
      checkUrl(input.url);
      const secret = newWebhookSecret();
      return inTransaction(async (trx) => {
        if ((await countEndpoints(trx, actor.tenantId)) >= MAX_ENDPOINTS)
          throw new AppError('webhook-endpoint-limit', `an institution has at most ${MAX_ENDPOINTS} webhook endpoints`);
        const row = await insertEndpoint(trx, {
          id: `we_${randomUUID().replace(/-/g, '')}`,
          tenant_id: actor.tenantId,
          url: input.url,
          description: input.description?.trim() ?? '',
          events: JSON.stringify([...new Set(input.events)]),
          secret,
          previous_secret: null,
          previous_secret_expires_at: null,
          enabled: input.enabled ?? true,
          disabled_at: null,
          disabled_reason: null,
          created_by: actor.userId,
        });
        await record(trx, actor, actor.tenantId, 'webhook-endpoint.create', row.id, context, { url: row.url, events: row.events });
        return { row, secret };
      });
    },

    list: (actor) => guard(listEndpoints(db, actor.tenantId)),
    get: (actor, id) => guard(found(db, actor.tenantId, id)),

    async update({ actor, context }, id, input) {
      if (input.url !== undefined) checkUrl(input.url);
      return inTransaction(async (trx) => {
        const before = await found(trx, actor.tenantId, id, true);
        const now = clock();
        const reEnabled = input.enabled === true && !before.enabled;
        const row = await updateEndpoint(trx, actor.tenantId, id, {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.description !== undefined ? { description: input.description.trim() } : {}),
          ...(input.events !== undefined ? { events: JSON.stringify([...new Set(input.events)]) } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.enabled === true ? { disabled_at: null, disabled_reason: null } : {}),
          ...(input.enabled === false && before.enabled ? { disabled_at: now, disabled_reason: 'disabled by an admin' } : {}),
          updated_at: now,
        });
        await record(trx, actor, actor.tenantId, 'webhook-endpoint.update', id, context, {
          changed: Object.keys(input).sort(),
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(reEnabled ? { reEnabled: true } : {}),
        });
        return row!;
      });
    },

    async remove({ actor, context }, id) {
      await inTransaction(async (trx) => {
        const before = await found(trx, actor.tenantId, id, true);
        await deleteEndpoint(trx, actor.tenantId, id);
        await record(trx, actor, actor.tenantId, 'webhook-endpoint.delete', id, context, { url: before.url });
      });
    },

    async rotate({ actor, context }, id, overlapSeconds) {
      const secret = newWebhookSecret();
      return inTransaction(async (trx) => {
        const before = await found(trx, actor.tenantId, id, true);
        const now = clock();
        const row = await updateEndpoint(trx, actor.tenantId, id, {
          secret,
          previous_secret: overlapSeconds > 0 ? before.secret : null,
          previous_secret_expires_at: overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000) : null,
          updated_at: now,
        });
        await record(trx, actor, actor.tenantId, 'webhook-endpoint.rotate-secret', id, context, { overlapSeconds });
        return { row: row!, secret };
      });
    },

    async deliveries(actor, endpointId, limit, cursor) {
      const before = cursor ? decodeCursor(cursor) : undefined;
      return guard(
        (async () => {
          await found(db, actor.tenantId, endpointId);
          const rows = await listDeliveries(db, actor.tenantId, endpointId, limit + 1, before);
          const items = rows.slice(0, limit);
          const attempts = await listAttempts(
            db,
            actor.tenantId,
            items.map((d) => d.id),
          );
          const last = items[items.length - 1];
          return {
            items: items.map((delivery) => ({ delivery, attempts: attempts.filter((a) => a.delivery_id === delivery.id) })),
            next: rows.length > limit && last ? encodeCursor(last) : null,
          };
        })(),
      );
    },

    async redeliver({ actor, context }, endpointId, deliveryId) {
      const row = await inTransaction(async (trx) => {
        await found(trx, actor.tenantId, endpointId);
        const d = await findDelivery(trx, actor.tenantId, deliveryId, true);
        if (!d || d.endpoint_id !== endpointId) throw new AppError('not-found', `no delivery ${deliveryId}`);
        const again = await updateDelivery(trx, d.id, { status: 'pending', generation: d.generation + 1, last_error: null });
        await record(trx, actor, actor.tenantId, 'webhook-delivery.redeliver', endpointId, context, { deliveryId, eventType: d.event_type });
        return again;
      });
      await enqueue(row).catch(rethrowUnavailable);
      return row;
    },

    async tell(tenant, type, subjects) {
      if (subjects.length === 0) return 0;
      const endpoints = (await endpointsOf.load(tenant)).filter((e) => e.events.includes(type));
      if (endpoints.length === 0) return 0;
      const at = clock();
      const rows = endpoints.flatMap((e) =>
        subjects.map(({ subjectId, data }) => ({
          id: messageId(e.id, type, subjectId),
          tenant_id: tenant,
          endpoint_id: e.id,
          event_type: type,
          subject_id: subjectId,
          body: messageBody(type, at, data),
          created_at: at,
        })),
      );
      const stored = new Set(await insertDeliveries(db, rows));
      // Enqueued after the rows commit; a message already stored was enqueued when it was (the job key dedupes anyway).
      for (const r of rows) if (stored.has(r.id)) await enqueue({ id: r.id, tenant_id: tenant, generation: 0 });
      return stored.size;
    },

    async deliver(job, ctx) {
      const tenant = asTenantId(job.tenantId);
      const delivery = await findDelivery(db, tenant, job.deliveryId);
      // Gone (its endpoint deleted), superseded by a redelivery, or already delivered by this generation: nothing to do.
      if (!delivery || delivery.generation !== job.generation || delivery.status !== 'pending') return;
      const endpoint = await findEndpoint(db, tenant, delivery.endpoint_id);
      if (!endpoint) return;
      if (!endpoint.enabled) {
        await updateDelivery(db, delivery.id, { status: 'failed', last_error: 'the endpoint is disabled' });
        deps.metrics?.webhookDelivery('failed');
        return;
      }
      const at = clock();
      const result: SendResult = await sendWebhook(
        endpoint.url,
        delivery.body,
        webhookHeaders(liveSecrets(endpoint, at), delivery.id, at, delivery.body),
        settings,
      );
      const ok = result.status !== null && result.status >= 200 && result.status < 300;
      const last = ctx.attempt >= settings.attempts;
      deps.metrics?.webhookAttempt(ok ? 'ok' : result.status === null ? 'network_error' : 'http_error', result.latencyMs / 1000);
      const error = ok ? null : (result.error ?? `answered ${result.status}`);
      await inTransaction(async (trx) => {
        await insertAttempt(trx, {
          id: randomUUID(),
          tenant_id: tenant,
          delivery_id: delivery.id,
          endpoint_id: endpoint.id,
          attempt: delivery.attempts + 1,
          at,
          status_code: result.status,
          latency_ms: result.latencyMs,
          response_excerpt: result.excerpt,
          error,
        });
        await updateDelivery(trx, delivery.id, {
          attempts: delivery.attempts + 1,
          last_status: result.status,
          last_error: error,
          last_attempt_at: at,
          ...(ok ? { status: 'delivered', delivered_at: clock() } : last ? { status: 'failed' } : {}),
        });
        if (!ok && last) {
          // Every attempt of the schedule failed (a day and more in production): the endpoint is disabled and the admin told.
          const locked = await findEndpoint(trx, tenant, endpoint.id, true);
          if (locked?.enabled) {
            const reason = `disabled after ${settings.attempts} failed attempts to deliver ${delivery.id} (last: ${error})`.slice(0, 500);
            await updateEndpoint(trx, tenant, endpoint.id, { enabled: false, disabled_at: clock(), disabled_reason: reason, updated_at: clock() });
            await record(trx, SYSTEM, tenant, 'webhook-endpoint.disable', endpoint.id, JOB_CONTEXT, { via: 'deliveries', deliveryId: delivery.id, reason });
          }
        }
      });
      if (ok) deps.metrics?.webhookDelivery('delivered');
      else if (last) deps.metrics?.webhookDelivery('failed');
      // Not the last attempt: the queue retries with its backoff (ADR 0023 gives the schedule).
      if (!ok && !last) throw new Error(`webhook ${delivery.id} to ${endpoint.id}: ${error}`);
    },
  };
}
