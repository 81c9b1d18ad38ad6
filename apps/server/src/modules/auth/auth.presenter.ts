import type { Static } from '@sinclair/typebox';
import type { OneTimeLinkRow } from './one-time-links.repository';
import type { Profile } from './profile.service';
import type { Invitation, LinkView, MeView } from './auth.schemas';
import type { TenantRow } from '../people';
import type { Role } from '../../kernel/actor';

/** A person's own profile: the enrollment id for students, the department for teachers. */
export function presentMe({ user, tenant, authMethod }: Profile): MeView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    role: user.role,
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    ...(user.role === 'student' ? { enrollmentId: user.enrollment_id } : {}),
    ...(user.role === 'teacher' ? { department: user.department } : {}),
    authMethod,
  };
}

export const presentInvitation = (link: OneTimeLinkRow): Static<typeof Invitation> => ({
  id: link.id,
  email: link.email,
  role: link.role as Role,
  displayName: link.display_name,
  createdAt: link.created_at.toISOString(),
  expiresAt: link.expires_at.toISOString(),
  createdBy: link.created_by,
});

export const presentLink = (link: OneTimeLinkRow, tenant: TenantRow): Static<typeof LinkView> => ({
  kind: link.kind,
  email: link.email,
  tenantName: tenant.name,
  displayName: link.display_name,
  expiresAt: link.expires_at.toISOString(),
});
