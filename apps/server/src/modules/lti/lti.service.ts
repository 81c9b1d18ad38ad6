import type { Database } from '../../platform/db/database';
import type { AuditService } from '../audit';
import type { AuthService } from '../auth';
import { createPlatformKeys } from './lti-id-token';
import { createLtiLaunch, type LtiLaunch } from './lti-launch.service';
import { createLtiRegistrations, type LtiRegistrations } from './lti-registrations.service';
import { createToolKeys, type ToolKeys } from './tool-keys';
import { createPlatformTokens, type PlatformTokens } from './platform-token';
import type { JobQueue } from '../../platform/queue/job-queue';
import { createLtiAdvantage, type LtiAdvantage } from './lti-services';

export interface LtiService {
  /** A tenant's LMS registrations (its administrator's). */
  registrations: LtiRegistrations;
  /** Login initiation and launch. */
  launches: LtiLaunch;
  /** Veritas's own keys as a tool (JWKS). */
  toolKeys: ToolKeys;
  /** Access tokens for LTI Advantage services at a platform (client credentials with a JWT assertion); what AGS and NRPS will use. */
  platformToken: PlatformTokens;
  /** LTI Advantage services: grade passback (AGS) and roster sync (NRPS), run by jobs. */
  advantage: LtiAdvantage;
}

export function createLtiService({
  database,
  audit,
  auth,
  clock = () => new Date(),
  jobs,
  publicUrl,
}: {
  database: Database;
  audit: AuditService;
  auth: AuthService;
  clock?: () => Date;
  /** The job queue grade passbacks and roster syncs run on. */
  jobs: JobQueue;
  /** Where links Veritas sends to the LMS point (VERITAS_PUBLIC_URL). */
  publicUrl?: string | undefined;
}): LtiService {
  const toolKeys = createToolKeys(database);
  const platformToken = createPlatformTokens({ toolKeys, clock });
  const advantage = createLtiAdvantage({ database, audit, jobs, platformToken, clock, publicUrl });
  return {
    registrations: createLtiRegistrations({ database, audit, clock }),
    launches: createLtiLaunch({ database, audit, auth, keys: createPlatformKeys(), clock, onLaunched: advantage.recordLaunch }),
    toolKeys,
    platformToken,
    advantage,
  };
}
