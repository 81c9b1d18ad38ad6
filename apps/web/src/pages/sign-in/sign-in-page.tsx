import { useRef, useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { useAuth } from '../../auth/auth-context';
import { Field } from '../../components/field';
import { PageTitle } from '../../components/page-title';
import { safeNext, startPageOf } from '../../app/navigation';

/** An institution's short name as the server spells tenant slugs. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** What a failed sign-in says, and which field it belongs to (the wrong-credentials answer names neither on purpose). */
function explain(err: unknown): { summary: string; fields: Record<string, string> } {
  if (!(err instanceof ApiProblem)) return { summary: 'The server could not be reached. Check your connection and try again.', fields: {} };
  switch (err.code) {
    case 'invalid-login':
      return { summary: 'The email address or the password is wrong.', fields: { password: 'The email address or the password is wrong.' } };
    case 'invalid-request':
      return { summary: 'Check the fields marked below.', fields: err.fieldErrors() };
    case 'rate-limited':
      return { summary: 'Too many attempts. Wait a minute, then try again.', fields: {} };
    case 'not-found':
      return { summary: 'Signing in with a password is not available on this server.', fields: {} };
    default:
      return { summary: `Signing in failed: ${err.summary}.`, fields: {} };
  }
}

/**
 * /sign-in: email and password, or the institution's single sign-on. Afterwards the person goes
 * back to the page that sent them here (`?next=`, a path of this app only) or to their start page.
 */
export function SignInPage() {
  const auth = useAuth();
  const [query] = useSearchParams();
  const next = safeNext(query.get('next'));
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const password = useRef<HTMLInputElement>(null);

  if (auth.state.status === 'signed-in') return <Navigate to={next ?? startPageOf(auth.state.me.role)} replace />;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setSummary(null);
    setFieldErrors({});
    try {
      await auth.signIn(String(form.get('email')), String(form.get('password')));
    } catch (err) {
      const { summary, fields } = explain(err);
      setSummary(summary);
      setFieldErrors(fields);
      if (fields.password) password.current?.select();
      setBusy(false);
    }
  };

  return (
    <div className="page page-narrow">
      <PageTitle>Sign in</PageTitle>
      <h1>Sign in</h1>
      {next && <p>Sign in to open that page.</p>}
      <section aria-labelledby="password-sign-in" className="card">
        <h2 id="password-sign-in">With your email address</h2>
        {summary && (
          <p role="alert" className="form-alert" id="sign-in-problem">
            {summary}
          </p>
        )}
        <Form onSubmit={(e) => void submit(e)} validationErrors={fieldErrors} className="form" aria-describedby={summary ? 'sign-in-problem' : undefined}>
          <Field name="email" type="email" label="Email address" autoComplete="username" isRequired />
          <Field name="password" type="password" label="Password" autoComplete="current-password" isRequired inputRef={password} />
          <Button type="submit" className="btn btn-primary" isPending={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </Form>
      </section>
      <SsoSignIn returnTo={next ?? '/'} />
    </div>
  );
}

/**
 * Single sign-on: the institution's short name leads to the server's SSO start for that institution,
 * which sends the person to their institution's sign-in and back here.
 */
function SsoSignIn({ returnTo }: { returnTo: string }) {
  const slugOf = (v: string) => v.trim().toLowerCase();
  const [said, setSaid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Asks first whether the institution signs in with its provider (GET /v1/auth/sso/{tenant}), so a
  // person whose institution does not is told here rather than sent to an error page.
  const go = async (slug: string) => {
    setBusy(true);
    setSaid(null);
    try {
      const sso = await unwrap(api.GET('/v1/auth/sso/{tenant}', { params: { path: { tenant: slug } } }));
      if (sso.enabled && sso.startUrl) {
        window.location.assign(`${sso.startUrl}${sso.startUrl.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(returnTo)}`);
        return;
      }
      setSaid(`${sso.tenantName} does not sign in through its own provider: use your email address and password above.`);
    } catch (err) {
      setSaid(
        err instanceof ApiProblem && err.status === 404
          ? `No institution is called “${slug}”. Check the short name your institution gave you.`
          : `Could not reach the server: ${err instanceof ApiProblem ? err.summary : 'try again'}.`,
      );
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby="sso-sign-in" className="card">
      <h2 id="sso-sign-in">Sign in with your institution (SSO)</h2>
      {said && (
        <p role="alert" className="form-alert">
          {said}
        </p>
      )}
      <Form
        className="form"
        data-testid="sso-form"
        onSubmit={(e) => {
          e.preventDefault();
          void go(slugOf(String(new FormData(e.currentTarget).get('institution'))));
        }}
      >
        <Field
          name="institution"
          label="Institution short name"
          description="The short name your institution uses in Veritas, for example “uni-example”."
          isRequired
          validate={(v) => (slugOf(v) && !SLUG.test(slugOf(v)) ? 'Use letters, digits and hyphens only, as your institution gave it.' : null)}
          autoComplete="organization"
        />
        <Button type="submit" className="btn" isPending={busy}>
          Continue to your institution
        </Button>
      </Form>
    </section>
  );
}
