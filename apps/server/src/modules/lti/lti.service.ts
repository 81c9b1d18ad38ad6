import type { Database } from '../../platform/db/database';
import type { AuditService } from '../audit';
import type { AuthService } from '../auth';
import { createPlatformKeys } from './lti-id-token';
import { createLtiLaunch, type LtiLaunch } from './lti-launch.service';
import { createLtiRegistrations, type LtiRegistrations } from './lti-registrations.service';
import { createToolKeys, type ToolKeys } from './tool-keys';
import { createPlatformTokens, type PlatformTokens } from './platform-token';

export interface LtiService {
  /** A tenant's LMS registrations (its administrator's). */
  registrations: LtiRegistrations;
  /** Login initiation and launch. */
  launches: LtiLaunch;
  /** Veritas's own keys as a tool (JWKS). */
  toolKeys: ToolKeys;
  /** Access tokens for LTI Advantage services at a platform (client credentials with a JWT assertion); what AGS and NRPS will use. */
  platformToken: PlatformTokens;
}

export function createLtiService({
  database,
  audit,
  auth,
  clock = () => new Date(),
}: {
  database: Database;
  audit: AuditService;
  auth: AuthService;
  clock?: () => Date;
}): LtiService {
  const toolKeys = createToolKeys(database);
  return {
    registrations: createLtiRegistrations({ database, audit, clock }),
    launches: createLtiLaunch({ database, audit, auth, keys: createPlatformKeys(), clock }),
    toolKeys,
    platformToken: createPlatformTokens({ toolKeys, clock }),
  };
}
