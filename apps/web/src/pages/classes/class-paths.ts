import { useLocation } from 'react-router';
import { useAuth } from '../../auth/auth-context';

/**
 * Where the class pages live for the person looking: an admin's under /admin/classes, a teacher's
 * and an observer's under /classes; and whether they may change classes (an observer only reads).
 */
export function useClassPages() {
  const { pathname } = useLocation();
  const auth = useAuth();
  const role = auth.state.status === 'signed-in' ? auth.state.me.role : undefined;
  return {
    base: pathname.startsWith('/admin/') ? '/admin/classes' : '/classes',
    isAdmin: role === 'admin',
    canManage: role === 'admin' || role === 'teacher',
  };
}
