import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { Choice } from '../../components/choice';
import { Field } from '../../components/field';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';
import { useClassPages } from './class-paths';
import { loadTeachers } from './teachers';

/**
 * /admin/classes and /classes: the classes the person sees (an admin all, by teacher; a teacher
 * their own; an observer those of their teachers), a page at a time, and creating one.
 */
export function ClassesPage() {
  const { base, isAdmin, canManage } = useClassPages();
  const [teacherId, setTeacherId] = useState<string>('any');
  const paging = usePager();
  const { cursor } = paging;
  const [teachers] = useLoad(() => (isAdmin ? loadTeachers() : Promise.resolve([])), String(isAdmin));
  const [list] = useLoad(
    () =>
      unwrap(
        api.GET('/v1/classes', {
          params: { query: { limit: 20, ...(teacherId !== 'any' ? { teacherId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    `${teacherId}|${cursor ?? ''}`,
  );
  // "a former teacher" only once the teachers are read and theirs is not among them: never a guess while they load.
  const teacherName = (id: string) =>
    teachers.status === 'ready'
      ? (teachers.data.find((t) => t.id === id)?.label ?? 'a former teacher')
      : teachers.status === 'loading'
        ? 'Loading…'
        : 'not known (the teachers could not be read)';
  return (
    <div className="page page-wide">
      <PageTitle>Classes</PageTitle>
      <h1>Classes</h1>
      {canManage && <CreateClass base={base} teachers={isAdmin && teachers.status === 'ready' ? teachers.data : undefined} />}
      {isAdmin && teachers.status === 'ready' && (
        <div className="filters">
          <Choice
            label="Teacher"
            options={[{ id: 'any', label: 'Every teacher' }, ...teachers.data]}
            value={teacherId}
            onChange={(t) => {
              setTeacherId(t);
              paging.reset();
            }}
          />
        </div>
      )}
      <LoadState
        state={list}
        what="the classes"
        isEmpty={(d) => d.items.length === 0}
        empty={canManage ? 'There is no class yet: create one above.' : 'There is no class for you to see.'}
      >
        {(d) => (
          <>
            <table className="table">
              <caption className="sr-only">Classes</caption>
              <thead>
                <tr>
                  <th scope="col">Class</th>
                  {isAdmin && <th scope="col">Teacher</th>}
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link to={`${base}/${c.id}`}>{c.name}</Link>
                    </th>
                    {isAdmin && <td>{teacherName(c.teacherId)}</td>}
                    <td>{new Date(c.createdAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}</td>
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

/** A new class by name (an admin also names its teacher); it opens once created, to add its students. */
function CreateClass({ base, teachers }: { base: string; teachers: { id: string; label: string }[] | undefined }) {
  const navigate = useNavigate();
  const [teacherId, setTeacherId] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name')).trim();
    setError(null);
    setErrors({});
    if (teachers && !teacherId) {
      setError('Choose the class’s teacher.');
      return;
    }
    setBusy(true);
    try {
      const created = await unwrap(api.POST('/v1/classes', { body: { name, ...(teachers ? { teacherId } : {}) } }));
      void navigate(`${base}/${created.id}`);
    } catch (err) {
      setBusy(false);
      const fields = err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : {};
      if (fields.name) setErrors({ name: fields.name });
      else setError(`Not created: ${messageOf(err)}.`);
    }
  };
  return (
    <section aria-labelledby="new-class">
      <h2 id="new-class">New class</h2>
      <Form className="filters" onSubmit={(e) => void submit(e)} validationErrors={errors}>
        <Field name="name" label="Class name" isRequired maxLength={200} />
        {teachers && <Choice label="Teacher" options={[{ id: '', label: 'Choose a teacher' }, ...teachers]} value={teacherId} onChange={setTeacherId} />}
        <Button type="submit" className="btn btn-primary" isPending={busy}>
          Create the class
        </Button>
      </Form>
      {error && (
        <p role="alert" className="form-alert">
          {error}
        </p>
      )}
    </section>
  );
}
