import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { ApiProblem } from '../../api/problem';
import { Choice } from '../../components/choice';
import { Field } from '../../components/field';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';

type Tenant = paths['/v1/admin/tenant']['get']['responses'][200]['content']['application/json'];
type Sso = paths['/v1/admin/sso']['get']['responses'][200]['content']['application/json'];
type HostSignals = Tenant['hostSignals'];

const HOST_SIGNALS: readonly { id: HostSignals; label: string }[] = [
  { id: 'accept', label: 'Accept them (shown apart, never in the integrity score)' },
  { id: 'refuse', label: 'Refuse them (never stored with an analysis)' },
];

/** What a form says after sending: a line for everyone, and the server's errors by field. */
type Outcome = { ok: boolean; text: string; fields: Record<string, string> } | null;
const failed = (what: string, err: unknown): Outcome => ({
  ok: false,
  text: `${what}: ${messageOf(err)}.`,
  fields: err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : {},
});

/** /admin/institution: the institution's name, whether it takes host-page signals, and its single sign-on provider. */
export function InstitutionPage() {
  const [tenant, reloadTenant] = useLoad(() => unwrap(api.GET('/v1/admin/tenant')), 'tenant');
  const [sso, reloadSso] = useLoad(() => unwrap(api.GET('/v1/admin/sso')), 'sso');
  return (
    <div className="page">
      <PageTitle>Institution</PageTitle>
      <h1>Institution</h1>
      <section aria-labelledby="settings-h">
        <h2 id="settings-h">Settings</h2>
        <LoadState state={tenant} what="the institution" isEmpty={() => false} empty={null}>
          {(t) => <TenantForm tenant={t} onSaved={reloadTenant} />}
        </LoadState>
      </section>
      <section aria-labelledby="sso-h">
        <h2 id="sso-h">Single sign-on (OpenID Connect)</h2>
        <LoadState state={sso} what="the single sign-on settings" isEmpty={() => false} empty={null}>
          {(s) => <SsoForm sso={s} onSaved={reloadSso} />}
        </LoadState>
      </section>
    </div>
  );
}

function Status({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  return (
    <p role={outcome.ok ? 'status' : 'alert'} className="form-alert">
      {outcome.text}
    </p>
  );
}

function TenantForm({ tenant, onSaved }: { tenant: Tenant; onSaved: () => void }) {
  const [hostSignals, setHostSignals] = useState<HostSignals>(tenant.hostSignals);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name')).trim();
    setBusy(true);
    try {
      await unwrap(api.PATCH('/v1/admin/tenant', { body: { name, hostSignals } }));
      setOutcome({ ok: true, text: 'Saved.', fields: {} });
      onSaved();
    } catch (err) {
      setOutcome(failed('Not saved', err));
    }
    setBusy(false);
  };
  return (
    <Form className="form" onSubmit={(e) => void submit(e)} validationErrors={outcome?.fields ?? {}}>
      <Status outcome={outcome} />
      <p>
        Short name: <code>{tenant.slug}</code> (people type it to sign in with single sign-on).
      </p>
      <Field name="name" label="Name" defaultValue={tenant.name} isRequired maxLength={200} autoComplete="organization" />
      <Choice label="Signals the host page reports (e.g. webcam-derived scores)" options={HOST_SIGNALS} value={hostSignals} onChange={setHostSignals} />
      <Button type="submit" className="btn btn-primary" isPending={busy}>
        Save settings
      </Button>
    </Form>
  );
}

function SsoForm({ sso, onSaved }: { sso: Sso; onSaved: () => void }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const secret = String(form.get('clientSecret') ?? '');
    setBusy(true);
    try {
      await unwrap(
        api.PUT('/v1/admin/sso', {
          body: {
            issuer: String(form.get('issuer')).trim(),
            clientId: String(form.get('clientId')).trim(),
            // Left empty: the stored secret (if any) is kept; it is never shown.
            ...(secret ? { clientSecret: secret } : {}),
            createUsers: form.get('createUsers') === 'on',
          },
        }),
      );
      setOutcome({ ok: true, text: 'Saved: the provider answered its discovery.', fields: {} });
      onSaved();
    } catch (err) {
      setOutcome(failed('Not saved', err));
    }
    setBusy(false);
  };
  const remove = async () => {
    setBusy(true);
    try {
      await unwrap(api.DELETE('/v1/admin/sso'));
      setOutcome({ ok: true, text: 'Single sign-on removed.', fields: {} });
      onSaved();
    } catch (err) {
      setOutcome(failed('Not removed', err));
    }
    setBusy(false);
  };
  return (
    <Form className="form" onSubmit={(e) => void submit(e)} validationErrors={outcome?.fields ?? {}}>
      <Status outcome={outcome} />
      <p>
        Register this redirect URI at your provider: <code>{sso.redirectUri}</code>
      </p>
      <Field
        name="issuer"
        label="Issuer"
        description="The provider’s issuer URL (https)"
        defaultValue={sso.issuer ?? ''}
        isRequired
        type="url"
        maxLength={2048}
      />
      <Field name="clientId" label="Client id" defaultValue={sso.clientId ?? ''} isRequired autoComplete="off" maxLength={512} />
      <Field
        name="clientSecret"
        label="Client secret"
        type="password"
        autoComplete="new-password"
        maxLength={512}
        description={sso.clientSecretSet ? 'A secret is stored and never shown; leave empty to keep it.' : 'Leave empty for a public client (PKCE only).'}
      />
      <label className="checkbox">
        <input type="checkbox" name="createUsers" defaultChecked={sso.createUsers} /> Create a student account for a person the provider vouches for and who has
        none
      </label>
      <div className="dialog-actions">
        <Button type="submit" className="btn btn-primary" isPending={busy}>
          Save single sign-on
        </Button>
        {sso.configured && (
          <Button className="btn" onPress={() => void remove()} isDisabled={busy}>
            Remove single sign-on
          </Button>
        )}
      </div>
    </Form>
  );
}
