import { Navigate, Outlet, useLocation } from 'react-router';
import type { Role } from '../api/pending-paths';
import { useAuth } from '../auth/auth-context';
import { NotAllowedPage } from './not-allowed-page';

/**
 * The pages under it need a signed-in person, with one of `roles` when given. Signed out, it sends
 * the visitor to /sign-in (and back here afterwards); with another role it shows the not-allowed
 * page and never renders the page itself, so nothing of it is fetched or shown.
 */
export function RequireRole({ roles }: { roles?: readonly Role[] }) {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'loading') return <p role="status">Checking your sign-in…</p>;
  if (state.status === 'signed-out') {
    return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (roles && !roles.includes(state.me.role)) return <NotAllowedPage me={state.me} roles={roles} />;
  return <Outlet />;
}
