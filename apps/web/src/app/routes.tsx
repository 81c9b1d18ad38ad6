import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';
import type { Role } from '../api/pending-paths';
import { HomePage } from '../pages/home/home-page';
import { RequireRole } from './guards';
import { Shell } from './shell';
import { NotFoundPage, RouteErrorPage } from './simple-pages';

type PageLoader = () => Promise<{ Component: ComponentType }>;
const page =
  <M,>(load: () => Promise<M>, name: keyof M): PageLoader =>
  async () => ({ Component: (await load())[name] as ComponentType });

const sessions = page(() => import('../pages/sessions/sessions-page'), 'SessionsPage');
const classes = page(() => import('../pages/classes/classes-page'), 'ClassesPage');
const oneClass = page(() => import('../pages/classes/class-page'), 'ClassPage');
const reviewQueue = page(() => import('../pages/review/queue-page'), 'ReviewQueuePage');
const sessionReview = page(() => import('../pages/review/session-review-page'), 'SessionReviewPage');
const examForm = page(() => import('../pages/exams/exam-form-page'), 'ExamFormPage');

/** Pages for some roles only; each is rendered only behind its RequireRole (see guards.tsx). */
const GUARDED: { roles: readonly Role[]; pages: { path: string; lazy: PageLoader }[] }[] = [
  {
    roles: ['admin'],
    pages: [
      { path: 'admin/users', lazy: page(() => import('../pages/admin/users-page'), 'UsersPage') },
      { path: 'admin/invitations', lazy: page(() => import('../pages/admin/invitations-page'), 'InvitationsPage') },
      { path: 'admin/classes', lazy: classes },
      { path: 'admin/classes/:classId', lazy: oneClass },
      { path: 'admin/api-keys', lazy: page(() => import('../pages/admin/api-keys-page'), 'ApiKeysPage') },
      { path: 'admin/audit', lazy: page(() => import('../pages/admin/audit-page'), 'AuditPage') },
      { path: 'admin/institution', lazy: page(() => import('../pages/admin/institution-page'), 'InstitutionPage') },
      { path: 'admin/webhooks', lazy: page(() => import('../pages/admin/webhooks-page'), 'WebhooksPage') },
      { path: 'admin/lti', lazy: page(() => import('../pages/admin/lti-page'), 'LtiPage') },
    ],
  },
  // An observer reads the classes of the teachers they are attached to; the page offers them no change.
  {
    roles: ['teacher', 'observer'],
    pages: [
      { path: 'classes', lazy: classes },
      { path: 'classes/:classId', lazy: oneClass },
    ],
  },
  { roles: ['teacher', 'observer'], pages: [{ path: 'sessions', lazy: sessions }] },
  { roles: ['student'], pages: [{ path: 'my/sessions', lazy: sessions }] },
  // Exams: a teacher sets and edits theirs; a student takes the open ones of their classes.
  {
    roles: ['teacher'],
    pages: [
      { path: 'exams', lazy: page(() => import('../pages/exams/exams-page'), 'ExamsPage') },
      { path: 'exams/new', lazy: examForm },
      { path: 'exams/:examId/edit', lazy: examForm },
      { path: 'exams/:examId/live', lazy: page(() => import('../pages/live/exam-live-page'), 'ExamLiveRoute') },
    ],
  },
  {
    roles: ['student'],
    pages: [
      { path: 'my/exams', lazy: page(() => import('../pages/exams/my-exams-page'), 'MyExamsPage') },
      { path: 'my/exams/:examId/take', lazy: page(() => import('../pages/exams/take-exam-page'), 'TakeExamPage') },
    ],
  },
  // Flag review: teachers and admins decide, observers read (the page offers them no decision).
  {
    roles: ['teacher', 'admin', 'observer'],
    pages: [
      { path: 'review', lazy: reviewQueue },
      { path: 'review/sessions/:sessionId', lazy: sessionReview },
    ],
  },
  // An attempt's review (replay, flags, monitoring, score): the exam's teachers and admins (observers have no monitoring).
  {
    roles: ['teacher', 'admin'],
    pages: [{ path: 'review/attempts/:attemptId', lazy: page(() => import('../pages/review/attempt-review-page'), 'AttemptReviewPage') }],
  },
  { roles: ['student'], pages: [{ path: 'my/flags', lazy: page(() => import('../pages/review/my-flags-page'), 'MyFlagsPage') }] },
  // Dashboards (issue 12): each page's data in one request; who reads which exam or student, the server decides (404 otherwise).
  { roles: ['student'], pages: [{ path: 'my/dashboard', lazy: page(() => import('../pages/dashboards/student-dashboard-page'), 'StudentDashboardPage') }] },
  { roles: ['teacher'], pages: [{ path: 'dashboard', lazy: page(() => import('../pages/dashboards/teacher-dashboard-page'), 'TeacherDashboardPage') }] },
  {
    roles: ['teacher', 'admin'],
    pages: [{ path: 'exams/:examId/analytics', lazy: page(() => import('../pages/dashboards/exam-analytics-page'), 'ExamAnalyticsPage') }],
  },
  {
    roles: ['teacher', 'observer', 'admin'],
    pages: [{ path: 'students/:studentId', lazy: page(() => import('../pages/dashboards/student-detail-page'), 'StudentDetailPage') }],
  },
  // Deep linking (LTI): the exam picker a deep-linking launch opens inside the LMS; whose request it is, the server decides.
  { roles: ['teacher', 'admin'], pages: [{ path: 'lti/deep-link/:deepLinkToken', lazy: page(() => import('../pages/lti/deep-link-page'), 'DeepLinkPage') }] },
  // Whose report it is, the server decides (404 otherwise).
  {
    roles: ['student', 'teacher', 'observer', 'admin'],
    pages: [{ path: 'report/:sessionId', lazy: page(() => import('../pages/sessions/report-page'), 'ReportPage') }],
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
          // A session live: public sessions by their id alone; the server decides the others (a ticket for its readers).
          { path: 'live/:sessionId', lazy: async () => ({ Component: (await import('../pages/live/live-session-page')).LiveSessionRoute }) },
          // Public: checking evidence needs no account; a share link's page is opened by its token alone.
          { path: 'verify', lazy: async () => ({ Component: (await import('../pages/verify/verify-page')).VerifyPage }) },
          { path: 'shared/:sessionId', lazy: async () => ({ Component: (await import('../pages/share/shared-page')).SharedPage }) },
          { path: 'sign-in', lazy: async () => ({ Component: (await import('../pages/sign-in/sign-in-page')).SignInPage }) },
          { path: 'accept/:token', lazy: async () => ({ Component: (await import('../pages/accept/accept-page')).AcceptPage }) },
          {
            element: <RequireRole />,
            children: [{ path: 'profile', lazy: async () => ({ Component: (await import('../pages/profile/profile-page')).ProfilePage }) }],
          },
          ...GUARDED.map(({ roles, pages }) => ({
            element: <RequireRole roles={roles} />,
            children: pages,
          })),
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
