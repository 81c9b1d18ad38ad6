import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ANONYMOUS, type Role, type UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { DB } from '../../platform/db/tables';
import type { JobQueue, QueuePolicy } from '../../platform/queue/job-queue';
import type { AuditService, RequestContext } from '../audit';
import { addMember, findUser, findUserByEmailForSignIn, insertUser, normalEmail, removeMember, type UserRow } from '../people';
import { ltiAddress } from './lti-accounts';
import { mapRoles } from './lti-claims';
import { findAccountUser, findRegistration, insertAccount, type LtiRegistrationRow } from './lti.repository';
import { MEDIA, NRPS_SCOPE, nextLink } from './lti-services.claims';
import { classTeacher, linkedMembers, rosterSourceOf } from './lti-services.repository';
import type { PlatformTokens } from './platform-token';

/** The queue of roster syncs (NRPS): one class's course membership read and applied. */
export const LTI_ROSTER_SYNC = 'lti-roster-sync';
export const LTI_ROSTER_SYNC_POLICY: Partial<QueuePolicy> = { retryLimit: 4, retryDelayMs: 2000, visibilityTimeoutMs: 5 * 60_000 };

export interface RosterSyncJob {
  tenantId: string;
  classId: string;
  /** Who asked (a teacher's launch, or the route's caller). */
  by: string | null;
  reason: 'launch' | 'request';
}

/** What one sync did. */
export interface RosterCounts {
  members: number;
  created: number;
  matched: number;
  added: number;
  removed: number;
  skipped: number;
}

/** A course of a few thousand people, in at most 50 pages: more is refused rather than read without end. */
const MAX_PAGES = 50;
const MAX_MEMBERS = 10_000;
/** Teachers' launches from one course within this window share one sync. */
const WINDOW_MS = 60_000;
const JOB_CONTEXT: RequestContext = { ip: null, requestId: null };

interface Member {
  sub: string;
  status: 'Active' | 'Inactive' | 'Deleted';
  role: Role | undefined;
  name: string | undefined;
  email: string | undefined;
}

const text = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/** A member of the membership container (NRPS §2.3), or undefined when it names no usable user. `status` defaults to Active. */
function memberOf(raw: unknown): Member | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  const sub = text(m.user_id, 255);
  if (!sub) return undefined;
  const roles = Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string') : [];
  const status = m.status === 'Inactive' || m.status === 'Deleted' ? m.status : 'Active';
  const given = [text(m.given_name, 100), text(m.family_name, 100)].filter(Boolean).join(' ');
  return { sub, status, role: mapRoles(roles), name: text(m.name, 200) ?? (given || undefined), email: text(m.email, 320) };
}

export interface LtiNrpsDeps {
  database: Database;
  audit: AuditService;
  jobs: JobQueue;
  platformToken: PlatformTokens;
  clock: () => Date;
  fetchFn?: typeof fetch;
}

/**
 * Names and Role Provisioning Services 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0): a class that
 * is an LMS course reads the course's membership (every page, `Link: <…>; rel="next"`) and takes it in:
 * each Active member gets their account (found by the LMS user id, else by address in the tenant, else
 * made with no password and the role their LMS roles map to); learners join the class; Inactive and
 * Deleted members, and linked learners the roster no longer lists, leave it. Run by a job, on a
 * teacher's launch and on request; each sync is audited with its counts.
 */
export function createLtiNrps({ database, audit, jobs, platformToken, clock, fetchFn = fetch }: LtiNrpsDeps) {
  const db = database.db;

  async function fetchRoster(registration: LtiRegistrationRow, first: string): Promise<Member[]> {
    const origin = new URL(first).origin;
    const members: Member[] = [];
    let url: string | undefined = first;
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw new AppError('lti-platform-unavailable', `the course roster runs past ${MAX_PAGES} pages; not taken in`);
      const token = await platformToken(registration, [NRPS_SCOPE]);
      const res: Response = await fetchFn(url, {
        headers: { authorization: `Bearer ${token}`, accept: MEDIA.memberships },
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      }).catch((err: unknown) => {
        throw new AppError('lti-platform-unavailable', `the LMS’s roster service could not be reached (${(err as Error).message})`);
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        if (res.status === 401) platformToken.forget(registration, [NRPS_SCOPE]);
        throw new AppError('lti-platform-unavailable', `the LMS’s roster service answered ${res.status}`);
      }
      const body = (await res.json().catch(() => undefined)) as { members?: unknown } | undefined;
      if (!body || !Array.isArray(body.members)) throw new AppError('lti-platform-unavailable', 'the LMS’s roster page is not a membership container');
      for (const raw of body.members) {
        const m = memberOf(raw);
        if (m) members.push(m);
      }
      if (members.length > MAX_MEMBERS)
        throw new AppError('lti-platform-unavailable', `the course roster lists more than ${MAX_MEMBERS} members; not taken in`);
      url = nextLink(res.headers.get('link'), url);
      // The next page is the same service's: a Link header never sends Veritas's token to another origin.
      if (url && new URL(url).origin !== origin) throw new AppError('lti-platform-unavailable', 'the roster’s next page is on another origin');
    }
    return members;
  }

  /** The member's account in the registration's tenant: linked by `sub`; else the tenant's by address (then linked); else a new one. */
  async function accountOf(trx: Kysely<DB>, tenant: TenantId, registration: LtiRegistrationRow, m: Member & { role: Role }) {
    const linkedId = await findAccountUser(trx, tenant, registration.id, m.sub);
    const linked = linkedId ? await findUser(trx, tenant, linkedId) : undefined;
    if (linked) return { user: linked, made: false };
    const email = m.email ? normalEmail(m.email) : undefined;
    const byEmail = email ? await findUserByEmailForSignIn(trx, email) : undefined;
    const user: UserRow =
      byEmail && byEmail.tenant_id === tenant
        ? byEmail
        : await insertUser(trx, {
            id: randomUUID(),
            tenant_id: tenant,
            email: email && !byEmail ? email : ltiAddress(registration.id, m.sub),
            display_name: (m.name ?? email?.split('@')[0] ?? 'LMS user').slice(0, 200),
            role: m.role,
            password_hash: null,
            oidc_subject: null,
            enrollment_id: null,
            department: null,
          });
    await insertAccount(trx, { tenant_id: tenant, registration_id: registration.id, sub: m.sub, user_id: user.id });
    return { user, made: user !== byEmail };
  }

  async function apply(job: RosterSyncJob, tenant: TenantId, registration: LtiRegistrationRow, contextId: string, members: Member[]): Promise<RosterCounts> {
    const counts: RosterCounts = { members: members.length, created: 0, matched: 0, added: 0, removed: 0, skipped: 0 };
    return db
      .transaction()
      .execute(async (trx) => {
        const listed = new Set<string>();
        for (const m of members) {
          listed.add(m.sub);
          if (m.status !== 'Active') {
            const userId = await findAccountUser(trx, tenant, registration.id, m.sub);
            if (userId && (await removeMember(trx, tenant, job.classId, userId))) counts.removed++;
            else counts.skipped++;
            continue;
          }
          if (!m.role) {
            counts.skipped++; // a role Veritas has no counterpart for (Mentor, ContentDeveloper …)
            continue;
          }
          const { user, made } = await accountOf(trx, tenant, registration, { ...m, role: m.role });
          if (made) counts.created++;
          else counts.matched++;
          if (user.role === 'student' && user.status === 'active' && (await addMember(trx, tenant, job.classId, user.id))) counts.added++;
        }
        // A complete roster is the course: a linked learner it no longer lists has left it (platforms often list
        // active members only). A roster without a single active learner is taken as a platform withholding it, not an emptied course.
        const learners = members.some((m) => m.status === 'Active' && m.role === 'student');
        for (const gone of learners ? await linkedMembers(trx, tenant, job.classId, registration.id) : [])
          if (!listed.has(gone.sub) && (await removeMember(trx, tenant, job.classId, gone.user_id))) counts.removed++;
        await audit.record(
          {
            tenantId: tenant,
            actor: ANONYMOUS,
            action: 'lti.roster-sync',
            resource: { type: 'class', id: job.classId },
            context: JOB_CONTEXT,
            detail: { outcome: 'done', registrationId: registration.id, contextId, reason: job.reason, by: job.by, ...counts },
          },
          trx,
        );
        return counts;
      })
      .catch(rethrowUnavailable);
  }

  async function enqueue(tenant: TenantId, classId: string, by: string | null, reason: RosterSyncJob['reason']) {
    const job: RosterSyncJob = { tenantId: tenant, classId, by, reason };
    // Launches within a minute share one sync (a teacher opening several links); a request always runs one.
    return jobs.enqueue(LTI_ROSTER_SYNC, job, reason === 'launch' ? { key: `launch:${classId}:${Math.floor(clock().getTime() / WINDOW_MS)}` } : {});
  }

  return {
    /** A teacher's (or admin's) launch from a course: its roster is read in the background. */
    async onTeacherLaunch(tenant: TenantId, classId: string, userId: string): Promise<void> {
      await guard(enqueue(tenant, classId, userId, 'launch'));
    },

    /** The route: a teacher of the class (or an admin) asks for a sync now. 404 for a class not theirs; 409 without a roster service. */
    async request(actor: UserActor, classId: string, context: RequestContext): Promise<{ jobId: string; classId: string }> {
      const teacherId = await guard(classTeacher(db, actor.tenantId, classId));
      if (!teacherId || (actor.role !== 'admin' && teacherId !== actor.userId)) throw new AppError('not-found', `no class ${classId}`);
      if (!(await guard(rosterSourceOf(db, actor.tenantId, classId))))
        throw new AppError('lti-roster-unavailable', 'this class was not made from an LMS course, or no launch from it named a roster service');
      const { id } = await guard(enqueue(actor.tenantId, classId, actor.userId, 'request'));
      await audit.record({
        tenantId: actor.tenantId,
        actor,
        action: 'lti.roster-sync.request',
        resource: { type: 'class', id: classId },
        context,
        detail: { jobId: id },
      });
      return { jobId: id, classId };
    },

    /** The job: reads every page, then applies the roster in one transaction. Throws (to be retried) when the LMS fails. */
    async sync(job: RosterSyncJob): Promise<RosterCounts | undefined> {
      const tenant = tenantId(job.tenantId);
      const source = await guard(rosterSourceOf(db, tenant, job.classId));
      const registration = source && (await guard(findRegistration(db, tenant, source.registration_id)));
      if (!source?.nrps_url || !registration) return undefined; // the class or its registration went away
      try {
        return await apply(job, tenant, registration, source.context_id, await fetchRoster(registration, source.nrps_url));
      } catch (err) {
        await audit
          .record({
            tenantId: tenant,
            actor: ANONYMOUS,
            action: 'lti.roster-sync',
            resource: { type: 'class', id: job.classId },
            context: JOB_CONTEXT,
            detail: { outcome: 'failed', registrationId: registration.id, reason: job.reason, error: (err as Error).message.slice(0, 300) },
          })
          .catch(() => undefined);
        throw err;
      }
    },
  };
}
export type LtiNrps = ReturnType<typeof createLtiNrps>;
