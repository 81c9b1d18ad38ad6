/** The audit trail: append-only, one hash chain per tenant, verifiable (`veritas audit verify`). */
export { createAuditService, chainOf, PUBLIC_CHAIN, type AuditService, type AuditInput, type ChainReport, type RequestContext } from './audit.service';
export type { AuditRow, AuditQuery } from './audit.repository';
export { canonicalJson } from './audit-hash';
export { auditRoutes } from './audit.routes';
/** Only the audit retention (modules/retention) cuts a chain: oldest entries first, behind an anchor it verifies from. */
export { cutChain, chainAnchor, lockChainHead, type ChainCut } from './audit-cut.repository';
