import { createHash } from 'node:crypto';
import type { AuditRow } from './audit.repository';

/** JSON with object keys sorted at every level: the same entry always hashes the same, whatever jsonb did to its key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 of an entry's every field and its predecessor's hash: altering or removing an entry breaks the links after it. */
export function auditHash(row: Omit<AuditRow, 'hash'>): string {
  const fields = {
    id: row.id,
    chain: row.chain,
    seq: String(row.seq),
    tenantId: row.tenant_id,
    at: new Date(row.at).toISOString(),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    authMethod: row.auth_method,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    ip: row.ip,
    requestId: row.request_id,
    detail: row.detail,
    prevHash: row.prev_hash,
  };
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}
