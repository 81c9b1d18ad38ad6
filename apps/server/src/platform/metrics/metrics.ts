import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (a registry per app, so tests can build many). */
export interface IngestMetrics {
  eventsIngested(n: number): void;
  observeGroup(batches: number, seconds: number): void;
  batchRejected(reason: string): void;
  socketOpened(): void;
  socketClosed(): void;
}

/** HTTP answers: latency by method, route (the pattern, never the raw path) and status. */
export interface HttpMetrics {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** Job runs in this process, and the queues' backlog read when Prometheus scrapes. */
export interface JobMetrics {
  jobStarted(queue: string): void;
  jobFinished(queue: string, outcome: 'done' | 'failed', seconds: number): void;
  /** Where the backlog gauge reads queued / running / failed counts from at each scrape. */
  readJobCountsFrom(queues: readonly string[], counts: (queue: string) => Promise<{ queued: number; running: number; failed: number }>): void;
}

/** The live hub (platform/hub, either driver): subscriptions here, messages sent, handed to handlers, dropped. */
export interface HubMetrics {
  hubSubscribed(driver: string, delta: 1 | -1): void;
  hubPublished(driver: string): void;
  hubDelivered(driver: string): void;
  /** A message lost here: `publish_failed` (transport down or hub closed: nobody got it), `handler_failed` (one subscriber's handler threw). */
  hubDropped(driver: string, reason: 'publish_failed' | 'handler_failed'): void;
}

/** Webhook attempts from this process (modules/webhooks): each attempt's result and time, each delivery's end. */
export interface WebhookMetrics {
  /** One attempt: `ok` (2xx), `http_error` (another status), `network_error` (no answer, or refused by the SSRF check). */
  webhookAttempt(result: 'ok' | 'http_error' | 'network_error', seconds: number): void;
  /** A delivery ended: delivered, or failed for good (its last attempt failed, or its endpoint is disabled). */
  webhookDelivery(outcome: 'delivered' | 'failed'): void;
}

export interface AppMetrics extends IngestMetrics, HttpMetrics, JobMetrics, HubMetrics, WebhookMetrics {
  registry: Registry;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const events = new Counter({ name: 'veritas_events_ingested_total', help: 'Events stored durably by ingest', registers: [registry] });
  const commit = new Histogram({
    name: 'veritas_batch_commit_seconds',
    help: 'Time to commit one group of batches (group commit)',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const groupSize = new Histogram({
    name: 'veritas_group_commit_batches',
    help: 'Batches per committed group',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const sockets = new Gauge({ name: 'veritas_ingest_sockets_open', help: 'Open ingest WebSockets', registers: [registry] });
  const rejected = new Counter({ name: 'veritas_batches_rejected_total', help: 'Batches refused, by reason', labelNames: ['reason'], registers: [registry] });
  const http = new Histogram({
    name: 'veritas_http_request_duration_seconds',
    help: 'HTTP answers by method, route pattern and status (live streams count their whole life)',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const jobRuns = new Histogram({
    name: 'veritas_job_duration_seconds',
    help: 'Job runs in this process by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const jobsRunningHere = new Gauge({
    name: 'veritas_jobs_running_here',
    help: 'Job runs in progress in this process, by queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  let backlog: { queues: readonly string[]; counts: (queue: string) => Promise<{ queued: number; running: number; failed: number }> } | undefined;
  new Gauge({
    name: 'veritas_jobs',
    help: 'Jobs of each queue by state (queued: waiting or awaiting a retry; running: anywhere; failed: parked), read from the queue at each scrape',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!backlog) return;
      for (const queue of backlog.queues) {
        // A scrape during a database outage keeps the last values rather than failing /metrics.
        const counts = await backlog.counts(queue).catch(() => undefined);
        if (!counts) continue;
        for (const state of ['queued', 'running', 'failed'] as const) this.set({ queue, state }, counts[state]);
      }
    },
  });
  const hubSubscribers = new Gauge({
    name: 'veritas_hub_subscribers',
    help: 'Live hub subscriptions held by this process (SSE viewers, exam rooms, alert sockets), by driver',
    labelNames: ['driver'],
    registers: [registry],
  });
  const hubPublished = new Counter({
    name: 'veritas_hub_messages_published_total',
    help: 'Messages this process published that the hub took, by driver',
    labelNames: ['driver'],
    registers: [registry],
  });
  const hubDelivered = new Counter({
    name: 'veritas_hub_messages_delivered_total',
    help: "Messages handed to this process's subscribers (one per subscriber), by driver",
    labelNames: ['driver'],
    registers: [registry],
  });
  const hubDropped = new Counter({
    name: 'veritas_hub_messages_dropped_total',
    help: 'Messages lost by the hub in this process, by driver and reason (publish_failed: transport down; handler_failed: a subscriber threw)',
    labelNames: ['driver', 'reason'],
    registers: [registry],
  });
  const webhookAttempts = new Histogram({
    name: 'veritas_webhook_attempt_duration_seconds',
    help: 'Webhook delivery attempts from this process by result (ok, http_error, network_error), with their latency',
    labelNames: ['result'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const webhookFailures = new Counter({
    name: 'veritas_webhook_attempt_failures_total',
    help: 'Webhook attempts that failed (retried unless it was the last), by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: 'veritas_webhook_deliveries_total',
    help: 'Webhook deliveries ended by this process, by outcome (delivered, failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // Every series present from the start, at 0, so rates and panels have something before the first event.
  for (const driver of ['memory', 'redis']) {
    hubSubscribers.set({ driver }, 0);
    hubPublished.inc({ driver }, 0);
    hubDelivered.inc({ driver }, 0);
    for (const reason of ['publish_failed', 'handler_failed']) hubDropped.inc({ driver, reason }, 0);
  }
  for (const result of ['http_error', 'network_error']) webhookFailures.inc({ result }, 0);
  for (const outcome of ['delivered', 'failed']) webhookDeliveries.inc({ outcome }, 0);
  return {
    registry,
    hubSubscribed: (driver, delta) => hubSubscribers.inc({ driver }, delta),
    hubPublished: (driver) => hubPublished.inc({ driver }),
    hubDelivered: (driver) => hubDelivered.inc({ driver }),
    hubDropped: (driver, reason) => hubDropped.inc({ driver, reason }),
    webhookAttempt: (result, seconds) => {
      webhookAttempts.observe({ result }, seconds);
      if (result !== 'ok') webhookFailures.inc({ result });
    },
    webhookDelivery: (outcome) => webhookDeliveries.inc({ outcome }),
    observeRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    jobStarted: (queue) => jobsRunningHere.inc({ queue }),
    jobFinished: (queue, outcome, seconds) => {
      jobsRunningHere.dec({ queue });
      jobRuns.observe({ queue, outcome }, seconds);
    },
    readJobCountsFrom: (queues, counts) => {
      backlog = { queues, counts };
    },
    eventsIngested: (n) => events.inc(n),
    observeGroup: (batches, seconds) => {
      commit.observe(seconds);
      groupSize.observe(batches);
    },
    batchRejected: (reason) => rejected.inc({ reason }),
    socketOpened: () => sockets.inc(),
    socketClosed: () => sockets.dec(),
  };
}
