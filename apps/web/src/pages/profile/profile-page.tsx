import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import type { Me } from '../../api/pending-paths';
import { ApiProblem } from '../../api/problem';
import { useAuth } from '../../auth/auth-context';
import { updateMe } from '../../auth/session';
import { ROLE_LABEL } from '../../app/navigation';
import { Field } from '../../components/field';
import { PageTitle } from '../../components/page-title';

type Outcome = { ok: true; text: string } | { ok: false; text: string; fields?: Record<string, string> } | null;

const failure = (err: unknown, fields: Record<string, string> = {}): Outcome => ({
  ok: false,
  text: err instanceof ApiProblem ? `Not saved: ${err.summary}.` : 'Not saved: the server could not be reached.',
  fields: err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : fields,
});

/** /profile (any signed-in person): who they are, their display name, and a new password when they sign in with one. */
export function ProfilePage() {
  const auth = useAuth();
  if (auth.state.status !== 'signed-in') return null; // the guard renders this page only for a signed-in person
  const { me } = auth.state;
  return (
    <div className="page page-narrow">
      <PageTitle>Your profile</PageTitle>
      <h1>Your profile</h1>
      <dl className="facts">
        <dt>Email address</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>{ROLE_LABEL[me.role]}</dd>
        <dt>Institution</dt>
        <dd>{me.tenant.name}</dd>
        {me.department && (
          <>
            <dt>Department</dt>
            <dd>{me.department}</dd>
          </>
        )}
        {me.enrollmentId && (
          <>
            <dt>Enrolment number</dt>
            <dd>{me.enrollmentId}</dd>
          </>
        )}
      </dl>
      <DisplayName me={me} onSaved={auth.update} />
      {me.authMethod === 'password' ? (
        <ChangePassword email={me.email} />
      ) : (
        <section aria-labelledby="password-heading" className="card">
          <h2 id="password-heading">Password</h2>
          <p>You sign in through your institution, which manages your password.</p>
        </section>
      )}
    </div>
  );
}

function Result({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  return outcome.ok ? (
    <p role="status" className="form-ok">
      {outcome.text}
    </p>
  ) : (
    <p role="alert" className="form-alert">
      {outcome.text}
    </p>
  );
}

function DisplayName({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const displayName = String(new FormData(e.currentTarget).get('displayName')).trim();
    setBusy(true);
    setOutcome(null);
    try {
      onSaved(await updateMe({ displayName }));
      setOutcome({ ok: true, text: 'Your name is saved.' });
    } catch (err) {
      setOutcome(failure(err));
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby="name-heading" className="card">
      <h2 id="name-heading">Your name</h2>
      <Result outcome={outcome} />
      <Form className="form" onSubmit={(e) => void submit(e)} validationErrors={outcome?.ok === false ? (outcome.fields ?? {}) : {}}>
        <Field name="displayName" label="Display name" defaultValue={me.displayName} autoComplete="name" isRequired maxLength={200} />
        <Button type="submit" className="btn btn-primary" isPending={busy}>
          Save the name
        </Button>
      </Form>
    </section>
  );
}

function ChangePassword({ email }: { email: string }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [fresh, setFresh] = useState('');
  const [formKey, setFormKey] = useState(0);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const currentPassword = String(new FormData(e.currentTarget).get('currentPassword'));
    setBusy(true);
    setOutcome(null);
    try {
      await updateMe({ currentPassword, newPassword: fresh });
      setOutcome({ ok: true, text: 'Your password is changed.' });
      setFresh('');
      setFormKey((k) => k + 1); // empties the fields
    } catch (err) {
      const wrong = err instanceof ApiProblem && err.code === 'wrong-password';
      setOutcome(
        wrong
          ? { ok: false, text: 'Not changed: the current password is wrong.', fields: { currentPassword: 'This is not your current password.' } }
          : failure(err),
      );
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby="password-heading" className="card">
      <h2 id="password-heading">Change your password</h2>
      <Result outcome={outcome} />
      <Form key={formKey} className="form" onSubmit={(e) => void submit(e)} validationErrors={outcome?.ok === false ? (outcome.fields ?? {}) : {}}>
        {/* For password managers: the account the password belongs to. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <Field name="currentPassword" type="password" label="Current password" autoComplete="current-password" isRequired />
        <Field name="newPassword" type="password" label="New password" autoComplete="new-password" isRequired value={fresh} onChange={setFresh} />
        <Field
          name="repeat"
          type="password"
          label="Repeat the new password"
          autoComplete="new-password"
          isRequired
          validate={(v) => (v && v !== fresh ? 'The two passwords differ.' : null)}
        />
        <Button type="submit" className="btn btn-primary" isPending={busy}>
          Change the password
        </Button>
      </Form>
    </section>
  );
}
