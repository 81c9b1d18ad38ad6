import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { PageTitle } from '../components/page-title';

export function NotFoundPage() {
  return (
    <div className="page">
      <PageTitle>Page not found</PageTitle>
      <h1>Page not found (404)</h1>
      <p>There is no page at this address.</p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </div>
  );
}

/** A page that failed while rendering or loading its code: said plainly, inside the shell. */
export function RouteErrorPage() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : String(error);
  return (
    <div className="page">
      <PageTitle>Something went wrong</PageTitle>
      <h1>Something went wrong</h1>
      <p role="alert">This page could not be shown: {message}</p>
      <p>
        <Link to="/">Go to the home page</Link> or reload this one.
      </p>
    </div>
  );
}
