import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import type { Listing } from '../../kernel/policy';
import type { Scope, TenantId } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';

/** Whose sessions a person or key reaches (kernel/policy's listingOf): the listing and, for people, who they are. */
export interface Reach {
  listing: Listing;
  userId?: string;
}

type Sessions = ExpressionBuilder<DB, 'sessions'>;

/** The students of the classes a teacher teaches (classes.teacher_id), in the tenant. */
const taughtBy = (eb: Sessions, tenant: TenantId, teacherId: string) =>
  eb
    .selectFrom('class_members as cm')
    .innerJoin('classes as c', 'c.id', 'cm.class_id')
    .select('cm.user_id')
    .where('c.tenant_id', '=', tenant)
    .where('c.teacher_id', '=', teacherId);

/** The teachers an observer is attached to, in the tenant. */
const observedTeachers = (eb: Sessions, tenant: TenantId, observerId: string) =>
  eb.selectFrom('observer_links as ol').select('ol.teacher_id').where('ol.tenant_id', '=', tenant).where('ol.observer_id', '=', observerId);

/** The students of the classes taught by the teachers an observer is attached to. */
const observedStudents = (eb: Sessions, tenant: TenantId, observerId: string) =>
  eb
    .selectFrom('class_members as cm')
    .innerJoin('classes as c', 'c.id', 'cm.class_id')
    .innerJoin('observer_links as ol', (j) => j.onRef('ol.teacher_id', '=', 'c.teacher_id'))
    .select('cm.user_id')
    .where('c.tenant_id', '=', tenant)
    .where('ol.tenant_id', '=', tenant)
    .where('ol.observer_id', '=', observerId);

/**
 * The one rule of who reads which of a tenant's sessions, as a condition on the sessions table
 * (the caller applies the tenant scope): the grant of one session and the listing of many share it,
 * so what a person can list and what they can open never differ. An admin or a key: the tenant's;
 * a student: their own; a teacher: their own and their classes' students'; an observer: what the
 * teachers they are attached to read. Capability listings ('published') are not grants.
 */
export function readableBy(scope: Scope, reach: Reach) {
  return (eb: Sessions): Expression<SqlBool> => {
    const tenant = scope.tenantId;
    const userId = reach.userId;
    if (tenant === null) return sql<boolean>`false`;
    if (reach.listing === 'tenant') return sql<boolean>`true`;
    if (userId === undefined || reach.listing === 'published') return sql<boolean>`false`;
    const byPerson = eb('sessions.owner_kind', '=', 'user');
    switch (reach.listing) {
      case 'own':
        return eb.and([byPerson, eb('sessions.owner_id', '=', userId)]);
      case 'taught':
        return eb.and([byPerson, eb.or([eb('sessions.owner_id', '=', userId), eb('sessions.owner_id', 'in', taughtBy(eb, tenant, userId))])]);
      case 'observed':
        return eb.and([
          byPerson,
          eb.or([eb('sessions.owner_id', 'in', observedTeachers(eb, tenant, userId)), eb('sessions.owner_id', 'in', observedStudents(eb, tenant, userId))]),
        ]);
    }
  };
}

/**
 * Which of `sessionIds` are in the scope and within the reach: one query on the sessions' primary key,
 * for one session (the access hook) or many (the live re-checks of one person's streams).
 */
export async function sessionsWithinReach(db: Db, scope: Scope, reach: Reach, sessionIds: readonly string[]): Promise<Set<string>> {
  if (scope.tenantId === null || sessionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .select('sessions.id')
    .where('sessions.id', 'in', [...sessionIds])
    .where(inScope(scope))
    .where(readableBy(scope, reach))
    .execute();
  return new Set(rows.map((r) => r.id));
}
