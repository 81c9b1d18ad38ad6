import { createHash } from 'node:crypto';

/** The events an endpoint subscribes to, as its admin chooses them. */
export const WEBHOOK_EVENTS = ['session.ended', 'analysis.done', 'flag.raised', 'flag.reviewed', 'attempt.submitted', 'attempt.graded'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The job queue a message is delivered by (jobs/registry.ts). */
export const DELIVER_WEBHOOK = 'webhook.deliver';
export interface DeliverWebhookJob {
  tenantId: string;
  deliveryId: string;
  /** The message's generation when enqueued: a manual redelivery starts a new one and the older job stands down. */
  generation: number;
}

/**
 * The message id (`webhook-id`): the same for one event told to one endpoint however often it is
 * told, so a re-told event (an analysis run again, a retried end) is stored once and a receiver
 * that dedupes by id sees it once. `msg_` and 24 characters of base64url.
 */
export function messageId(endpointId: string, type: WebhookEvent, subjectId: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\u0000${type}\u0000${subjectId}`).digest('base64url').slice(0, 24)}`;
}

/** The body: Standard Webhooks' shape (type, timestamp, data), ids and summaries only, never events or text. */
export function messageBody(type: WebhookEvent, at: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}
