import type { JWTPayload } from 'jose';
import { CLAIM } from './lti-claims';

/** AGS 2.0 scopes (https://www.imsglobal.org/spec/lti-ags/v2p0): what the platform lets a tool do with its gradebook. */
export const AGS_SCOPE = {
  lineitem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineitemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;
/** NRPS 2.0's one scope (https://www.imsglobal.org/spec/lti-nrps/v2p0). */
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

/** Media types of the services (AGS §3.2, §3.4; NRPS §2.2). */
export const MEDIA = {
  score: 'application/vnd.ims.lis.v1.score+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  memberships: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

/** The AGS endpoint claim of a launch: the scopes granted, the course's line items container, this link's line item. */
export interface AgsEndpoint {
  scopes: string[];
  lineitems: string | undefined;
  lineitem: string | undefined;
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;

/**
 * A service URL as Veritas will call it: https (plain http only on loopback, as for registrations), no
 * credentials, at most 2048 characters. Anything else is treated as absent: Veritas never calls a URL a
 * token could point at an internal plain-http host with.
 */
export function serviceUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048 || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname)))) return undefined;
  if (url.username || url.password) return undefined;
  return value;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The AGS claim (`https://purl.imsglobal.org/spec/lti-ags/claim/endpoint`), when the launch carries a usable one. */
export function agsOf(payload: JWTPayload): AgsEndpoint | undefined {
  const claim = record(payload[CLAIM.ags]);
  if (!claim) return undefined;
  const scopes = Array.isArray(claim.scope) ? claim.scope.filter((s): s is string => typeof s === 'string' && s.length <= 255).slice(0, 20) : [];
  const lineitems = serviceUrl(claim.lineitems);
  const lineitem = serviceUrl(claim.lineitem);
  if (!lineitem && !lineitems) return undefined;
  return { scopes, lineitems, lineitem };
}

/** The NRPS claim's `context_memberships_url` (`https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice`). */
export function nrpsOf(payload: JWTPayload): string | undefined {
  const claim = record(payload[CLAIM.nrps]);
  return claim ? serviceUrl(claim.context_memberships_url) : undefined;
}

/**
 * The scores endpoint of a line item: its URL with `/scores` appended to the path, its query kept
 * (AGS §3.4: a line item URL may carry query parameters).
 */
export function scoresUrl(lineitem: string): string {
  const url = new URL(lineitem);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/scores`;
  return url.href;
}

/** The `rel="next"` target of a Link header (RFC 8288), resolved against the page's URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]!);
    const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('next') && URL.canParse(m[1]!, base)) return new URL(m[1]!, base).href;
  }
  return undefined;
}
