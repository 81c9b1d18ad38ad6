import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { Role } from '../../api/pending-paths';
import type { paths } from '../../api/schema';
import { ROLE_LABEL } from '../../app/navigation';
import { Choice, ROLE_OPTIONS } from '../../components/choice';
import { Field } from '../../components/field';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FormAlert, useFormSend } from '../../components/form-dialog';
import { LoadState, useLoad } from '../../components/load-state';
import { OneTimeSecret } from '../../components/one-time-secret';
import { PageTitle } from '../../components/page-title';

type Issued = paths['/v1/admin/invitations']['post']['responses'][201]['content']['application/json'];
type Pending = paths['/v1/admin/invitations']['get']['responses'][200]['content']['application/json']['items'][number];

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** /admin/invitations: invite a person by email with a role (the link is shown once), the open invitations, and revoking one. */
export function InvitationsPage() {
  const [list, reload] = useLoad(() => unwrap(api.GET('/v1/admin/invitations')), 'all');
  const [issued, setIssued] = useState<Issued | null>(null);
  return (
    <div className="page">
      <PageTitle>Invitations</PageTitle>
      <h1>Invitations</h1>
      <InviteForm
        onIssued={(i) => {
          setIssued(i);
          reload();
        }}
      />
      {issued && (
        <OneTimeSecret
          label={`Invitation link for ${issued.email}`}
          value={issued.link}
          note={`Pass this link on to ${issued.email} yourself (Veritas sends no email). It works once, until ${when(issued.expiresAt)}.`}
        />
      )}
      <section aria-labelledby="pending-h">
        <h2 id="pending-h">Open invitations</h2>
        <LoadState state={list} what="the invitations" isEmpty={(d) => d.items.length === 0} empty="No invitation is open.">
          {(d) => <PendingTable items={d.items} onRevoked={reload} />}
        </LoadState>
      </section>
    </div>
  );
}

function InviteForm({ onIssued }: { onIssued: (i: Issued) => void }) {
  const [role, setRole] = useState<Role>('teacher');
  const [formKey, setFormKey] = useState(0);
  const sending = useFormSend('Not invited');
  const send = async (form: FormData) => {
    const email = String(form.get('email')).trim();
    const displayName = String(form.get('displayName') ?? '').trim();
    onIssued(await unwrap(api.POST('/v1/admin/invitations', { body: { email, role, ...(displayName ? { displayName } : {}) } })));
    setFormKey((k) => k + 1);
    return undefined;
  };
  return (
    <section aria-labelledby="invite-h" className="card">
      <h2 id="invite-h">Invite a person</h2>
      <FormAlert error={sending.error} />
      <Form key={formKey} className="form" onSubmit={(e) => void sending.submit(e, send)} validationErrors={sending.error?.fields ?? {}}>
        <Field name="email" type="email" label="Email address" isRequired autoComplete="off" maxLength={254} />
        <Field name="displayName" label="Name (optional)" maxLength={200} autoComplete="off" />
        <Choice label="Role" options={ROLE_OPTIONS} value={role} onChange={setRole} />
        <Button type="submit" className="btn btn-primary" isPending={sending.busy}>
          Invite
        </Button>
      </Form>
    </section>
  );
}

function PendingTable({ items, onRevoked }: { items: Pending[]; onRevoked: () => void }) {
  return (
    // A plain table: rows are read, not selected, and each action is one Tab stop (a grid would trap Tab).
    <table className="table">
      <caption className="sr-only">Open invitations</caption>
      <thead>
        <tr>
          <th scope="col">Email address</th>
          <th scope="col">Role</th>
          <th scope="col">Invited</th>
          <th scope="col">Expires</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id}>
            <th scope="row">{i.displayName ? `${i.displayName} <${i.email}>` : i.email}</th>
            <td>{ROLE_LABEL[i.role]}</td>
            <td>{when(i.createdAt)}</td>
            <td>{when(i.expiresAt)}</td>
            <td>
              <Revoke invitation={i} onRevoked={onRevoked} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Revoking asks first: the link stops working at once. */
function Revoke({ invitation, onRevoked }: { invitation: Pending; onRevoked: () => void }) {
  return (
    <ConfirmDialog
      trigger="Revoke"
      title={`Revoke the invitation of ${invitation.email}?`}
      confirm="Revoke"
      failure="Not revoked"
      action={() => unwrap(api.DELETE('/v1/admin/invitations/{invitationId}', { params: { path: { invitationId: invitation.id } } }))}
      onDone={onRevoked}
    >
      The link stops working at once.
    </ConfirmDialog>
  );
}
