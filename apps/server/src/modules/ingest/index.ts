/** The ingest module: batches over HTTP and WebSocket, checked and group-committed. */
export { ingestRoutes } from './ingest.routes';
/** Why a session's first event does not carry the consent its tenant requires (also asked of an uploaded bundle). */
export { consentRefusal } from './ingest-decide';
export { createIngestService, type IngestService, type IngestResult, type CommittedEvents } from './ingest.service';
