import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Label, Radio, RadioGroup } from 'react-aria-components';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';
import { Occurrences } from './occurrences';
import { TextAreaField } from './text-area-field';
import {
  ANSWER_LABEL,
  ANSWER_MAX,
  ANSWERS_PER_FLAG,
  DECISION_DONE,
  detectorName,
  problemWords,
  SEVERITY_LABEL,
  STATE_LABEL,
  when,
  type AnswerKind,
  type OwnFlag,
  type ReviewState,
} from './review-words';

/** The outcome, said to the student. */
const OUTCOME: Record<ReviewState, string> = {
  open: 'No one has decided on it yet. Nothing follows from a flag until a person decides.',
  awaiting_second_review: 'One reviewer confirmed it; a second reviewer has yet to decide.',
  confirmed: 'A reviewer confirmed it.',
  dismissed: 'A reviewer dismissed it: it is not held against you.',
  escalated: 'It was passed to your institution’s administrators to decide.',
};

/**
 * /my/flags (students): the flags about the student's own sessions, each with its outcome, the notes
 * the reviewers meant for them, the evidence their teacher sees, and their answers; they may answer
 * with an explanation or an appeal.
 */
export function MyFlagsPage() {
  const paging = usePager();
  const { cursor } = paging;
  const [list, reload] = useLoad(
    () => unwrap(api.GET('/v1/me/flags', { params: { query: { limit: 20, state: 'all', ...(cursor ? { cursor } : {}) } } })),
    cursor ?? '',
  );
  return (
    <div className="page page-wide">
      <PageTitle>My flags</PageTitle>
      <h1>My flags</h1>
      <p className="muted">
        A flag is something in how a text was written that a reviewer looks at; it is not a verdict. You see what your teacher sees, the outcome, and you may
        explain or appeal.
      </p>
      <LoadState state={list} what="your flags" isEmpty={(d) => d.items.length === 0} empty="There is no flag about your sessions.">
        {(d) => (
          <>
            {d.items.map((f) => (
              <OwnFlagCard key={f.id} flag={f} onAnswered={reload} />
            ))}
            <Pager paging={paging} next={d.next} />
          </>
        )}
      </LoadState>
    </div>
  );
}

function OwnFlagCard({ flag: f, onAnswered }: { flag: OwnFlag; onAnswered: () => void }) {
  const id = `flag-${f.id}`;
  const name = detectorName(f.kind);
  const notes = f.decisions.filter((d) => d.noteToStudent);
  return (
    <section aria-labelledby={id} className="card flag-card">
      <h2 id={id}>
        {name}: <span className={`risk risk-${f.severity}`}>{SEVERITY_LABEL[f.severity]}</span>
      </h2>
      <p>{f.message}</p>
      <p>
        <Link to={`/report/${f.sessionId}`} aria-label={`Process report of the session of the ${name} flag`}>
          Process report
        </Link>{' '}
        ·{' '}
        <Link to={`/replay/${f.sessionId}`} aria-label={`Replay of the session of the ${name} flag`}>
          Replay
        </Link>
      </p>
      <dl className="facts">
        <dt>Outcome</dt>
        <dd>
          <strong>{STATE_LABEL[f.state]}</strong>. {OUTCOME[f.state]}
        </dd>
      </dl>
      {notes.length > 0 && (
        <>
          <h3>From the reviewers</h3>
          <ul aria-label={`Notes to you on the ${name} flag`}>
            {notes.map((d) => (
              <li key={d.id}>
                {when(d.at)}, when it was {DECISION_DONE[d.decision]}: “{d.noteToStudent}”
              </li>
            ))}
          </ul>
        </>
      )}
      <Occurrences flag={f} />
      <h3>Your answers</h3>
      {f.answers.length === 0 ? (
        <p className="muted">You have not answered.</p>
      ) : (
        <ol aria-label={`Your answers to the ${name} flag`}>
          {f.answers.map((a) => (
            <li key={a.id}>
              {when(a.at)}, {ANSWER_LABEL[a.kind].toLowerCase()}: “{a.text}”
            </li>
          ))}
        </ol>
      )}
      {f.answers.length < ANSWERS_PER_FLAG ? (
        <AnswerForm flag={f} onAnswered={onAnswered} />
      ) : (
        <p className="muted">This flag has {ANSWERS_PER_FLAG} answers, as many as it takes.</p>
      )}
    </section>
  );
}

function AnswerForm({ flag: f, onAnswered }: { flag: OwnFlag; onAnswered: () => void }) {
  const [kind, setKind] = useState<AnswerKind>('explanation');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const name = detectorName(f.kind);
  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setErrors({});
    setMessage(null);
    setBusy(true);
    try {
      await unwrap(api.POST('/v1/flags/{flagId}/answers', { params: { path: { flagId: f.id } }, body: { kind, text: text.trim() } }));
      setText('');
      setMessage({ ok: true, text: `Your ${ANSWER_LABEL[kind].toLowerCase()} is sent; your teacher sees it with the flag.` });
      onAnswered();
    } catch (err) {
      const fields = err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : {};
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setMessage({ ok: false, text: `Not sent: ${problemWords(err)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form onSubmit={(e) => void send(e)} validationErrors={errors} aria-label={`Answer the ${name} flag`}>
      <h3>Answer</h3>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'form-ok' : 'form-alert'}>
          {message.text}
        </p>
      )}
      <RadioGroup className="field radio-group" name="kind" value={kind} onChange={(v) => setKind(v as AnswerKind)}>
        <Label className="field-label">Kind of answer</Label>
        <Radio value="explanation" className="radio">
          Explanation
        </Radio>
        <Radio value="appeal" className="radio">
          Appeal
        </Radio>
        <FieldError className="field-error" />
      </RadioGroup>
      <TextAreaField
        name="text"
        label="Your answer"
        description={`Up to ${ANSWER_MAX.toLocaleString('en')} characters. Your teacher sees it with the flag.`}
        isRequired
        maxLength={ANSWER_MAX}
        value={text}
        onChange={setText}
        validate={(v) => (v.trim() ? null : 'Write your answer first.')}
      />
      <Button type="submit" className="btn btn-primary" isPending={busy}>
        Send the answer
      </Button>
    </Form>
  );
}
