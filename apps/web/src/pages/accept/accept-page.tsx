import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { LinkInfo } from '../../api/pending-paths';
import { ApiProblem } from '../../api/problem';
import { useAuth } from '../../auth/auth-context';
import { startPageOf } from '../../app/navigation';
import { Field } from '../../components/field';
import { PageTitle } from '../../components/page-title';

type State = { phase: 'loading' } | { phase: 'unusable'; why: string } | { phase: 'ready'; link: LinkInfo };

/** Why a link cannot be used, for a person who followed it. */
function unusable(err: unknown): string {
  if (err instanceof ApiProblem && (err.code === 'link-invalid' || err.status === 404 || err.status === 410)) {
    return 'This link is unknown, already used, withdrawn or expired. Ask your institution’s administrator for a new one.';
  }
  return `The link could not be checked: ${err instanceof ApiProblem ? err.summary : 'the server could not be reached'}. Try again later.`;
}

/**
 * /accept/:token: an invitation (choose a display name and a password, and join the institution) or
 * a password reset (choose a new password). Either signs the person in.
 */
export function AcceptPage() {
  const { token = '' } = useParams();
  const [state, setState] = useState<State>({ phase: 'loading' });
  useEffect(() => {
    const ac = new AbortController();
    setState({ phase: 'loading' });
    unwrap(api.GET('/v1/auth/links/{token}', { params: { path: { token } }, signal: ac.signal })).then(
      (link) => setState({ phase: 'ready', link }),
      (err: unknown) => {
        if (!ac.signal.aborted) setState({ phase: 'unusable', why: unusable(err) });
      },
    );
    return () => ac.abort();
  }, [token]);

  return (
    <div className="page page-narrow">
      {state.phase === 'ready' ? (
        <AcceptForm token={token} link={state.link} />
      ) : (
        <>
          <PageTitle>Invitation or password reset</PageTitle>
          <h1>Invitation or password reset</h1>
          {state.phase === 'loading' && <p role="status">Checking the link…</p>}
          {state.phase === 'unusable' && (
            <>
              <p role="alert" className="form-alert">
                {state.why}
              </p>
              <p>
                <Link to="/sign-in">Go to sign in</Link>
              </p>
            </>
          )}
        </>
      )}
    </div>
  );
}

function AcceptForm({ token, link }: { token: string; link: LinkInfo }) {
  const auth = useAuth();
  const navigate = useNavigate();
  const invitation = link.kind === 'invitation';
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const title = invitation ? `Join ${link.tenantName}` : 'Choose a new password';

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const me = await auth.acceptLink(token, { password, ...(invitation ? { displayName: String(form.get('displayName')).trim() } : {}) });
      navigate(startPageOf(me.role), { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiProblem && err.code === 'invalid-request') {
        setFieldErrors(err.fieldErrors());
        setProblem('Check the fields marked below.');
      } else
        setProblem(
          err instanceof ApiProblem && err.code === 'link-invalid'
            ? unusable(err)
            : `That did not work: ${err instanceof ApiProblem ? err.summary : 'the server could not be reached'}.`,
        );
    }
  };

  return (
    <>
      <PageTitle>{title}</PageTitle>
      <h1>{title}</h1>
      <dl className="facts">
        <dt>Email address</dt>
        <dd>{link.email}</dd>
        <dt>Institution</dt>
        <dd>{link.tenantName}</dd>
        <dt>Link valid until</dt>
        <dd>{new Date(link.expiresAt).toLocaleString()}</dd>
      </dl>
      {problem && (
        <p role="alert" className="form-alert">
          {problem}
        </p>
      )}
      <Form className="form card" onSubmit={(e) => void submit(e)} validationErrors={fieldErrors}>
        {/* For password managers: the account the new password belongs to. */}
        <input type="email" name="username" autoComplete="username" value={link.email} readOnly hidden />
        {invitation && <Field name="displayName" label="Your name" description="How others in your institution see you." autoComplete="name" isRequired />}
        <Field
          name="password"
          type="password"
          label={invitation ? 'Password' : 'New password'}
          description="A long passphrase is easiest to remember and hardest to guess."
          autoComplete="new-password"
          isRequired
          value={password}
          onChange={setPassword}
        />
        <Field
          name="repeat"
          type="password"
          label="Repeat the password"
          autoComplete="new-password"
          isRequired
          validate={(v) => (v && v !== password ? 'The two passwords differ.' : null)}
        />
        <Button type="submit" className="btn btn-primary" isPending={busy}>
          {invitation ? 'Join and sign in' : 'Set the password and sign in'}
        </Button>
      </Form>
    </>
  );
}
