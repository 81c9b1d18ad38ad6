/** Webhooks (ADR 0023): a tenant's endpoints, Standard Webhooks signed messages from domain events, delivered by the job queue. */
export { webhooksRoutes } from './webhooks.routes';
export { createWebhooksService, type WebhooksService } from './webhooks.service';
export { subscribeWebhooks } from './webhooks.subscriptions';
export { DELIVER_WEBHOOK, WEBHOOK_EVENTS, type DeliverWebhookJob } from './webhook-events';
export { webhookQueuePolicy } from './webhook-schedule';
