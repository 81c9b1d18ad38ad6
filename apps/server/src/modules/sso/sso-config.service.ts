import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findTenantById, type TenantRow } from '../people';
import { describe, discover, isUnreachable, issuerUrl, SAVE_TIMEOUT_S, unsuitable, type OidcClients } from './oidc-client';
import { deleteOidcProvider, deleteTenantOidcLogins, findOidcProvider, saveOidcProvider, unlinkOidcSubjects, type OidcProviderRow } from './sso.repository';

export const DEFAULT_SCOPES = 'openid email profile';
/** RFC 6749 scope tokens: printable ASCII without space, quote or backslash. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export interface SsoSettingsInput {
  issuer: string;
  clientId: string;
  /** Omitted: the stored secret is kept for the same issuer and client; null: none (a public client, PKCE alone). */
  clientSecret?: string | null;
  scopes?: string;
  createUsers?: boolean;
}

/** Two spellings of one URL (a trailing slash, the case of the host); text that is no URL is only itself. */
function sameUrl(a: string, b: string): boolean {
  const href = (s: string) => (URL.canParse(s) ? new URL(s).href : s);
  return href(a) === href(b);
}

function scopesOf(given: string): string {
  const tokens = [...new Set(given.split(/\s+/).filter(Boolean))];
  if (!tokens.every((t) => SCOPE_TOKEN.test(t))) throw new AppError('invalid-request', '/body/scopes: scopes are space-separated tokens of printable ASCII');
  if (!tokens.includes('openid')) throw new AppError('invalid-request', '/body/scopes: the scopes must include openid');
  return tokens.join(' ');
}

/** An administrator's configuration of their institution's OpenID Connect provider. */
export function createSsoConfig({ database, audit, clients }: { database: Database; audit: AuditService; clients: OidcClients }) {
  const db = database.db;

  /** The issuer answers as an OpenID Connect provider the code flow can use: its own spelling of its issuer, else a 400 saying why not. */
  async function checkIssuer(settings: { issuer: string; clientId: string; clientSecret: string | null }): Promise<string> {
    issuerUrl(settings.issuer);
    const where = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const config = await discover(settings, SAVE_TIMEOUT_S).catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      if (isUnreachable(err)) throw new AppError('sso-issuer-invalid', `${where} could not be reached (${describe(err)})`);
      if (err instanceof TypeError) throw err;
      throw new AppError('sso-issuer-invalid', `${where} is not an OpenID Connect discovery document for this issuer (${describe(err)})`);
    });
    const why = unsuitable(config);
    if (why) throw new AppError('sso-issuer-invalid', `the issuer cannot be used for sign-in: ${why}`);
    return config.serverMetadata().issuer;
  }

  async function find(tenant: TenantId): Promise<OidcProviderRow | undefined> {
    return guard(findOidcProvider(db, tenant));
  }

  /** The institution and its provider, if it has one. */
  async function get(tenant: TenantId): Promise<{ tenant: TenantRow; provider: OidcProviderRow | undefined }> {
    const [row, provider] = [await guard(findTenantById(db, tenant)), await find(tenant)];
    if (!row) throw new AppError('not-found', 'no such institution');
    return { tenant: row, provider };
  }

  /**
   * Saves the provider after checking its discovery document. A new issuer forgets every account's
   * link to the old one's subjects, and sign-ins in flight with the old settings end.
   */
  async function save(admin: UserActor, input: SsoSettingsInput, context: RequestContext): Promise<OidcProviderRow> {
    const tenant = admin.tenantId;
    const existing = await find(tenant);
    const scopes = scopesOf(input.scopes ?? existing?.scopes ?? DEFAULT_SCOPES);
    const sameClient = existing !== undefined && existing.client_id === input.clientId && sameUrl(existing.issuer, input.issuer);
    const clientSecret = input.clientSecret !== undefined ? input.clientSecret : sameClient ? existing.client_secret : null;
    const issuer = await checkIssuer({ issuer: input.issuer, clientId: input.clientId, clientSecret });
    const createUsers = input.createUsers ?? existing?.create_users ?? false;
    const saved = await db
      .transaction()
      .execute(async (trx) => {
        const row = await saveOidcProvider(trx, {
          tenant_id: tenant,
          issuer,
          client_id: input.clientId,
          // Stored as given: encrypting secrets at rest comes with the key-management issue.
          client_secret: clientSecret,
          scopes,
          create_users: createUsers,
        });
        const issuerChanged = existing !== undefined && existing.issuer !== issuer;
        const unlinked = issuerChanged ? await unlinkOidcSubjects(trx, tenant) : 0;
        if (existing && (issuerChanged || existing.client_id !== input.clientId)) await deleteTenantOidcLogins(trx, tenant);
        await audit.record(
          {
            tenantId: tenant,
            actor: admin,
            action: 'sso.config.update',
            resource: { type: 'sso-provider', id: tenant },
            context,
            // Never the secret: only whether there is one and whether this request set it.
            detail: {
              issuer,
              clientId: input.clientId,
              scopes,
              createUsers,
              clientSecret: clientSecret === null ? 'none' : input.clientSecret !== undefined ? 'set' : 'kept',
              created: existing === undefined,
              ...(issuerChanged ? { previousIssuer: existing.issuer, unlinkedAccounts: unlinked } : {}),
            },
          },
          trx,
        );
        return row;
      })
      .catch(rethrowUnavailable);
    clients.forget(tenant);
    return saved;
  }

  /** Removes the provider: its sign-ins in flight end and accounts forget their subjects (they re-link by verified email if it comes back). */
  async function remove(admin: UserActor, context: RequestContext): Promise<boolean> {
    const tenant = admin.tenantId;
    const removed = await db
      .transaction()
      .execute(async (trx) => {
        const existing = await findOidcProvider(trx, tenant);
        if (!existing || !(await deleteOidcProvider(trx, tenant))) return false;
        await deleteTenantOidcLogins(trx, tenant);
        const unlinked = await unlinkOidcSubjects(trx, tenant);
        await audit.record(
          {
            tenantId: tenant,
            actor: admin,
            action: 'sso.config.delete',
            resource: { type: 'sso-provider', id: tenant },
            context,
            detail: { issuer: existing.issuer, clientId: existing.client_id, unlinkedAccounts: unlinked },
          },
          trx,
        );
        return true;
      })
      .catch(rethrowUnavailable);
    clients.forget(tenant);
    return removed;
  }

  return { get, save, remove };
}
export type SsoConfig = ReturnType<typeof createSsoConfig>;
