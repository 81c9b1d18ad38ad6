import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';
import type { Role } from '../api/pending-paths';
import { HomePage } from '../pages/home/home-page';
import { RequireRole } from './guards';
import { Shell } from './shell';
import { ComingPage, NotFoundPage, RouteErrorPage } from './simple-pages';

type PageLoader = () => Promise<{ Component: ComponentType }>;
const page =
  <M,>(load: () => Promise<M>, name: keyof M): PageLoader =>
  async () => ({ Component: (await load())[name] as ComponentType });

const sessions = page(() => import('../pages/sessions/sessions-page'), 'SessionsPage');

/** Pages for some roles only; each is rendered only behind its RequireRole (see guards.tsx). A page without `lazy` is still to come. */
const GUARDED: { roles: readonly Role[]; pages: { path: string; title: string; lazy?: PageLoader }[] }[] = [
  {
    roles: ['admin'],
    pages: [
      { path: 'admin/users', title: 'Users', lazy: page(() => import('../pages/admin/users-page'), 'UsersPage') },
      { path: 'admin/invitations', title: 'Invitations', lazy: page(() => import('../pages/admin/invitations-page'), 'InvitationsPage') },
      { path: 'admin/classes', title: 'Classes' },
      { path: 'admin/api-keys', title: 'API keys', lazy: page(() => import('../pages/admin/api-keys-page'), 'ApiKeysPage') },
      { path: 'admin/audit', title: 'Audit log', lazy: page(() => import('../pages/admin/audit-page'), 'AuditPage') },
      { path: 'admin/institution', title: 'Institution', lazy: page(() => import('../pages/admin/institution-page'), 'InstitutionPage') },
    ],
  },
  { roles: ['teacher'], pages: [{ path: 'classes', title: 'Classes' }] },
  { roles: ['teacher', 'observer'], pages: [{ path: 'sessions', title: 'Sessions', lazy: sessions }] },
  { roles: ['student'], pages: [{ path: 'my/sessions', title: 'My sessions', lazy: sessions }] },
  // Whose report it is, the server decides (404 otherwise).
  {
    roles: ['student', 'teacher', 'observer', 'admin'],
    pages: [{ path: 'report/:sessionId', title: 'Process report', lazy: page(() => import('../pages/sessions/report-page'), 'ReportPage') }],
  },
];

/**
 * Every page of the app, by URL (React Router, data mode: see docs/adr/0014-web-foundation.md).
 * Each page but home loads its code on first visit, so a page added costs the others nothing.
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Shell />,
    HydrateFallback: () => null,
    children: [
      {
        errorElement: <RouteErrorPage />,
        children: [
          { index: true, element: <HomePage /> },
          { path: 'write', lazy: async () => ({ Component: (await import('../pages/write/write-page')).WritePage }) },
          { path: 'replay', lazy: async () => ({ Component: (await import('../pages/replay/replay-page')).ReplayRoute }) },
          { path: 'replay/:sessionId', lazy: async () => ({ Component: (await import('../pages/replay/replay-page')).ReplayRoute }) },
          { path: 'sign-in', lazy: async () => ({ Component: (await import('../pages/sign-in/sign-in-page')).SignInPage }) },
          { path: 'accept/:token', lazy: async () => ({ Component: (await import('../pages/accept/accept-page')).AcceptPage }) },
          {
            element: <RequireRole />,
            children: [{ path: 'profile', lazy: async () => ({ Component: (await import('../pages/profile/profile-page')).ProfilePage }) }],
          },
          ...GUARDED.map(({ roles, pages }) => ({
            element: <RequireRole roles={roles} />,
            children: pages.map(({ path, title, lazy }) => (lazy ? { path, lazy } : { path, element: <ComingPage title={title} /> })),
          })),
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
