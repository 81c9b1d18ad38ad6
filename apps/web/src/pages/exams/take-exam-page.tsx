import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { attach, type Recorder, type RecorderStatus } from '@veritas/recorder';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { RecordingIndicator } from '../write/recording-indicator';
import { Countdown } from './countdown';
import { formatWhen } from './exam-field';
import { startProblem } from './exam-words';

type Started = operations['postExamsByExamIdAttempts']['responses'][200]['content']['application/json'];
type Attempt = Started['attempt'];
type Exam = operations['getExamsByExamId']['responses'][200]['content']['application/json'];
type Consent = operations['getMeConsent']['responses'][200]['content']['application/json'];

const POLICY = 'veritas-exam-v1';
const storageKeyOf = (attemptId: string) => `exam:${attemptId}`;

async function loadExam(examId: string) {
  const [exam, attempts, consent] = await Promise.all([
    unwrap(api.GET('/v1/exams/{examId}', { params: { path: { examId } } })),
    unwrap(api.GET('/v1/exams/{examId}/attempts', { params: { path: { examId } } })),
    unwrap(api.GET('/v1/me/consent')),
  ]);
  return { exam, attempt: attempts.items[0] ?? null, consent };
}

/** /my/exams/:examId/take: starts or resumes the student's attempt, records the writing into its session, submits. */
export function TakeExamPage() {
  const { examId = '' } = useParams();
  const [loaded] = useLoad(() => loadExam(examId), examId);
  const title = loaded.status === 'ready' ? loaded.data.exam.title : 'Exam';
  return (
    <div className="page write-page">
      <PageTitle>{title}</PageTitle>
      <p>
        <Link to="/my/exams">My exams</Link>
      </p>
      <h1>{title}</h1>
      <LoadState state={loaded} what="the exam" isEmpty={() => false} empty="">
        {(d) => <Attempting exam={d.exam} initial={d.attempt} consent={d.consent} />}
      </LoadState>
    </div>
  );
}

type Phase = 'ready' | 'starting' | 'writing' | 'expired' | 'submitted' | 'closed';

function Attempting({ exam, initial, consent }: { exam: Exam; initial: Attempt | null; consent: Consent }) {
  const editor = useRef<HTMLTextAreaElement>(null);
  const recorder = useRef<Recorder | null>(null);
  const [attempt, setAttempt] = useState<Attempt | null>(initial);
  const [started, setStarted] = useState<Started | null>(null);
  const [phase, setPhase] = useState<Phase>(() => phaseOf(initial));
  const [status, setStatus] = useState<RecorderStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The person's standing agreement: withdrawn here, made again by starting.
  const [agreement, setAgreement] = useState<Consent['agreement']>(consent.agreement);

  // One start per page: each call hands out a new write token and voids the one before.
  const asked = useRef(false);
  const begin = async () => {
    if (asked.current) return;
    asked.current = true;
    setPhase('starting');
    setProblem(null);
    try {
      // The institution's consent text, agreed to before the attempt starts: the server records which version and when.
      if (consent.current && !agreement) setAgreement(await unwrap(api.POST('/v1/me/consent', { body: { version: consent.current.version } })));
      const answer = await unwrap(api.POST('/v1/exams/{examId}/attempts', { params: { path: { examId: exam.id } } }));
      // A resumed attempt brings a new token: the recorder takes it from `session` below and re-signs what it kept.
      setAttempt(answer.attempt);
      setStarted(answer);
    } catch (err) {
      asked.current = false;
      // An attempt in progress that cannot continue (past its deadline, the exam closed) is closed here.
      setPhase(attempt?.state === 'in_progress' ? 'closed' : phaseOf(attempt));
      setProblem(startProblem(err));
    }
  };

  // An attempt in progress (a reload, a crashed browser) continues at once.
  useEffect(() => {
    if (initial?.state === 'in_progress') void begin();
  }, []);

  useEffect(() => {
    if (!started || !editor.current) return;
    const rec = attach(editor.current, {
      session: { id: started.session.id, writeToken: started.writeToken },
      kind: 'writing',
      meta: { title: exam.title, prompt: exam.instructions },
      storageKey: storageKeyOf(started.attempt.id),
      onStatus: setStatus,
      onError: (e) => setProblem(e.code === 'network' || e.code === 'server' ? null : `${e.code}: ${e.message}`),
    });
    recorder.current = rec;
    let live = true;
    void rec.ready.then(async ({ resumed }) => {
      if (!live) return;
      if (!resumed) {
        if (started.session.ack >= 0) {
          // The session holds events this browser did not keep: its chain cannot be continued here.
          setProblem('This attempt was started in another browser: continue it there, or ask your teacher.');
          setPhase('closed');
          return;
        }
        // The session's first event names the consent text agreed to (the server checks it where consent is required).
        await rec.start({ policy: consent.current?.policy ?? POLICY });
      }
      if (!live) return;
      setStatus(rec.status);
      setPhase('writing');
      editor.current?.focus();
    });
    return () => {
      live = false;
      rec.detach();
    };
  }, [started]);

  const submit = async () => {
    const rec = recorder.current;
    if (rec) await rec.flush();
    const done = await unwrap(api.POST('/v1/attempts/{attemptId}/submit', { params: { path: { attemptId: attempt!.id } } }));
    rec?.detach();
    await rec?.discard();
    recorder.current = null;
    setAttempt(done);
  };

  const expired = () => {
    setPhase('expired');
    void recorder.current?.flush();
  };

  return (
    <>
      <p className="muted">
        {exam.subject && `${exam.subject} · `}
        {exam.durationMinutes} minutes · closes {formatWhen(exam.closesAt)}
      </p>
      <section aria-label="Prompt" className="write-prompt">
        <p>{exam.instructions || 'Write your answer below.'}</p>
      </section>
      {phase === 'ready' && (
        <section aria-labelledby="exam-consent" className="write-consent">
          <h2 id="exam-consent">Before you start</h2>
          <p>
            You have {exam.durationMinutes} minutes from when you start (and no later than {formatWhen(exam.closesAt)}). This page records how you write — each
            change to the text with its timing, what kind of key you pressed (never which key), when you copy, cut or paste (only the length and a fingerprint
            of the clipboard, not its contents), and when you leave the page. It is sent to your institution’s Veritas server; your teacher sees the replay and
            the process evidence, and so can you.
          </p>
          {consent.current && <ConsentText text={consent.current} />}
          {consent.current && <Withdrawal agreement={agreement} onWithdrawn={() => setAgreement(null)} />}
          <Button className="btn btn-primary" onPress={() => void begin()}>
            I agree — start the exam
          </Button>
        </section>
      )}
      {phase === 'starting' && <p role="status">Starting your attempt…</p>}
      {(phase === 'writing' || phase === 'expired') && attempt?.deadlineAt && <Countdown deadline={attempt.deadlineAt} onExpired={expired} />}
      {phase === 'expired' && (
        <p role="alert" className="form-alert">
          Time is up: what was saved is kept, and your attempt closes.
        </p>
      )}
      {phase !== 'submitted' && <RecordingIndicator status={status} phase={phase} />}
      {problem && (
        <p role="alert" className="write-problem">
          {problem}
        </p>
      )}
      {phase === 'submitted' || (phase === 'closed' && !problem) ? (
        <section aria-labelledby="exam-done" className="card">
          <h2 id="exam-done">{attempt?.state === 'submitted' || phase === 'submitted' ? 'Submitted' : 'This attempt is closed'}</h2>
          <p role="status">
            {attempt?.finishedAt
              ? `Your attempt was ${stateWords(attempt.state)} on ${formatWhen(attempt.finishedAt)}.`
              : `Your attempt is ${stateWords(attempt?.state)}.`}
            {attempt?.result && ` Score: ${attempt.result.score} / ${attempt.result.maxScore} (${attempt.result.passed ? 'passed' : 'not passed'}).`}
          </p>
          <p>
            <Link to="/my/exams">Back to my exams</Link>
          </p>
        </section>
      ) : (
        <>
          <textarea
            ref={editor}
            aria-label="Your answer"
            className="write-editor"
            style={{ width: '100%', boxSizing: 'border-box', fontSize: 16, lineHeight: 1.5 }}
            rows={16}
            disabled={phase !== 'writing'}
            spellCheck
          />
          {phase === 'writing' && (
            <div className="write-actions">
              <ConfirmDialog
                trigger="Submit"
                triggerName="Submit the exam"
                title="Submit your exam?"
                confirm="Submit"
                keep="Keep writing"
                failure="Not submitted"
                action={submit}
                onDone={() => setPhase('submitted')}
              >
                Once submitted, your answer cannot be changed.
              </ConfirmDialog>
            </div>
          )}
        </>
      )}
    </>
  );
}

/**
 * The person's agreement to the consent text and a way to withdraw it (ADR 0029, amendment). After
 * withdrawing, the institution refuses new recordings until they agree again (starting the exam
 * does); what is stored stays until retention or an erasure removes it, which the message says.
 */
function Withdrawal({ agreement, onWithdrawn }: { agreement: Consent['agreement']; onWithdrawn: () => void }) {
  const [state, setState] = useState<'idle' | 'withdrawing' | 'withdrawn' | 'failed'>('idle');
  const said = useRef<HTMLParagraphElement>(null);
  // The button goes with the agreement: the focus moves to what happened, and Tab goes on to "I agree".
  useEffect(() => {
    if (state === 'withdrawn') said.current?.focus();
  }, [state]);
  const withdraw = async () => {
    setState('withdrawing');
    try {
      await unwrap(api.POST('/v1/me/consent/withdraw'));
      setState('withdrawn');
      onWithdrawn();
    } catch {
      setState('failed');
    }
  };
  return (
    <div className="write-withdrawal">
      {agreement && (
        <p>
          You agreed to version {agreement.version} on {formatWhen(agreement.agreedAt)}.{' '}
          <Button className="btn" onPress={() => void withdraw()} isDisabled={state === 'withdrawing'}>
            Withdraw my agreement
          </Button>
        </p>
      )}
      <p role="status" ref={said} tabIndex={-1}>
        {state === 'withdrawn' &&
          'Your agreement is withdrawn: nothing new is recorded until you agree again. What was already recorded is kept until your institution’s retention period ends or you ask for it to be erased.'}
      </p>
      {state === 'failed' && (
        <p role="alert" className="form-alert">
          Your agreement could not be withdrawn; try again.
        </p>
      )}
    </div>
  );
}

/** The institution's consent text: its title, its version and its paragraphs, in a region one can scroll by keyboard. */
function ConsentText({ text }: { text: NonNullable<Consent['current']> }) {
  return (
    <div role="region" aria-labelledby="consent-text-title" tabIndex={0} className="card" style={{ maxHeight: '16rem', overflowY: 'auto' }}>
      <h3 id="consent-text-title">
        {text.title} <span className="muted">(version {text.version})</span>
      </h3>
      {text.body.split(/\n\s*\n/).map((paragraph, i) => (
        <p key={i} style={{ whiteSpace: 'pre-line' }}>
          {paragraph}
        </p>
      ))}
    </div>
  );
}

function phaseOf(attempt: Attempt | null): Phase {
  if (!attempt || attempt.state === 'not_started') return 'ready';
  if (attempt.state === 'in_progress') return 'starting';
  return attempt.state === 'submitted' || attempt.state === 'graded' ? 'submitted' : 'closed';
}

function stateWords(state: Attempt['state'] | undefined): string {
  switch (state) {
    case 'submitted':
      return 'submitted';
    case 'graded':
      return 'graded';
    case 'abandoned':
      return 'abandoned';
    case 'timed_out':
      return 'timed out';
    default:
      return 'not started';
  }
}
