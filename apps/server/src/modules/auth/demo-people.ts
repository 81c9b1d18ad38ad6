import type { Role } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import { findTenantBySlug, findUserByEmailForSignIn, insertTenant, insertUser } from '../people';
import { insertDemoClass } from './demo-people.repository';
import { argon2Hasher } from './passwords';

/** The demo institution's password, shared by its four people: printed at start; never on a real server (`--demo` only). */
export const DEMO_PASSWORD = 'veritas-demo-2026';
export const DEMO_TENANT = { id: 't-demo', slug: 'demo', name: 'Demo School' };

export interface DemoPerson {
  role: Role;
  email: string;
  displayName: string;
}

export const DEMO_PEOPLE: DemoPerson[] = [
  { role: 'admin', email: 'admin@demo.veritas.test', displayName: 'Ada Admin' },
  { role: 'teacher', email: 'teacher@demo.veritas.test', displayName: 'Tom Teacher' },
  { role: 'observer', email: 'observer@demo.veritas.test', displayName: 'Olga Observer' },
  { role: 'student', email: 'student@demo.veritas.test', displayName: 'Sam Student' },
];

const idOf = (role: Role) => `u-demo-${role}`;

/**
 * Seeds the demo institution with one person per role, a class taught by the teacher with the
 * student in it, and the observer attached to the teacher. Whatever is there already is kept
 * (a changed password stays changed). Returns the people with their ids, for the sign-in details.
 */
export async function seedDemoPeople(database: Database): Promise<(DemoPerson & { id: string; tenantId: string })[]> {
  const db = database.db;
  const tenant = (await findTenantBySlug(db, DEMO_TENANT.slug)) ?? (await insertTenant(db, DEMO_TENANT));
  const ids: Partial<Record<Role, string>> = {};
  let hash: string | undefined;
  for (const p of DEMO_PEOPLE) {
    const existing = await findUserByEmailForSignIn(db, p.email);
    if (existing) {
      ids[p.role] = existing.id;
      continue;
    }
    hash ??= await argon2Hasher.hash(DEMO_PASSWORD);
    const user = await insertUser(db, {
      id: idOf(p.role),
      tenant_id: tenant.id,
      email: p.email,
      display_name: p.displayName,
      role: p.role,
      password_hash: hash,
      oidc_subject: null,
      enrollment_id: p.role === 'student' ? 'DEMO-0001' : null,
      department: p.role === 'teacher' ? 'Languages' : null,
    });
    ids[p.role] = user.id;
  }
  await insertDemoClass(db, {
    id: 'c-demo',
    tenantId: tenant.id,
    name: 'Demo class',
    teacherId: ids.teacher!,
    studentIds: [ids.student!],
    observerId: ids.observer!,
  });
  return DEMO_PEOPLE.map((p) => ({ ...p, id: ids[p.role]!, tenantId: tenant.id }));
}
