import type { Database } from '../../platform/db/database';
import type { AuditService } from '../audit';
import type { AuthService } from '../auth';
import { createOidcClients } from './oidc-client';
import { createSsoConfig, type SsoConfig } from './sso-config.service';
import { createSsoSignIn, type SsoSignIn } from './sso-sign-in.service';

export interface SsoService {
  /** An administrator's configuration of their institution's provider. */
  settings: SsoConfig;
  /** The sign-in flow: start, callback, and what a sign-in page shows. */
  flow: SsoSignIn;
}

export interface SsoDeps {
  database: Database;
  audit: AuditService;
  auth: AuthService;
  clock?: () => Date;
}

export function createSsoService({ database, audit, auth, clock = () => new Date() }: SsoDeps): SsoService {
  // One cache of discovered providers for both: saving the settings drops the tenant's entry.
  const clients = createOidcClients(() => clock().getTime());
  return { settings: createSsoConfig({ database, audit, clients }), flow: createSsoSignIn({ database, audit, auth, clients, clock }) };
}
