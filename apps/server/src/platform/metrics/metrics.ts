import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (a registry per app, so tests can build many). */
export interface IngestMetrics {
  eventsIngested(n: number): void;
  observeGroup(batches: number, seconds: number): void;
  batchRejected(reason: string): void;
  socketOpened(): void;
  socketClosed(): void;
}

export interface AppMetrics extends IngestMetrics {
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
  return {
    registry,
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
