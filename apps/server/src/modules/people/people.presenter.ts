import type { Static } from '@sinclair/typebox';
import type { ClassRow, MemberRow } from './classes.repository';
import type { TenantRow } from './tenants.repository';
import type { UserRow } from './users.repository';
import type { ClassDetailView, ClassView, MemberView, TenantView, UserView } from './people.schemas';
import type { UserDetail } from './users.service';
import type { ClassDetail } from './classes.service';

export function presentUser(u: UserRow, teachers?: string[]): Static<typeof UserView> {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    status: u.status,
    enrollmentId: u.enrollment_id,
    department: u.department,
    createdAt: u.created_at.toISOString(),
    lastSignInAt: u.last_sign_in_at ? u.last_sign_in_at.toISOString() : null,
    ...(teachers ? { teachers } : {}),
  };
}

export const presentUserDetail = (d: UserDetail) => presentUser(d.user, d.teachers);

export function presentClass(c: ClassRow): Static<typeof ClassView> {
  return { id: c.id, name: c.name, teacherId: c.teacher_id, createdAt: c.created_at.toISOString() };
}

const presentMember = (m: MemberRow): Static<typeof MemberView> => ({
  id: m.id,
  displayName: m.display_name,
  email: m.email,
  enrollmentId: m.enrollment_id,
  status: m.status,
});

export const presentClassDetail = (d: ClassDetail): Static<typeof ClassDetailView> => ({ ...presentClass(d.class), members: d.members.map(presentMember) });

export function presentTenant(t: TenantRow): Static<typeof TenantView> {
  return { id: t.id, slug: t.slug, name: t.name, hostSignals: t.host_signals, corsOrigins: t.cors_origins, createdAt: t.created_at.toISOString() };
}
