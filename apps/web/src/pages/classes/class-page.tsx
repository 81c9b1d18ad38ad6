import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import type { paths } from '../../api/schema';
import { Choice } from '../../components/choice';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Field } from '../../components/field';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { useClassPages } from './class-paths';
import { loadTeachers } from './teachers';

type Detail = paths['/v1/classes/{classId}']['get']['responses'][200]['content']['application/json'];
type Member = Detail['members'][number];
type Student = paths['/v1/admin/users']['get']['responses'][200]['content']['application/json']['items'][number];
type Say = (message: { ok: boolean; text: string }) => void;

/**
 * /admin/classes/:classId and /classes/:classId: a class and its students. A teacher (their own) or
 * an admin renames it, adds and removes students, deletes it; an admin also gives it to another
 * teacher. An observer reads. A class the person may not see answers 404 like an unknown one.
 */
export function ClassPage() {
  const { classId = '' } = useParams();
  const { base, isAdmin, canManage } = useClassPages();
  const [detail, reload] = useLoad(() => unwrap(api.GET('/v1/classes/{classId}', { params: { path: { classId } } })), classId);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const say: Say = (m) => {
    setMessage(m);
    if (m.ok) reload();
  };
  const title = detail.status === 'ready' ? detail.data.name : 'Class';
  return (
    <div className="page page-wide">
      <PageTitle>{title}</PageTitle>
      <p>
        <Link to={base}>All classes</Link>
      </p>
      <h1>{title}</h1>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'form-ok' : 'form-alert'}>
          {message.text}
        </p>
      )}
      <LoadState state={detail} what="the class" isEmpty={() => false} empty={null}>
        {(c) => (
          <>
            {canManage && <ClassSettings key={c.id + c.name + c.teacherId} detail={c} isAdmin={isAdmin} base={base} say={say} />}
            <h2>Students ({c.members.length})</h2>
            {c.members.length === 0 ? (
              <p className="muted">No student is in this class yet.</p>
            ) : (
              <table className="table">
                <caption className="sr-only">Students of {c.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email address</th>
                    <th scope="col">Enrolment number</th>
                    <th scope="col">Status</th>
                    {canManage && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {c.members.map((m) => (
                    <tr key={m.id}>
                      <th scope="row">{m.displayName}</th>
                      <td>{m.email}</td>
                      <td>{m.enrollmentId ?? '—'}</td>
                      <td>{m.status}</td>
                      {canManage && (
                        <td>
                          <RemoveMember classDetail={c} member={m} say={say} />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {canManage && <AddStudents classDetail={c} say={say} />}
          </>
        )}
      </LoadState>
    </div>
  );
}

function RemoveMember({ classDetail, member, say }: { classDetail: Detail; member: Member; say: Say }) {
  return (
    <ConfirmDialog
      trigger="Remove"
      triggerName={`Remove ${member.displayName} from the class`}
      title={`Remove ${member.displayName} from ${classDetail.name}?`}
      confirm="Remove"
      failure="Not removed"
      action={() => unwrap(api.DELETE('/v1/classes/{classId}/members/{userId}', { params: { path: { classId: classDetail.id, userId: member.id } } }))}
      onDone={() => say({ ok: true, text: `${member.displayName} is no longer in ${classDetail.name}.` })}
    >
      The class’s teacher no longer sees their sessions through this class; their account and sessions stay.
    </ConfirmDialog>
  );
}

/** Finds the tenant's students by name or email and adds them one at a time (adding twice changes nothing). */
function AddStudents({ classDetail, say }: { classDetail: Detail; say: Say }) {
  const [q, setQ] = useState<string | null>(null);
  const [found] = useLoad(
    () =>
      q === null
        ? Promise.resolve({ items: [] as Student[], next: null })
        : unwrap(api.GET('/v1/admin/users', { params: { query: { role: 'student', status: 'active', limit: 20, ...(q ? { q } : {}) } } })),
    q ?? '',
  );
  const members = new Set(classDetail.members.map((m) => m.id));
  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setQ(String(new FormData(e.currentTarget).get('q')).trim());
  };
  const add = async (s: Student) => {
    try {
      await unwrap(api.PUT('/v1/classes/{classId}/members/{userId}', { params: { path: { classId: classDetail.id, userId: s.id } } }));
      say({ ok: true, text: `${s.displayName} is in ${classDetail.name}.` });
    } catch (err) {
      say({ ok: false, text: `Not added: ${messageOf(err)}.` });
    }
  };
  return (
    <section aria-labelledby="add-students">
      <h2 id="add-students">Add students</h2>
      <Form className="filters" onSubmit={search} role="search" aria-label="Find students">
        <Field name="q" label="Student name or email contains" maxLength={200} />
        <Button type="submit" className="btn">
          Find students
        </Button>
      </Form>
      {q !== null && (
        <LoadState state={found} what="the students" isEmpty={(d) => d.items.length === 0} empty="No active student matches.">
          {(d) => (
            <ul className="plain-list" aria-label="Students found">
              {d.items.map((s) => (
                <li key={s.id}>
                  {s.displayName} ({s.email}){' '}
                  {members.has(s.id) ? (
                    <span className="muted">already in the class</span>
                  ) : (
                    <Button className="btn btn-quiet" aria-label={`Add ${s.displayName} to the class`} onPress={() => void add(s)}>
                      Add
                    </Button>
                  )}
                </li>
              ))}
              {d.next && <li className="muted">More students match: narrow the search.</li>}
            </ul>
          )}
        </LoadState>
      )}
    </section>
  );
}

/** Rename, (an admin) give to another teacher, delete. */
function ClassSettings({ detail, isAdmin, base, say }: { detail: Detail; isAdmin: boolean; base: string; say: Say }) {
  const navigate = useNavigate();
  const [teacherId, setTeacherId] = useState(detail.teacherId);
  const [teachers] = useLoad(() => (isAdmin ? loadTeachers() : Promise.resolve([])), String(isAdmin));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name')).trim();
    const patch = { ...(name !== detail.name ? { name } : {}), ...(teacherId !== detail.teacherId ? { teacherId } : {}) };
    setErrors({});
    if (Object.keys(patch).length === 0) return say({ ok: true, text: 'Nothing to change.' });
    try {
      await unwrap(api.PATCH('/v1/classes/{classId}', { params: { path: { classId: detail.id } }, body: patch }));
      say({ ok: true, text: 'The class is saved.' });
    } catch (err) {
      const fields = err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : {};
      if (fields.name) setErrors({ name: fields.name });
      else say({ ok: false, text: `Not saved: ${messageOf(err)}.` });
    }
  };
  return (
    <section aria-labelledby="class-settings">
      <h2 id="class-settings">Settings</h2>
      <Form className="filters" onSubmit={(e) => void save(e)} validationErrors={errors}>
        <Field name="name" label="Class name" defaultValue={detail.name} isRequired maxLength={200} />
        {isAdmin && teachers.status === 'ready' && (
          <Choice
            label="Teacher"
            options={
              teachers.data.some((t) => t.id === detail.teacherId) ? teachers.data : [{ id: detail.teacherId, label: 'A former teacher' }, ...teachers.data]
            }
            value={teacherId}
            onChange={setTeacherId}
          />
        )}
        <Button type="submit" className="btn">
          Save
        </Button>
        <ConfirmDialog
          trigger="Delete the class"
          title={`Delete ${detail.name}?`}
          confirm="Delete"
          failure="Not deleted"
          action={() => unwrap(api.DELETE('/v1/classes/{classId}', { params: { path: { classId: detail.id } } }))}
          onDone={() => void navigate(base)}
        >
          Its list of students goes; the students, their accounts and sessions stay.
        </ConfirmDialog>
      </Form>
    </section>
  );
}
