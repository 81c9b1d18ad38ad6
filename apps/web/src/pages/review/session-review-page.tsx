import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../auth/auth-context';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { decidedWords, DecideDialog } from './decide-dialog';
import { Occurrences } from './occurrences';
import {
  ANSWER_LABEL,
  DECISION_DONE,
  decisionsFor,
  detectorName,
  occurrencesWord,
  SEVERITY_LABEL,
  sessionTime,
  STATE_EXPLAINED,
  STATE_LABEL,
  when,
  type Decision,
  type FlagView,
} from './review-words';

async function loadSession(sessionId: string) {
  const [session, flags] = await Promise.all([
    api.GET('/v1/sessions/{id}', { params: { path: { id: sessionId } } }),
    unwrap(api.GET('/v1/sessions/{id}/flags', { params: { path: { id: sessionId } } })),
  ]);
  return { title: session.data?.meta.title, flags: flags.items };
}

const attemptOf = (flags: readonly FlagView[]) => flags.find((f) => f.attemptId)?.attemptId ?? null;

/**
 * /review/sessions/:sessionId (teachers, admins; observers read): a session's flags, each with its
 * occurrences and evidence, the decisions taken and the student's answers, and (for a reviewer) the
 * decisions its state allows. The replay and the report are a link away.
 */
export function SessionReviewPage() {
  const { sessionId = '' } = useParams();
  const auth = useAuth();
  const me = auth.state.status === 'signed-in' ? auth.state.me : null;
  const [data, reload] = useLoad(() => loadSession(sessionId), sessionId);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const title = data.status === 'ready' && data.data.title ? `Review: ${data.data.title}` : 'Review of a session';
  return (
    <div className="page page-wide">
      <PageTitle>{title}</PageTitle>
      <p>
        <Link to="/review">All flags to review</Link>
      </p>
      <h1>{title}</h1>
      <p>
        <Link to={`/replay/${sessionId}`}>Watch the replay</Link> · <Link to={`/report/${sessionId}`}>Read the process report</Link>
      </p>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'form-ok' : 'form-alert'}>
          {message.text}
        </p>
      )}
      {data.status === 'ready' && attemptOf(data.data.flags) && (me?.role === 'teacher' || me?.role === 'admin') && (
        <p>
          This session is an exam attempt: <Link to={`/review/attempts/${attemptOf(data.data.flags)}`}>review the whole attempt</Link> (replay with its flags,
          monitoring, score).
        </p>
      )}
      <LoadState state={data} what="the session’s flags" isEmpty={(d) => d.flags.length === 0} empty="This session has no flag.">
        {(d) =>
          d.flags.map((f) => (
            <FlagCard
              key={f.id}
              flag={f}
              me={me}
              onDecided={(decision) => {
                setMessage({ ok: true, text: decidedWords(f, decision) });
                reload();
              }}
              onStale={reload}
            />
          ))
        }
      </LoadState>
    </div>
  );
}

export function FlagCard({
  flag: f,
  me,
  onDecided,
  onStale,
}: {
  flag: FlagView;
  me: { id: string; role: 'admin' | 'teacher' | 'observer' | 'student' } | null;
  onDecided: (decision: Decision) => void;
  onStale: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [decided, setDecided] = useState(false);
  // Once the page has the decision, focus goes to the flag (its Decide button may be gone).
  useEffect(() => {
    if (decided) {
      heading.current?.focus();
      setDecided(false);
    }
  }, [f.decisions.length]);
  const decisions = me ? decisionsFor(f, me) : [];
  const id = `flag-${f.id}`;
  const name = detectorName(f.kind);
  return (
    <section aria-labelledby={id} className="card flag-card">
      <h2 id={id} ref={heading} tabIndex={-1}>
        {name}: <span className={`risk risk-${f.severity}`}>{SEVERITY_LABEL[f.severity]}</span>
      </h2>
      <p>{f.message}</p>
      <dl className="facts">
        <dt>State</dt>
        <dd>
          {STATE_LABEL[f.state]}. {STATE_EXPLAINED[f.state]}
          {f.state === 'awaiting_second_review' && me && f.firstConfirmedBy === me.id && ' You confirmed it first, so another reviewer decides it.'}
        </dd>
        {f.changedSinceDecision && (
          <>
            <dt>Changed</dt>
            <dd className="flag-changed">It has gained occurrences or a higher severity since the last decision: it waits for a person again.</dd>
          </>
        )}
        <dt>Occurrences</dt>
        <dd>
          {f.occurrences}, from {sessionTime(f.firstT)} to {sessionTime(f.lastT)} into the session
        </dd>
        <dt>First seen</dt>
        <dd>{when(f.firstSeenAt)}</dd>
      </dl>
      {decisions.length > 0 && (
        <p>
          <DecideDialog
            flag={f}
            decisions={decisions}
            onDecided={(d) => {
              setDecided(true);
              onDecided(d);
            }}
            onStale={onStale}
          />
        </p>
      )}
      <Occurrences flag={f} />
      <h3>Decisions</h3>
      {f.decisions.length === 0 ? (
        <p className="muted">No decision yet.</p>
      ) : (
        <ol aria-label={`Decisions on the ${name} flag`}>
          {f.decisions.map((d) => (
            <li key={d.id}>
              {when(d.at)}: {d.reviewerId && d.reviewerId === me?.id ? 'you' : d.reviewerRole === 'admin' ? 'an administrator' : 'a teacher'}{' '}
              {DECISION_DONE[d.decision]} it ({STATE_LABEL[d.from]} → {STATE_LABEL[d.to]}
              {d.severity ? `, when it was ${d.severity} with ${occurrencesWord(d.occurrences ?? 0)}` : ''}).
              {d.note && <> Note: “{d.note}”</>}
              {d.noteToStudent && <> Note to the student: “{d.noteToStudent}”</>}
            </li>
          ))}
        </ol>
      )}
      <h3>The student’s answers</h3>
      {f.answers.length === 0 ? (
        <p className="muted">The student has not answered.</p>
      ) : (
        <ol aria-label={`Answers to the ${name} flag`}>
          {f.answers.map((a) => (
            <li key={a.id}>
              {when(a.at)}, {ANSWER_LABEL[a.kind].toLowerCase()}: “{a.text}”
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
