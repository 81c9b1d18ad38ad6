import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { useAuth } from '../../auth/auth-context';
import { Choice } from '../../components/choice';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';

type Item = paths['/v1/sessions']['get']['responses'][200]['content']['application/json']['items'][number];
type Status = 'any' | 'active' | 'ended';

const STATE: Record<Item['analysisSummary']['state'], string> = {
  done: 'analysed',
  'not-enough-data': 'too little to judge',
  pending: 'not analysed yet',
  running: 'being analysed',
  failed: 'analysis failed',
};
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * /my/sessions (a student: their own) and /sessions (a teacher or observer: those they may see),
 * from GET /v1/sessions, a page at a time; each links to its replay and its process report.
 */
export function SessionsPage() {
  const auth = useAuth();
  const mine = auth.state.status === 'signed-in' && auth.state.me.role === 'student';
  const title = mine ? 'My sessions' : 'Sessions';
  const [status, setStatus] = useState<Status>('any');
  const paging = usePager();
  const { cursor } = paging;
  const [list] = useLoad(
    () =>
      unwrap(
        api.GET('/v1/sessions', {
          params: { query: { limit: 20, ...(status !== 'any' ? { status } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    `${status}|${cursor ?? ''}`,
  );
  return (
    <div className="page page-wide">
      <PageTitle>{title}</PageTitle>
      <h1>{title}</h1>
      <div className="filters">
        <Choice
          label="Status"
          options={[
            { id: 'any', label: 'All' },
            { id: 'active', label: 'In progress' },
            { id: 'ended', label: 'Ended' },
          ]}
          value={status}
          onChange={(s) => {
            setStatus(s);
            paging.reset();
          }}
        />
      </div>
      <LoadState
        state={list}
        what="the sessions"
        isEmpty={(d) => d.items.length === 0}
        empty={mine ? 'You have no recorded session yet.' : 'There is no session for you to see.'}
      >
        {(d) => (
          <>
            <table className="table">
              <caption className="sr-only">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col">Analysis</th>
                  <th scope="col">Open</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.meta.title ?? `Untitled ${s.kind} session`}</th>
                    <td>{when(s.createdAt)}</td>
                    <td>{s.status === 'active' ? 'in progress' : 'ended'}</td>
                    <td>
                      {STATE[s.analysisSummary.state]}
                      {s.analysisSummary.risk ? `, ${s.analysisSummary.risk} risk` : ''}
                    </td>
                    <td>
                      <Link to={`/replay/${s.id}`} aria-label={`Replay of ${s.meta.title ?? s.id}`}>
                        Replay
                      </Link>{' '}
                      ·{' '}
                      <Link to={`/report/${s.id}`} aria-label={`Report on ${s.meta.title ?? s.id}`}>
                        Report
                      </Link>
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
