import { useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../auth/auth-context';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import type { ReplayControl } from '../replay/replay-player';
import { AttemptMonitoring, fetchMonitoring } from './attempt-monitoring';
import { AttemptReplay } from './attempt-replay';
import { AttemptScore } from './attempt-score';
import { decidedWords } from './decide-dialog';
import { FlagCard } from './session-review-page';
import { when } from './review-words';
import './review.css';

const ATTEMPT_STATE: Record<string, string> = {
  not_started: 'not started',
  in_progress: 'in progress',
  submitted: 'submitted',
  abandoned: 'abandoned',
  timed_out: 'timed out',
  graded: 'graded',
};

/** Everything the page shows, read side by side once the monitoring has named the exam and the session. */
async function loadAttempt(attemptId: string) {
  const [monitoring, attempt] = await Promise.all([
    fetchMonitoring(attemptId),
    unwrap(api.GET('/v1/attempts/{attemptId}', { params: { path: { attemptId } } })),
  ]);
  const sessionId = monitoring.attempt.sessionId;
  const [exam, flags] = await Promise.all([
    unwrap(api.GET('/v1/exams/{examId}', { params: { path: { examId: monitoring.attempt.examId } } })),
    sessionId ? unwrap(api.GET('/v1/sessions/{id}/flags', { params: { path: { id: sessionId } } })).then((f) => f.items) : Promise.resolve([]),
  ]);
  return { monitoring, attempt, exam, flags };
}

/**
 * /review/attempts/:attemptId (the exam's teachers, admins): one student's attempt to review — the
 * replay of its session with its flags' occurrences marked on the timeline (each jumps the replay),
 * the consolidated flags to confirm, dismiss or escalate with a note, the attempt's monitoring (events,
 * alerts, the timeline of anomalies, the analysis) and, for its teachers, its score and the exam's
 * results release.
 */
export function AttemptReviewPage() {
  const { attemptId = '' } = useParams();
  // The session the queue came from: if the attempt cannot be read (a teacher of the class, not of the exam), its flags still can.
  const [query] = useSearchParams();
  const fromSession = query.get('session');
  const auth = useAuth();
  const me = auth.state.status === 'signed-in' ? auth.state.me : null;
  const [data, reload] = useLoad(() => loadAttempt(attemptId), attemptId);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const control = useRef<ReplayControl | null>(null);
  const title =
    data.status === 'ready' ? `Review: ${data.data.monitoring.attempt.examTitle}, ${data.data.monitoring.attempt.studentName}` : 'Review of an attempt';
  const said = (text: string) => {
    setMessage({ ok: true, text });
    reload();
  };
  return (
    <div className="page page-wide">
      <PageTitle>{title}</PageTitle>
      <p>
        <Link to="/review">All flags to review</Link>
      </p>
      <h1>{title}</h1>
      {message && (
        <p role="status" className="form-ok">
          {message.text}
        </p>
      )}
      {data.status === 'failed' && fromSession && (
        <p>
          <Link to={`/review/sessions/${encodeURIComponent(fromSession)}`}>Review the session’s flags instead</Link> (the attempt’s monitoring and score are for
          the exam’s teachers).
        </p>
      )}
      <LoadState state={data} what="the attempt" isEmpty={() => false} empty={null}>
        {({ monitoring, attempt, exam, flags }) => {
          const a = monitoring.attempt;
          return (
            <>
              <dl className="facts">
                <dt>Student</dt>
                <dd>{a.studentName}</dd>
                <dt>Attempt</dt>
                <dd>
                  {ATTEMPT_STATE[a.state] ?? a.state}
                  {a.startedAt ? `, started ${when(a.startedAt)}` : ''}
                  {a.finishedAt ? `, finished ${when(a.finishedAt)}` : ''}
                </dd>
              </dl>
              {a.sessionId ? (
                <>
                  <p>
                    <Link to={`/report/${a.sessionId}`}>Read the process report</Link>
                  </p>
                  <AttemptReplay sessionId={a.sessionId} timeline={monitoring.timeline} control={control} />
                </>
              ) : (
                <p className="muted">The student has not started: there is no session to replay.</p>
              )}
              <section aria-labelledby="flags" className="attempt-flags">
                <h2 id="flags">Flags</h2>
                <p className="muted">A flag is evidence for a person to weigh, never a verdict: nothing follows from it until a reviewer decides.</p>
                {flags.length === 0 ? (
                  <p className="muted">This attempt has no flag.</p>
                ) : (
                  flags.map((f) => <FlagCard key={f.id} flag={f} me={me} onDecided={(d) => said(decidedWords(f, d))} onStale={reload} />)
                )}
              </section>
              <AttemptMonitoring data={monitoring} onJump={a.sessionId ? (t) => control.current?.seek(t) : null} />
              {me?.role === 'teacher' && <AttemptScore attempt={attempt} exam={exam} onChanged={said} />}
            </>
          );
        }}
      </LoadState>
    </div>
  );
}
