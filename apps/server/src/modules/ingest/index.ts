/** The ingest module: batches over HTTP and WebSocket, checked and group-committed. */
export { ingestRoutes } from './ingest.routes';
export { createIngestService, type IngestService, type IngestResult, type CommittedEvents } from './ingest.service';
