import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { Field } from '../../components/field';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { AUDIT_PAGE_SIZE } from './audit-page-size';

type Query = paths['/v1/admin/audit']['get']['parameters']['query'];
type Entry = paths['/v1/admin/audit']['get']['responses'][200]['content']['application/json']['items'][number];
type Filters = Omit<Query, 'cursor' | 'limit'>;

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A date field's day (local) as an instant: its start, or for "to" the start of the next day (the server's `to` is exclusive). */
const dayStart = (day: string, next = false) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + (next ? 1 : 0)).toISOString();
};

/** /admin/audit: the institution's audit trail, newest first, filtered, paged back by the cursor. */
export function AuditPage() {
  const [filters, setFilters] = useState<Filters>({});
  // The cursors of the pages seen, so "Newer" can go back without the server keeping state.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const query: Query = { ...filters, limit: AUDIT_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  const [list] = useLoad(() => unwrap(api.GET('/v1/admin/audit', { params: { query } })), JSON.stringify(query));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const next: Filters = {};
    if (text('actorId')) next.actorId = text('actorId');
    if (text('action')) next.action = text('action');
    if (text('resourceType')) next.resourceType = text('resourceType');
    if (text('resourceId')) next.resourceId = text('resourceId');
    if (text('from')) next.from = dayStart(text('from'));
    if (text('to')) next.to = dayStart(text('to'), true);
    setFilters(next);
    setCursors([undefined]);
  };
  return (
    <div className="page">
      <PageTitle>Audit log</PageTitle>
      <h1>Audit log</h1>
      <section aria-labelledby="audit-filter-h" className="card">
        <h2 id="audit-filter-h">Filter</h2>
        <Form className="form" onSubmit={submit} aria-labelledby="audit-filter-h">
          <Field name="actorId" label="Actor id" autoComplete="off" />
          <Field name="action" label="Action" description="e.g. user.invite, class.create, api-key.revoke" autoComplete="off" />
          <Field name="resourceType" label="Resource type" autoComplete="off" />
          <Field name="resourceId" label="Resource id" autoComplete="off" />
          <Field name="from" type="date" label="From (day)" />
          <Field name="to" type="date" label="To (day, included)" />
          <Button type="submit" className="btn btn-primary">
            Show
          </Button>
        </Form>
      </section>
      <section aria-labelledby="audit-h">
        <h2 id="audit-h">Entries</h2>
        <LoadState state={list} what="the audit log" isEmpty={(d) => d.items.length === 0} empty="No entry matches.">
          {(d) => (
            <>
              <EntriesTable items={d.items} />
              <p className="dialog-actions">
                {cursors.length > 1 && (
                  <Button className="btn" onPress={() => setCursors((c) => c.slice(0, -1))}>
                    Newer
                  </Button>
                )}
                {d.next && (
                  <Button className="btn" onPress={() => setCursors((c) => [...c, d.next ?? undefined])}>
                    Older
                  </Button>
                )}
              </p>
            </>
          )}
        </LoadState>
      </section>
    </div>
  );
}

function EntriesTable({ items }: { items: Entry[] }) {
  return (
    <table className="table">
      <caption className="sr-only">Audit entries, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Authenticated by</th>
          <th scope="col">Action</th>
          <th scope="col">Resource</th>
          <th scope="col">From</th>
          <th scope="col">Request id</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <th scope="row">{when(e.at)}</th>
            <td>{e.actor.id ? `${e.actor.kind} ${e.actor.id}` : e.actor.kind}</td>
            <td>{e.actor.authMethod}</td>
            <td>{e.action}</td>
            <td>{e.resource.id ? `${e.resource.type} ${e.resource.id}` : e.resource.type}</td>
            <td>{e.ip ?? '—'}</td>
            <td>
              <code>{e.requestId ?? '—'}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
