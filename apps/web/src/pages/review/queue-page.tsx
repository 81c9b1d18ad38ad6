import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../auth/auth-context';
import { Choice } from '../../components/choice';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';
import { detectorName, SEVERITY_LABEL, sessionTime, STATE_LABEL, when, type FlagSummary, type ReviewState, type Severity } from './review-words';

type StateFilter = ReviewState | 'pending' | 'all';

const STATE_OPTIONS: { id: StateFilter; label: string }[] = [
  { id: 'pending', label: 'Waiting for a decision' },
  { id: 'all', label: 'All' },
  { id: 'open', label: 'Open' },
  { id: 'awaiting_second_review', label: 'Awaiting a second reviewer' },
  { id: 'escalated', label: 'Escalated' },
  { id: 'confirmed', label: 'Confirmed' },
  { id: 'dismissed', label: 'Dismissed' },
];
const SEVERITY_OPTIONS: { id: Severity | 'any'; label: string }[] = [
  { id: 'any', label: 'Any severity' },
  { id: 'high', label: 'High' },
  { id: 'medium', label: 'Medium' },
  { id: 'low', label: 'Low' },
];

/** The queue's page and the titles of its sessions (read one by one; a session that cannot be read keeps its id). */
async function loadQueue(state: StateFilter, severity: Severity | 'any', cursor: string | undefined) {
  const page = await unwrap(
    api.GET('/v1/review/flags', {
      params: { query: { limit: 20, state, ...(severity !== 'any' ? { severity } : {}), ...(cursor ? { cursor } : {}) } },
    }),
  );
  const ids = [...new Set(page.items.map((f) => f.sessionId))];
  const titles = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const { data } = await api.GET('/v1/sessions/{id}', { params: { path: { id } } });
      if (data?.meta.title) titles.set(id, data.meta.title);
    }),
  );
  return { ...page, titles };
}

/**
 * /review (teachers, admins; observers read): the consolidated flags of the sessions the person may
 * see, waiting ones first by default, filtered by state and severity on the server, a page at a
 * time; each leads to its session's review page.
 */
export function ReviewQueuePage() {
  const [state, setState] = useState<StateFilter>('pending');
  const [severity, setSeverity] = useState<Severity | 'any'>('any');
  const paging = usePager();
  const { cursor } = paging;
  const [list] = useLoad(() => loadQueue(state, severity, cursor), `${state}|${severity}|${cursor ?? ''}`);
  return (
    <div className="page page-wide">
      <PageTitle>Review</PageTitle>
      <h1>Review</h1>
      <p className="muted">
        A flag is evidence for a person to weigh, never a verdict: nothing follows from it until a reviewer decides. Similar findings of a session are one flag
        with its occurrences.
      </p>
      <div className="filters">
        <Choice
          label="State"
          options={STATE_OPTIONS}
          value={state}
          onChange={(s) => {
            setState(s);
            paging.reset();
          }}
        />
        <Choice
          label="Severity"
          options={SEVERITY_OPTIONS}
          value={severity}
          onChange={(s) => {
            setSeverity(s);
            paging.reset();
          }}
        />
      </div>
      <LoadState state={list} what="the flags" isEmpty={(d) => d.items.length === 0} empty="No flag matches.">
        {(d) => (
          <>
            <table className="table">
              <caption className="sr-only">Flags to review</caption>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Detector</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Occurrences</th>
                  <th scope="col">When in the session</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((f) => (
                  <QueueRow key={f.id} flag={f} title={d.titles.get(f.sessionId)} />
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

/** An attempt's flag leads to the attempt's review (replay, monitoring, score) for those who may read it; any other to its session's. */
function reviewLink(f: FlagSummary, role: string | undefined): string {
  return f.attemptId && (role === 'teacher' || role === 'admin') ? `/review/attempts/${f.attemptId}?session=${f.sessionId}` : `/review/sessions/${f.sessionId}`;
}

function QueueRow({ flag: f, title }: { flag: FlagSummary; title: string | undefined }) {
  const auth = useAuth();
  const role = auth.state.status === 'signed-in' ? auth.state.me.role : undefined;
  const name = title ?? `Session ${f.sessionId}`;
  return (
    <tr>
      <th scope="row">
        <Link to={reviewLink(f, role)} aria-label={`Review ${name}: ${detectorName(f.kind)}`}>
          {name}
        </Link>
        <br />
        <span className="muted">first seen {when(f.firstSeenAt)}</span>
      </th>
      <td>
        {detectorName(f.kind)}
        <br />
        <span className="muted">{f.message}</span>
      </td>
      <td>
        <span className={`risk risk-${f.severity}`}>{SEVERITY_LABEL[f.severity]}</span>
      </td>
      <td>{f.occurrences}</td>
      <td>
        {sessionTime(f.firstT)} to {sessionTime(f.lastT)}
      </td>
      <td>
        {STATE_LABEL[f.state]}
        {f.changedSinceDecision && (
          <>
            <br />
            <strong className="flag-changed">changed since the decision</strong>
          </>
        )}
      </td>
    </tr>
  );
}
