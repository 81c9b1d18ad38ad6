import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { Field } from '../../components/field';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FormDialog } from '../../components/form-dialog';
import { LoadState, useLoad } from '../../components/load-state';
import { OneTimeSecret } from '../../components/one-time-secret';
import { PageTitle } from '../../components/page-title';

type Created = paths['/v1/admin/api-keys']['post']['responses'][201]['content']['application/json'];
type Key = paths['/v1/admin/api-keys']['get']['responses'][200]['content']['application/json']['items'][number];
type Scope = Key['scopes'][number];

const SCOPES: readonly { id: Scope; label: string }[] = [
  { id: 'sessions:write', label: 'sessions:write (record writing sessions)' },
  { id: 'sessions:read', label: 'sessions:read (read sessions)' },
  { id: 'reports:read', label: 'reports:read (read process reports)' },
];

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');

/** /admin/api-keys: the institution's keys for partner platforms, creating one (the key is shown once) and revoking one. */
export function ApiKeysPage() {
  const [list, reload] = useLoad(() => unwrap(api.GET('/v1/admin/api-keys')), 'all');
  const [created, setCreated] = useState<Created | null>(null);
  return (
    <div className="page">
      <PageTitle>API keys</PageTitle>
      <h1>API keys</h1>
      <CreateKey
        onCreated={(k) => {
          setCreated(k);
          reload();
        }}
      />
      {created && (
        <OneTimeSecret
          label={`API key ${created.name}`}
          value={created.key}
          note="Give this key to the platform that uses it; it sends it as “Authorization: Bearer <key>”. Only its hash is kept."
        />
      )}
      <section aria-labelledby="keys-h">
        <h2 id="keys-h">Keys</h2>
        <LoadState state={list} what="the API keys" isEmpty={(d) => d.items.length === 0} empty="No API key yet.">
          {(d) => <KeysTable items={d.items} onRevoked={reload} />}
        </LoadState>
      </section>
    </div>
  );
}

/** Creating asks in a dialog: a name and at least one scope. */
function CreateKey({ onCreated }: { onCreated: (k: Created) => void }) {
  const send = async (form: FormData) => {
    const name = String(form.get('name')).trim();
    const scopes = form.getAll('scopes').map(String) as Scope[];
    if (scopes.length === 0) return 'Choose at least one scope.';
    onCreated(await unwrap(api.POST('/v1/admin/api-keys', { body: { name, scopes } })));
    return undefined;
  };
  return (
    <FormDialog trigger="Create an API key" title="Create an API key" submit="Create" failure="Not created" send={send}>
      <Field name="name" label="Name" description="What the key is for, e.g. the partner platform" isRequired autoComplete="off" maxLength={200} />
      <fieldset className="field">
        <legend className="field-label">Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s.id} className="checkbox">
            <input type="checkbox" name="scopes" value={s.id} defaultChecked={s.id !== 'reports:read'} /> {s.label}
          </label>
        ))}
      </fieldset>
    </FormDialog>
  );
}

function KeysTable({ items, onRevoked }: { items: Key[]; onRevoked: () => void }) {
  return (
    // A plain table: rows are read, not selected, and each action is one Tab stop (a grid would trap Tab).
    <table className="table">
      <caption className="sr-only">API keys</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Prefix</th>
          <th scope="col">Scopes</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Revoked</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((k) => (
          <tr key={k.id}>
            <th scope="row">{k.name}</th>
            <td>
              <code>vk_{k.prefix}…</code>
            </td>
            <td>{k.scopes.join(', ')}</td>
            <td>{when(k.createdAt)}</td>
            <td>{k.lastUsedAt ? when(k.lastUsedAt) : 'Never'}</td>
            <td>{k.revokedAt ? when(k.revokedAt) : 'No'}</td>
            <td>{!k.revokedAt && <Revoke apiKey={k} onRevoked={onRevoked} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Revoking asks first: the next request with the key is refused. */
function Revoke({ apiKey, onRevoked }: { apiKey: Key; onRevoked: () => void }) {
  return (
    <ConfirmDialog
      trigger="Revoke"
      title={`Revoke the API key ${apiKey.name}?`}
      confirm="Revoke"
      failure="Not revoked"
      action={() => unwrap(api.DELETE('/v1/admin/api-keys/{keyId}', { params: { path: { keyId: apiKey.id } } }))}
      onDone={onRevoked}
    >
      The next request with it is refused; this cannot be undone.
    </ConfirmDialog>
  );
}
