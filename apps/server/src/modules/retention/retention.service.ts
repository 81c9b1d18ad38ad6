import { randomUUID } from 'node:crypto';
import { ANONYMOUS, type UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import type { AuditService, RequestContext } from '../audit';
import {
  allPolicies,
  expiredSessions,
  holdById,
  holdsOf,
  insertHold,
  insertTombstone,
  lockHolds,
  liftHold,
  policyOf,
  purgeAnalysis,
  purgeRaw,
  subjectExists,
  upsertPolicy,
  type HoldRow,
  type PolicyRow,
  type Purge,
} from './retention.repository';
import { erasePersonRows, holdsCovering, ownedResources, personOf, sessionsOfPerson, type Erased } from './erasure.repository';
import { expireAudit, type AuditExpiry } from './audit-expiry';
import { checkAuditDays } from './audit-days';

export interface PolicyInput {
  rawDays: number | null;
  analysisDays: number | null;
  /** Absent or null: the audit trail is kept. */
  auditDays?: number | null;
}

export interface HoldInput {
  subjectKind: HoldRow['subject_kind'];
  subjectId: string;
  reason: string;
}

interface By {
  actor: UserActor;
  context: RequestContext;
}

export interface SweepItem {
  tenantId: string;
  sessionId: string;
  what: Purge;
  endedAt: string;
  policyDays: number;
}

export interface SweepReport {
  dryRun: boolean;
  /** What went (or, in a dry run, would go), oldest first per tenant and kind. */
  items: SweepItem[];
  rowsDeleted: number;
  /** Stored files (exports, bundles, reports in the blob store) deleted with what expired. */
  filesDeleted: number;
  /** Each tenant's audit entries that went (or would go) under its audit days, oldest first. */
  audit: AuditExpiry[];
}

/** Where a session's stored files go when its raw data or analysis expires (modules/downloads). */
export interface RetentionFiles {
  /** Deletes the session's stored files of one part, or all of them. */
  forgetFiles(tenantId: string, sessionId: string, part?: Purge): Promise<number>;
}

export interface RetentionService {
  policy(actor: UserActor): Promise<PolicyRow | undefined>;
  setPolicy(by: By, input: PolicyInput): Promise<PolicyRow>;
  holds(actor: UserActor, active: boolean): Promise<HoldRow[]>;
  placeHold(by: By, input: HoldInput): Promise<HoldRow>;
  liftHold(by: By, id: string): Promise<HoldRow>;
  /**
   * Erases a person on request: their sessions (with everything of them), attempts, memberships and
   * answers go, and their user row keeps only its id. Refused while a hold covers them, one of their
   * sessions or attempts (legal-hold), or while they teach classes or own exams (person-owns-resources).
   */
  erasePerson(by: By, userId: string): Promise<Erased & { userId: string }>;
  /** Purges what expired under each tenant's policy and is under no hold; a dry run only lists it. */
  sweep(options?: { now?: Date; dryRun?: boolean; requestId?: string }): Promise<SweepReport>;
}

const DAY_MS = 86_400_000;
/** Sessions examined per query; a sweep goes on until nothing expired is left. */
const PAGE = 200;

export function createRetentionService(database: Database, audit: AuditService, files?: RetentionFiles): RetentionService {
  const { db } = database;

  /**
   * Purges one session's expired part and its stored files. The files go inside the transaction,
   * before the rows: a store that fails rolls the purge back and the next sweep tries again (the
   * files are made from the rows, so nothing is lost either way). They go again after the commit,
   * for a file a download made from the rows in between.
   */
  async function purgeOne(
    tenantId: string,
    what: Purge,
    cutoff: Date,
    days: number,
    sessionId: string,
    requestId: string,
  ): Promise<{ rows: number; files: number } | undefined> {
    const purged = await db.transaction().execute(async (trx) => {
      // With this lock no hold is placed or lifted while the check below and the purge run (a hold
      // committed before the purge always stops it), and two instances' sweeps take turns.
      await lockHolds(trx);
      const [still] = await expiredSessions(trx, tenantId, what, cutoff, 1, sessionId);
      if (!still) return undefined;
      const fileCount = files ? await files.forgetFiles(tenantId, sessionId, what) : 0;
      const rows = what === 'raw' ? await purgeRaw(trx, sessionId) : await purgeAnalysis(trx, sessionId);
      await insertTombstone(trx, {
        id: randomUUID(),
        tenant_id: tenantId,
        session_id: sessionId,
        what,
        rows,
        head_hash: what === 'raw' ? still.headHash : null,
        policy_days: days,
      });
      await audit.record(
        {
          tenantId,
          actor: ANONYMOUS,
          action: 'retention.purge',
          resource: { type: 'session', id: sessionId },
          context: { ip: null, requestId },
          detail: { what, rows, files: fileCount, policyDays: days, endedAt: still.endedAt.toISOString() },
        },
        trx,
      );
      return { rows, files: fileCount };
    });
    if (purged && files) purged.files += await files.forgetFiles(tenantId, sessionId, what);
    return purged;
  }

  return {
    policy: (actor) => policyOf(db, actor.tenantId),

    async setPolicy(by, input) {
      checkAuditDays(input);
      const row = await upsertPolicy(db, {
        tenant_id: by.actor.tenantId,
        raw_days: input.rawDays,
        analysis_days: input.analysisDays,
        audit_days: input.auditDays ?? null,
        updated_by: by.actor.userId,
      });
      await audit.record({
        tenantId: by.actor.tenantId,
        actor: by.actor,
        action: 'retention.policy.set',
        resource: { type: 'tenant', id: by.actor.tenantId },
        context: by.context,
        detail: { ...input, auditDays: input.auditDays ?? null },
      });
      return row;
    },

    holds: (actor, active) => holdsOf(db, actor.tenantId, active),

    async placeHold(by, input) {
      if (!(await subjectExists(db, by.actor.tenantId, input.subjectKind, input.subjectId)))
        throw new AppError('not-found', `no ${input.subjectKind} ${input.subjectId} in this institution`);
      const row = await insertHold(db, {
        id: randomUUID(),
        tenant_id: by.actor.tenantId,
        subject_kind: input.subjectKind,
        subject_id: input.subjectId,
        reason: input.reason,
        created_by: by.actor.userId,
      });
      await audit.record({
        tenantId: by.actor.tenantId,
        actor: by.actor,
        action: 'legal-hold.place',
        resource: { type: input.subjectKind, id: input.subjectId },
        context: by.context,
        detail: { holdId: row.id, reason: input.reason },
      });
      return row;
    },

    async liftHold(by, id) {
      const lifted = await liftHold(db, by.actor.tenantId, id, by.actor.userId);
      if (!lifted) {
        const existing = await holdById(db, by.actor.tenantId, id);
        if (!existing) throw new AppError('not-found', `no legal hold ${id}`);
        return existing; // lifted already: lifting again changes nothing
      }
      await audit.record({
        tenantId: by.actor.tenantId,
        actor: by.actor,
        action: 'legal-hold.lift',
        resource: { type: lifted.subject_kind, id: lifted.subject_id },
        context: by.context,
        detail: { holdId: id },
      });
      return lifted;
    },

    async erasePerson(by, userId) {
      const tenantId = by.actor.tenantId;
      const person = await personOf(db, tenantId, userId);
      if (!person) throw new AppError('not-found', `no person ${userId} in this institution`);
      if (userId === by.actor.userId) throw new AppError('forbidden', 'an admin cannot erase themselves; another admin can');
      const owned = await ownedResources(db, tenantId, userId);
      if (owned.classes + owned.exams > 0)
        throw new AppError(
          'person-owns-resources',
          `${userId} teaches ${owned.classes} class(es) and owns ${owned.exams} exam(s): give them to another teacher first`,
        );
      const erased = await db.transaction().execute(async (trx) => {
        await lockHolds(trx);
        const sessionIds = await sessionsOfPerson(trx, tenantId, userId);
        const holds = await holdsCovering(trx, tenantId, userId, sessionIds);
        if (holds.length > 0)
          throw new AppError('legal-hold', `a legal hold covers ${holds.map((h) => `${h.subject_kind} ${h.subject_id}`).join(', ')}: lift it before erasing`);
        const rows = await erasePersonRows(trx, tenantId, userId, sessionIds);
        await audit.record(
          { tenantId, actor: by.actor, action: 'person.erase', resource: { type: 'user', id: userId }, context: by.context, detail: { ...rows } },
          trx,
        );
        return { rows, sessionIds };
      });
      // Their sessions' stored files go once the rows have (nothing can make them again).
      for (const id of erased.sessionIds) await files?.forgetFiles(tenantId, id);
      return { userId, ...erased.rows };
    },

    async sweep({ now = new Date(), dryRun = false, requestId = 'retention' } = {}) {
      const items: SweepItem[] = [];
      const audits: AuditExpiry[] = [];
      let rowsDeleted = 0;
      let filesDeleted = 0;
      for (const policy of await allPolicies(db)) {
        for (const [what, days] of [
          ['raw', policy.raw_days],
          ['analysis', policy.analysis_days],
        ] as const) {
          if (days === null) continue;
          const cutoff = new Date(now.getTime() - days * DAY_MS);
          const seen = new Set<string>();
          for (;;) {
            // A dry run deletes nothing, so it pages past what it listed; a purge finds the next ones first.
            const page = (await expiredSessions(db, policy.tenant_id, what, cutoff, PAGE + seen.size)).filter((e) => !seen.has(e.sessionId));
            if (page.length === 0) break;
            for (const e of page) {
              seen.add(e.sessionId);
              if (!dryRun) {
                const purged = await purgeOne(policy.tenant_id, what, cutoff, days, e.sessionId, requestId);
                if (purged === undefined) continue;
                rowsDeleted += purged.rows;
                filesDeleted += purged.files;
              }
              items.push({ tenantId: policy.tenant_id, sessionId: e.sessionId, what, endedAt: e.endedAt.toISOString(), policyDays: days });
            }
          }
        }
        // The audit last: the purges above are recorded in it first, and it is kept longest.
        if (policy.audit_days !== null) {
          const cutoff = new Date(now.getTime() - policy.audit_days * DAY_MS);
          const cut = await expireAudit(db, audit, { tenantId: policy.tenant_id, cutoff, policyDays: policy.audit_days, dryRun, requestId });
          if (cut) audits.push(cut);
        }
      }
      return { dryRun, items, rowsDeleted, filesDeleted, audit: audits };
    },
  };
}
