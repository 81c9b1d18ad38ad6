import { randomUUID } from 'node:crypto';
import { tenantId } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { JobQueue } from '../../platform/queue/job-queue';
import type { AuditService } from '../audit';
import type { UserRow } from '../people';
import { createLtiAgs, type LtiAgs } from './lti-ags';
import { EXAM_PARAMETER } from './lti-claims';
import type { LaunchClaims } from './lti-id-token';
import { createLtiNrps, type LtiNrps } from './lti-nrps';
import { findContextClass, type LtiRegistrationRow } from './lti.repository';
import { agsOf, nrpsOf } from './lti-services.claims';
import { upsertGradeLink, upsertLink } from './lti-services.repository';
import type { PlatformTokens } from './platform-token';

export interface LtiServicesDeps {
  database: Database;
  audit: AuditService;
  jobs: JobQueue;
  platformToken: PlatformTokens;
  clock: () => Date;
  publicUrl: string | undefined;
  fetchFn?: typeof fetch;
}

export interface LtiAdvantage {
  ags: LtiAgs;
  nrps: LtiNrps;
  /** After a verified resource-link launch: keeps the link's service endpoints and the person's LMS id there; a teacher's launch syncs the roster. */
  recordLaunch(registration: LtiRegistrationRow, claims: LaunchClaims, user: UserRow): Promise<void>;
}

/** LTI Advantage services a launch makes usable: grades back to the LMS (AGS), the course roster in (NRPS). */
export function createLtiAdvantage(deps: LtiServicesDeps): LtiAdvantage {
  const ags = createLtiAgs(deps);
  const nrps = createLtiNrps(deps);
  const db = deps.database.db;

  async function recordLaunch(registration: LtiRegistrationRow, claims: LaunchClaims, user: UserRow): Promise<void> {
    if (!claims.resourceLink) return;
    const tenant = tenantId(registration.tenant_id);
    const endpoint = agsOf(claims.payload);
    const nrpsUrl = nrpsOf(claims.payload) ?? null;
    const examId = claims.custom[EXAM_PARAMETER] ?? null;
    const linkId = await guard(
      upsertLink(
        db,
        tenant,
        randomUUID(),
        {
          registrationId: registration.id,
          deploymentId: claims.deploymentId,
          contextId: claims.context?.id ?? null,
          resourceLinkId: claims.resourceLink.id,
          examId,
          agsScopes: endpoint?.scopes ?? [],
          agsLineitems: endpoint?.lineitems ?? null,
          agsLineitem: endpoint?.lineitem,
          nrpsUrl,
        },
        deps.clock(),
      ),
    );
    // The AGS userId of a score is the launch's `sub` (AGS §3.4.1): kept per link for the person who takes the exam.
    if (user.role === 'student' && examId) await guard(upsertGradeLink(db, { tenant_id: tenant, link_id: linkId, user_id: user.id, sub: claims.sub }));
    if ((user.role === 'teacher' || user.role === 'admin') && nrpsUrl && claims.context) {
      const classId = await guard(findContextClass(db, tenant, registration.id, claims.context.id));
      if (classId) await nrps.onTeacherLaunch(tenant, classId, user.id);
    }
  }

  return { ags, nrps, recordLaunch };
}

/**
 * Grades flow to the gradebook on `attempt.graded` and on the release of an exam's results. The
 * subscribers only enqueue (durably, before the request that graded answers); the jobs do the calls.
 */
export function subscribeLtiAdvantage(events: EventBus, lti: Pick<LtiAdvantage, 'ags'>): void {
  events.on('attempt.graded', async ({ scope, attemptId }) => {
    if (scope.tenantId) await lti.ags.onGraded(scope.tenantId, attemptId);
  });
  events.on('exam.results.released', async ({ scope, examId }) => {
    if (scope.tenantId) await lti.ags.onReleased(scope.tenantId, examId);
  });
}
