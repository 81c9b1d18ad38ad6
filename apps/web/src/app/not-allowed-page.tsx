import { Link } from 'react-router';
import type { Me, Role } from '../api/pending-paths';
import { PageTitle } from '../components/page-title';
import { ROLE_LABEL, startPageOf } from './navigation';

const plural = (roles: readonly Role[]) => roles.map((r) => `${ROLE_LABEL[r]}s`).join(' and ');

/** What a signed-in person sees on a page their role does not open (the page itself is never rendered). */
export function NotAllowedPage({ me, roles }: { me: Me; roles: readonly Role[] }) {
  return (
    <div className="page">
      <PageTitle>Not allowed</PageTitle>
      <h1>Not allowed (403)</h1>
      <p>
        This page is for {plural(roles)}. You are signed in as {me.displayName || me.email}, {ROLE_LABEL[me.role]} at {me.tenant.name}, and your role does not
        allow it.
      </p>
      <p>
        <Link to={startPageOf(me.role)}>Go to your start page</Link>
      </p>
    </div>
  );
}
