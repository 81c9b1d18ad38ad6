/**
 * The sessions module: a session's record, its stored events and batches (this module owns those
 * tables), its credentials, export and presentation. Other modules import from here only.
 */
export { sessionsRoutes } from './sessions.routes';
export {
  createSessionsService,
  newSessionId,
  newWriteToken,
  type SessionsService,
  type CreateSessionInput,
  type AnalysisSettings,
  type SessionListQuery,
  type SessionOwner,
} from './sessions.service';
export { auditedRead, auditsRead, callerOf, tenantOfCaller, type Caller, type SessionRead } from './session-audit';
export { ownerOf } from './session-owner';
export { PUBLISHED_SOURCE } from './session-list';
export { createSessionCredentials, type SessionCredentials } from './session-credentials';
export { presentSession, baseUrl } from './sessions.presenter';
export { findSession, findSessions, insertSession, advanceSessions, lockSessionsForIngest, lockSessionForImport } from './sessions.repository';
export { findChainHead } from './sessions.repository';
export { findBatchPrevHash } from './batches.repository';
export { insertEvents, eventPages, type EventRow } from './events.repository';
export { insertBatches, appendToChains, findBatchHash, insertHeldBatch, deleteHeldBatches, listHeldBatches, type BatchRow } from './batches.repository';
