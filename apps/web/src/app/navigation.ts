import type { Role } from '../api/pending-paths';

/** Who the navigation is for: a signed-in person by role, or nobody signed in. */
export type Audience = Role | 'anonymous';

export interface NavItem {
  to: string;
  label: string;
}

/** The main navigation of each audience. Every target is a route the audience may open (app/routes.tsx). */
export const NAVIGATION: Record<Audience, readonly NavItem[]> = {
  admin: [
    { to: '/admin/users', label: 'Users' },
    { to: '/admin/invitations', label: 'Invitations' },
    { to: '/admin/classes', label: 'Classes' },
    { to: '/admin/api-keys', label: 'API keys' },
    { to: '/admin/audit', label: 'Audit log' },
    { to: '/admin/institution', label: 'Institution' },
    { to: '/admin/webhooks', label: 'Webhooks' },
    { to: '/admin/lti', label: 'LMS' },
    { to: '/review', label: 'Review' },
  ],
  teacher: [
    { to: '/classes', label: 'Classes' },
    { to: '/dashboard', label: 'Dashboard' },
    { to: '/exams', label: 'Exams' },
    { to: '/sessions', label: 'Sessions' },
    { to: '/review', label: 'Review' },
  ],
  observer: [
    { to: '/sessions', label: 'Sessions' },
    { to: '/classes', label: 'Classes' },
    { to: '/review', label: 'Review' },
  ],
  student: [
    { to: '/my/sessions', label: 'My sessions' },
    { to: '/my/dashboard', label: 'My dashboard' },
    { to: '/my/exams', label: 'My exams' },
    { to: '/my/flags', label: 'My flags' },
    { to: '/profile', label: 'Profile' },
  ],
  anonymous: [
    { to: '/', label: 'Home' },
    { to: '/write', label: 'Write' },
    { to: '/sign-in', label: 'Sign in' },
  ],
};

/** Where a person lands after signing in: the first page of their navigation. */
export const startPageOf = (role: Role): string => NAVIGATION[role][0]!.to;

export const ROLE_LABEL: Record<Role, string> = { admin: 'administrator', teacher: 'teacher', observer: 'observer', student: 'student' };

/**
 * A `?next=` target that is safe to go to after signing in: a path of this app (one leading slash,
 * not `//host`, no backslash), never another site.
 */
export function safeNext(next: string | null): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return undefined;
  return next;
}
