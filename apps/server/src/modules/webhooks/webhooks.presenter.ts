import type { Static } from '@sinclair/typebox';
import type { DeliveryView, EndpointView } from './webhooks.schemas';
import type { AttemptRow, DeliveryRow, EndpointRow } from './webhooks.repository';

type Iso = (d: Date) => string;
const iso: Iso = (d) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? iso(d) : null);

export function presentEndpoint(e: EndpointRow, at = new Date()): Static<typeof EndpointView> {
  const overlap = e.previous_secret && e.previous_secret_expires_at && e.previous_secret_expires_at > at ? e.previous_secret_expires_at : null;
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events as Static<typeof EndpointView>['events'],
    enabled: e.enabled,
    disabledAt: isoOrNull(e.disabled_at),
    disabledReason: e.disabled_reason,
    secretPrefix: e.secret.slice(0, 10),
    previousSecretExpiresAt: isoOrNull(overlap),
    createdAt: iso(e.created_at),
    updatedAt: iso(e.updated_at),
  };
}

export function presentDelivery(d: DeliveryRow, attempts: AttemptRow[]): Static<typeof DeliveryView> {
  return {
    id: d.id,
    eventType: d.event_type as Static<typeof DeliveryView>['eventType'],
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: iso(d.created_at),
    deliveredAt: isoOrNull(d.delivered_at),
    payload: JSON.parse(d.body) as unknown,
    log: attempts.map((a) => ({
      attempt: a.attempt,
      at: iso(a.at),
      statusCode: a.status_code,
      latencyMs: a.latency_ms,
      responseExcerpt: a.response_excerpt,
      error: a.error,
    })),
  };
}
