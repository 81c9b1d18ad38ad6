import { randomBytes } from 'node:crypto';
import { ANONYMOUS } from '../../kernel/actor';
import { tenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { createAuditService } from '../audit';
import { findTenantBySlug, insertTenant, type TenantRow } from '../people';
import { createAccessTokens } from './access-tokens';
import { createAuthService } from './auth.service';

/** What the command line does for an operator (`veritas admin create`, `veritas auth rotate-keys`): no person is signed in. */
const CLI = { ip: null, requestId: 'cli' };

export const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Slugs that name routes under /v1/auth/sso/ (its callback) rather than an institution. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set(['callback']);

export interface AdminInvitation {
  tenant: TenantRow;
  tenantCreated: boolean;
  link: string;
  expiresAt: Date;
}

/** Creates the institution if it does not exist yet, and an invitation for its first (or another) admin. */
export async function createAdminInvitation(
  database: Database,
  input: { tenantSlug: string; tenantName?: string; email: string; displayName?: string; linkBase: string },
): Promise<AdminInvitation> {
  if (!TENANT_SLUG.test(input.tenantSlug)) throw new Error(`--tenant must be lower-case letters, digits and dashes, got "${input.tenantSlug}"`);
  if (RESERVED_SLUGS.has(input.tenantSlug)) throw new Error(`--tenant "${input.tenantSlug}" is reserved; choose another short name`);
  const audit = createAuditService(database);
  const auth = createAuthService({ database, accessTokens: createAccessTokens(database), audit });
  let tenant = await findTenantBySlug(database.db, input.tenantSlug);
  const tenantCreated = !tenant;
  if (!tenant) {
    tenant = await insertTenant(database.db, { id: `t-${randomBytes(6).toString('hex')}`, slug: input.tenantSlug, name: input.tenantName ?? input.tenantSlug });
    await audit.record({
      tenantId: tenant.id,
      actor: ANONYMOUS,
      action: 'tenant.create',
      resource: { type: 'tenant', id: tenant.id },
      context: CLI,
      detail: { via: 'cli', slug: tenant.slug },
    });
  }
  const { link, url } = await auth.links.invite(
    ANONYMOUS,
    tenantId(tenant.id),
    { email: input.email, role: 'admin', ...(input.displayName ? { displayName: input.displayName } : {}) },
    input.linkBase,
    CLI,
  );
  // The invitation's entry is linked into its tenant's chain now, not by a server's sweep later (ADR 0033).
  await audit.linkPending(tenant.id);
  await audit.stop();
  return { tenant, tenantCreated, link: url, expiresAt: link.expires_at };
}

/** A new signing key; the old ones verify until their last token has expired (nobody is signed out). Returns the new kid. */
export async function rotateSigningKeys(database: Database): Promise<string> {
  const kid = await createAccessTokens(database).rotate();
  await createAuditService(database).record({
    tenantId: null,
    actor: ANONYMOUS,
    action: 'auth.keys-rotate',
    resource: { type: 'signing-key', id: kid },
    context: CLI,
    detail: { via: 'cli' },
  });
  return kid;
}
