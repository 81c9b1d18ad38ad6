import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { Button } from 'react-aria-components';
import { useAuth } from '../auth/auth-context';
import { NAVIGATION, ROLE_LABEL, type Audience } from './navigation';

/**
 * The layout of every page: a skip link, the header with the navigation of whoever is signed in
 * and their account, and the page in <main>. After a navigation inside the app, focus moves to the
 * new page's heading, so keyboard and screen-reader users start where the content changed.
 */
export function Shell() {
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  // The path on screen: focus moves when it changes, not on the first render (nor StrictMode's second effect).
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    focusPage(main.current);
  }, [pathname]);
  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <header className="app-header">
        <Link to="/" className="app-brand">
          Veritas
        </Link>
        <MainNavigation />
        <Account />
      </header>
      <main id="main" ref={main} tabIndex={-1} className="app-main">
        <Outlet />
      </main>
    </>
  );
}

function focusPage(main: HTMLElement | null) {
  if (!main) return;
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  } else main.focus();
}

function MainNavigation() {
  const { state } = useAuth();
  // Nothing while the sign-in is being restored: the links would change under the pointer.
  const audience: Audience | null = state.status === 'loading' ? null : state.status === 'signed-in' ? state.me.role : 'anonymous';
  return (
    <nav aria-label="Main" className="app-nav">
      <ul>
        {(audience ? NAVIGATION[audience] : []).map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} end>
              {item.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Account() {
  const auth = useAuth();
  const navigate = useNavigate();
  if (auth.state.status !== 'signed-in') return null;
  const { me } = auth.state;
  return (
    <div className="app-account">
      <span className="app-account-who">
        <Link to="/profile">{me.displayName || me.email}</Link>
        <span className="muted">
          {' '}
          · {ROLE_LABEL[me.role]}, {me.tenant.name}
        </span>
      </span>
      <Button
        className="btn btn-quiet"
        onPress={async () => {
          // Leave first: a guarded page would otherwise send the person to /sign-in on the way out.
          await navigate('/');
          await auth.signOut();
        }}
      >
        Sign out
      </Button>
    </div>
  );
}
