import { useState } from 'react';
import { Button } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { Field } from '../../components/field';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FormDialog } from '../../components/form-dialog';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';

type Settings = paths['/v1/admin/lti']['get']['responses'][200]['content']['application/json'];
type Registration = Settings['registrations'][number];
type Body = paths['/v1/admin/lti/registrations']['post']['requestBody']['content']['application/json'];

const path = (registrationId: string) => ({ params: { path: { registrationId } } });
/** One value a line (deployment ids, origins): blank lines dropped. */
const lines = (v: FormDataEntryValue | null) =>
  String(v ?? '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

/** A URL to paste into the LMS: read-only, selectable, with a copy button that says whether it copied. */
function PasteValue({ label, value }: { label: string; value: string }) {
  const [said, setSaid] = useState('');
  const id = `paste-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid(`${label} copied.`);
    } catch {
      setSaid('Could not copy: select the text and copy it yourself.');
    }
  };
  return (
    <div className="secret-row">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input id={id} className="field-input" readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      <Button className="btn" aria-label={`Copy ${label}`} onPress={() => void copy()}>
        Copy
      </Button>
      <span role="status" className="muted">
        {said}
      </span>
    </div>
  );
}

/**
 * /admin/lti: the institution's LMS platforms (LTI 1.3). Veritas's URLs to paste into the LMS (login
 * initiation per registration, launch, JWKS), and each platform's issuer, client id, deployments,
 * keys and endpoints, added, changed or removed here.
 */
export function LtiPage() {
  const [settings, reload] = useLoad(() => unwrap(api.GET('/v1/admin/lti')), 'all');
  return (
    <div className="page">
      <PageTitle>LMS (LTI 1.3)</PageTitle>
      <h1>LMS (LTI 1.3)</h1>
      <p>
        Register your learning management system (Canvas, Moodle, Blackboard, Brightspace) as an LTI 1.3 platform: students then open their exam from the
        course, and teachers the exam’s dashboard, inside the LMS, without a Veritas password. Learners become students, instructors teachers and administrators
        admins; a course becomes a class the first time its teacher opens Veritas from it.
      </p>
      <LoadState state={settings} what="the LTI settings" isEmpty={() => false} empty={null}>
        {(d) => (
          <>
            <section aria-labelledby="tool-h" className="card">
              <h2 id="tool-h">Veritas’s URLs for the LMS</h2>
              <p>Paste these into the LMS when you add Veritas as an LTI 1.3 tool. Each registration below has its own login-initiation URL.</p>
              <PasteValue label="Launch (redirect) URL" value={d.tool.launchUrl} />
              <PasteValue label="Public keyset (JWKS) URL" value={d.tool.jwksUrl} />
              <PasteValue label="Deep linking (content selection) URL" value={d.tool.deepLinkingUrl} />
            </section>
            <RegistrationDialog onSaved={reload} />
            <section aria-labelledby="registrations-h">
              <h2 id="registrations-h">Registered platforms</h2>
              {d.registrations.length === 0 ? (
                <p>No LMS registered yet.</p>
              ) : (
                d.registrations.map((r) => <RegistrationCard key={r.id} registration={r} onChanged={reload} />)
              )}
            </section>
          </>
        )}
      </LoadState>
    </div>
  );
}

function RegistrationCard({ registration: r, onChanged }: { registration: Registration; onChanged: () => void }) {
  return (
    <article aria-labelledby={`reg-${r.id}`} className="card">
      <h3 id={`reg-${r.id}`}>{r.name}</h3>
      <PasteValue label={`Login initiation URL for ${r.name}`} value={r.loginUrl} />
      <dl className="facts">
        <dt>Issuer</dt>
        <dd>
          <code>{r.issuer}</code>
        </dd>
        <dt>Client id</dt>
        <dd>
          <code>{r.clientId}</code>
        </dd>
        <dt>Deployment ids</dt>
        <dd>{r.deploymentIds.join(', ')}</dd>
        <dt>Platform keyset (JWKS)</dt>
        <dd>
          <code>{r.jwksUrl}</code>
        </dd>
        <dt>Auth endpoint</dt>
        <dd>
          <code>{r.authEndpoint}</code>
        </dd>
        <dt>Token endpoint</dt>
        <dd>
          <code>{r.tokenEndpoint}</code>
        </dd>
        <dt>May frame Veritas</dt>
        <dd>{r.frameOrigins.join(', ')}</dd>
      </dl>
      <p className="actions">
        <RegistrationDialog registration={r} onSaved={onChanged} />
        <ConfirmDialog
          trigger="Remove"
          triggerName={`Remove ${r.name}`}
          title={`Remove ${r.name}?`}
          confirm="Remove"
          failure="Not removed"
          action={() => unwrap(api.DELETE('/v1/admin/lti/registrations/{registrationId}', path(r.id)))}
          onDone={onChanged}
        >
          Launches from this LMS stop working. The accounts and classes it made stay.
        </ConfirmDialog>
      </p>
    </article>
  );
}

/** The platform's URLs a registration names, each a URL field of its own. */
const URL_FIELDS = [
  ['jwksUrl', 'Platform keyset (JWKS) URL'],
  ['authEndpoint', 'Auth endpoint'],
  ['tokenEndpoint', 'Token endpoint'],
] as const;

/** Adding (no `registration`) or changing a platform, in a dialog. */
function RegistrationDialog({ registration: r, onSaved }: { registration?: Registration; onSaved: () => void }) {
  const title = r ? `Change ${r.name}` : 'Register an LMS';
  const send = async (form: FormData) => {
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const frameOrigins = lines(form.get('frameOrigins'));
    const body: Body = {
      name: text('name'),
      issuer: text('issuer'),
      clientId: text('clientId'),
      deploymentIds: lines(form.get('deploymentIds')),
      jwksUrl: text('jwksUrl'),
      authEndpoint: text('authEndpoint'),
      tokenEndpoint: text('tokenEndpoint'),
      ...(frameOrigins.length > 0 ? { frameOrigins } : {}),
    };
    if (r) await unwrap(api.PUT('/v1/admin/lti/registrations/{registrationId}', { ...path(r.id), body }));
    else await unwrap(api.POST('/v1/admin/lti/registrations', { body }));
    onSaved();
    return undefined;
  };
  return (
    <FormDialog
      trigger={r ? 'Change' : 'Register an LMS'}
      {...(r ? { triggerName: title, triggerClassName: 'btn' } : {})}
      modalClassName="modal modal-tall"
      title={title}
      submit="Save"
      failure="Not saved"
      send={send}
    >
      <Field name="name" label="Name" isRequired maxLength={200} defaultValue={r?.name ?? ''} autoComplete="off" />
      <Field name="issuer" label="Issuer" type="url" isRequired maxLength={2048} defaultValue={r?.issuer ?? ''} autoComplete="off" />
      <Field name="clientId" label="Client id" isRequired maxLength={255} defaultValue={r?.clientId ?? ''} autoComplete="off" />
      <div className="field">
        <label htmlFor="lti-deployments" className="field-label">
          Deployment ids (one a line)
        </label>
        <textarea id="lti-deployments" name="deploymentIds" className="field-input" required rows={3} defaultValue={r?.deploymentIds.join('\n') ?? ''} />
      </div>
      {URL_FIELDS.map(([name, label]) => (
        <Field key={name} name={name} label={label} type="url" isRequired maxLength={2048} defaultValue={r?.[name] ?? ''} autoComplete="off" />
      ))}
      <div className="field">
        <label htmlFor="lti-frames" className="field-label">
          Origins that may frame Veritas (one a line; empty: the issuer’s and the auth endpoint’s)
        </label>
        <textarea id="lti-frames" name="frameOrigins" className="field-input" rows={2} defaultValue={r?.frameOrigins.join('\n') ?? ''} />
      </div>
    </FormDialog>
  );
}
