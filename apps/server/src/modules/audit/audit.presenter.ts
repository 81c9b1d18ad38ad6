import type { Static } from '@sinclair/typebox';
import type { AuditRow } from './audit.repository';
import type { AuditEntryView } from './audit.schemas';

export function presentAuditEntry(r: AuditRow): Static<typeof AuditEntryView> {
  return {
    id: r.id,
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actor: { kind: r.actor_kind, id: r.actor_id, authMethod: r.auth_method },
    action: r.action,
    resource: { type: r.resource_type, id: r.resource_id },
    ip: r.ip,
    requestId: r.request_id,
    detail: r.detail,
    hash: r.hash,
  };
}
