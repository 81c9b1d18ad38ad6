import { useState, type FormEvent } from 'react';
import { Button, Dialog, DialogTrigger, Form, Heading, Modal } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { Role } from '../../api/pending-paths';
import type { paths } from '../../api/schema';
import { useAuth } from '../../auth/auth-context';
import { ROLE_LABEL } from '../../app/navigation';
import { Choice, ROLE_OPTIONS } from '../../components/choice';
import { Field } from '../../components/field';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { OneTimeSecret } from '../../components/one-time-secret';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';

type User = paths['/v1/admin/users']['get']['responses'][200]['content']['application/json']['items'][number];
type Reset = paths['/v1/admin/users/{userId}/password-reset']['post']['responses'][201]['content']['application/json'];

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'never');

/** /admin/users: the institution's people, filtered by role, status and a search; change a role, disable or enable, make a reset link. */
export function UsersPage() {
  const [role, setRole] = useState<Role | 'any'>('any');
  const [status, setStatus] = useState<'any' | 'active' | 'disabled'>('any');
  const [q, setQ] = useState('');
  const paging = usePager();
  const { cursor } = paging;
  const [reset, setReset] = useState<(Reset & { email: string }) | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [list, reload] = useLoad(
    () =>
      unwrap(
        api.GET('/v1/admin/users', {
          params: {
            query: {
              limit: 20,
              ...(role !== 'any' ? { role } : {}),
              ...(status !== 'any' ? { status } : {}),
              ...(q ? { q } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    `${role}|${status}|${q}|${cursor ?? ''}`,
  );
  const change = async (user: User, patch: { role?: Role; status?: 'active' | 'disabled' }, done: string) => {
    setMessage(null);
    try {
      await unwrap(api.PATCH('/v1/admin/users/{userId}', { params: { path: { userId: user.id } }, body: patch }));
      setMessage({ ok: true, text: done });
      reload();
    } catch (err) {
      setMessage({ ok: false, text: `Not changed: ${messageOf(err)}.` });
    }
  };
  const makeReset = async (user: User) => {
    setMessage(null);
    try {
      const r = await unwrap(api.POST('/v1/admin/users/{userId}/password-reset', { params: { path: { userId: user.id } } }));
      setReset({ ...r, email: user.email });
    } catch (err) {
      setMessage({ ok: false, text: `No link made: ${messageOf(err)}.` });
    }
  };
  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setQ(String(new FormData(e.currentTarget).get('q')).trim());
    paging.reset();
  };
  return (
    <div className="page page-wide">
      <PageTitle>Users</PageTitle>
      <h1>Users</h1>
      <Form className="filters" onSubmit={search} role="search" aria-label="Find people">
        <Field name="q" label="Name or email contains" maxLength={200} />
        <Choice
          label="Role"
          options={[{ id: 'any', label: 'Any role' }, ...ROLE_OPTIONS]}
          value={role}
          onChange={(r) => {
            setRole(r);
            paging.reset();
          }}
        />
        <Choice
          label="Status"
          options={[
            { id: 'any', label: 'Any status' },
            { id: 'active', label: 'Active' },
            { id: 'disabled', label: 'Disabled' },
          ]}
          value={status}
          onChange={(s) => {
            setStatus(s);
            paging.reset();
          }}
        />
        <Button type="submit" className="btn">
          Search
        </Button>
      </Form>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'form-ok' : 'form-alert'}>
          {message.text}
        </p>
      )}
      {reset && (
        <OneTimeSecret
          label={`Password-reset link for ${reset.email}`}
          value={reset.link}
          note={`Pass this link on to ${reset.email} yourself. It works once, until ${when(reset.expiresAt)}.`}
        />
      )}
      <LoadState state={list} what="the people" isEmpty={(d) => d.items.length === 0} empty="No one matches.">
        {(d) => (
          <>
            <table className="table">
              <caption className="sr-only">People</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email address</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">{u.displayName}</th>
                    <td>{u.email}</td>
                    <td>{ROLE_LABEL[u.role]}</td>
                    <td>{u.status}</td>
                    <td>{when(u.lastSignInAt)}</td>
                    <td>
                      <UserActions user={u} onChange={change} onReset={makeReset} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager paging={paging} next={d.next} />
          </>
        )}
      </LoadState>
    </div>
  );
}

function UserActions({
  user,
  onChange,
  onReset,
}: {
  user: User;
  onChange: (u: User, patch: { role?: Role; status?: 'active' | 'disabled' }, done: string) => Promise<void>;
  onReset: (u: User) => Promise<void>;
}) {
  const auth = useAuth();
  const self = auth.state.status === 'signed-in' && auth.state.me.id === user.id;
  const [role, setRole] = useState<Role>(user.role);
  return (
    <span className="filters">
      <DialogTrigger>
        <Button className="btn btn-quiet" aria-label={`Change role of ${user.displayName}`}>
          Change role
        </Button>
        <Modal className="modal" isDismissable>
          <Dialog className="dialog">
            {({ close }) => (
              <Form
                onSubmit={(e) => {
                  e.preventDefault();
                  void onChange(user, { role }, `${user.displayName} is now ${ROLE_LABEL[role]}.`).then(close);
                }}
              >
                <Heading slot="title">Change the role of {user.displayName}</Heading>
                <Choice label="New role" options={ROLE_OPTIONS} value={role} onChange={setRole} />
                <div className="dialog-actions">
                  <Button className="btn" onPress={close}>
                    Cancel
                  </Button>
                  <Button type="submit" className="btn btn-primary">
                    Save the role
                  </Button>
                </div>
              </Form>
            )}
          </Dialog>
        </Modal>
      </DialogTrigger>
      {!self && (
        <Button
          className="btn btn-quiet"
          aria-label={`${user.status === 'active' ? 'Disable' : 'Enable'} ${user.displayName}`}
          onPress={() =>
            void onChange(
              user,
              { status: user.status === 'active' ? 'disabled' : 'active' },
              `${user.displayName} is ${user.status === 'active' ? 'disabled: they are signed out and cannot sign in' : 'enabled again'}.`,
            )
          }
        >
          {user.status === 'active' ? 'Disable' : 'Enable'}
        </Button>
      )}
      <Button className="btn btn-quiet" aria-label={`Password-reset link for ${user.displayName}`} onPress={() => void onReset(user)}>
        Reset link
      </Button>
    </span>
  );
}
