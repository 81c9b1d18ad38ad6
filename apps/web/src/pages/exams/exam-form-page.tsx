import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { Link, useNavigate, useParams } from 'react-router';
import { DEFAULT_THRESHOLDS } from '@veritas/analysis';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import type { operations } from '../../api/schema';
import { Choice } from '../../components/choice';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { TextAreaField } from '../review/text-area-field';
import { ExamField, examState, formatWhen, fromLocalInput, STATE_LABEL, toLocalInput } from './exam-field';

type Exam = operations['getExamsByExamId']['responses'][200]['content']['application/json'];
type Kind = Exam['kind'];

/** The thresholds this form sets (the rest keep what the exam has, or the defaults). */
const THRESHOLDS = [
  { key: 'externalPasteChars', label: 'Paste from elsewhere flagged from (characters)' },
  { key: 'externalPasteHighChars', label: 'Paste from elsewhere flagged high from (characters)' },
  { key: 'pasteShareOfFinal', label: 'Pasted share of the final text flagged high over (0 to 1)' },
  { key: 'keylessChars', label: 'Text without key presses flagged from (characters)' },
  { key: 'pauseMs', label: 'A pause is at least (milliseconds)' },
] as const satisfies readonly { key: keyof typeof DEFAULT_THRESHOLDS; label: string }[];

/** The server's errors on the exam's thresholds, by threshold (`/body/analysis/thresholds/<key>`). */
function thresholdErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiProblem)) return out;
  for (const e of err.problem.errors ?? []) {
    const key = /^\/body\/analysis\/thresholds\/([^/]+)/.exec(e.path)?.[1];
    if (key && !(`t.${key}` in out)) out[`t.${key}`] = e.message;
  }
  return out;
}

const KINDS: readonly { id: Kind; label: string }[] = [
  { id: 'writing', label: 'Writing' },
  { id: 'proctoring', label: 'Proctored' },
  { id: 'sensor', label: 'Sensor' },
];

/** /exams/new and /exams/:examId/edit: the exam's form; editing also releases or withdraws its results. */
export function ExamFormPage() {
  const { examId } = useParams();
  const [classes] = useLoad(() => unwrap(api.GET('/v1/classes', { params: { query: { limit: 100 } } })), 'classes');
  const [exam, reload] = useLoad(
    () => (examId ? unwrap(api.GET('/v1/exams/{examId}', { params: { path: { examId } } })) : Promise.resolve(null)),
    examId ?? 'new',
  );
  const title = examId ? (exam.status === 'ready' && exam.data ? `Edit ${exam.data.title}` : 'Edit the exam') : 'New exam';
  return (
    <div className="page">
      <PageTitle>{title}</PageTitle>
      <p>
        <Link to="/exams">All exams</Link>
      </p>
      <h1>{title}</h1>
      <LoadState state={exam} what="the exam" isEmpty={() => false} empty="">
        {(loaded) => (
          <>
            {loaded && <Results exam={loaded} onChanged={reload} />}
            <ExamForm
              key={loaded?.id ?? 'new'}
              exam={loaded}
              classes={classes.status === 'ready' ? classes.data.items : classes.status === 'failed' ? 'failed' : 'loading'}
            />
          </>
        )}
      </LoadState>
    </div>
  );
}

/** The results release: students see their scores only once the teacher releases them. */
function Results({ exam, onChanged }: { exam: Exam; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const released = exam.resultsReleasedAt !== null;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.PATCH('/v1/exams/{examId}', { params: { path: { examId: exam.id } }, body: { resultsReleased: !released } }));
      onChanged();
    } catch (err) {
      setError(`Not changed: ${messageOf(err)}.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="exam-results" className="card">
      <h2 id="exam-results">Results</h2>
      <p>
        {STATE_LABEL[examState(exam)]} · {formatWhen(exam.opensAt)} to {formatWhen(exam.closesAt)}
      </p>
      <p role="status">
        {released ? `Results released to students on ${formatWhen(exam.resultsReleasedAt!)}.` : 'Results are not released: students do not see their scores.'}
      </p>
      <Button className="btn" isPending={busy} onPress={() => void toggle()}>
        {released ? 'Withdraw the results' : 'Release the results to students'}
      </Button>
      {error && (
        <p role="alert" className="form-alert">
          {error}
        </p>
      )}
    </section>
  );
}

function ExamForm({ exam, classes }: { exam: Exam | null; classes: { id: string; name: string }[] | 'loading' | 'failed' }) {
  const navigate = useNavigate();
  const [kind, setKind] = useState<Kind>(exam?.kind ?? 'writing');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const now = Date.now();
  const defaults = {
    opensAt: toLocalInput(exam?.opensAt ?? new Date(now).toISOString()),
    closesAt: toLocalInput(exam?.closesAt ?? new Date(now + 7 * 86_400_000).toISOString()),
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const num = (k: string) => (text(k) === '' ? Number.NaN : Number(text(k)));
    const local: Record<string, string> = {};
    const opensAt = fromLocalInput(text('opensAt'));
    const closesAt = fromLocalInput(text('closesAt'));
    if (!opensAt) local.opensAt = 'Give the date and time the exam opens.';
    if (!closesAt) local.closesAt = 'Give the date and time the exam closes.';
    for (const [k, what] of [
      ['maxScore', 'the maximum score'],
      ['passMark', 'the pass mark'],
      ['durationMinutes', 'the duration in minutes'],
    ] as const)
      if (Number.isNaN(num(k))) local[k] = `Give ${what}.`;
    const thresholds: Record<string, number | number[]> = { ...(exam?.analysis.thresholds ?? {}) };
    for (const { key } of THRESHOLDS) {
      const v = text(`t.${key}`);
      if (v === '') delete thresholds[key];
      else if (Number.isNaN(Number(v))) local[`t.${key}`] = 'Give a number, or leave it empty for the default.';
      else thresholds[key] = Number(v);
    }
    setErrors(local);
    setAlert(null);
    setSaved(null);
    if (Object.keys(local).length > 0) {
      setAlert('Some fields need attention.');
      return;
    }
    const body = {
      title: text('title'),
      subject: text('subject'),
      instructions: text('instructions'),
      kind,
      maxScore: num('maxScore'),
      passMark: num('passMark'),
      durationMinutes: num('durationMinutes'),
      opensAt: opensAt!,
      closesAt: closesAt!,
      classIds: form.getAll('classIds').map(String),
      analysis: { ...(exam?.analysis ?? {}), thresholds, acceptHostSignals: form.get('acceptHostSignals') === 'on' },
      accommodations: { dictation: form.get('dictation') === 'on', assistiveTechnology: form.get('assistiveTechnology') === 'on' },
    };
    setBusy(true);
    try {
      if (exam) {
        await unwrap(api.PATCH('/v1/exams/{examId}', { params: { path: { examId: exam.id } }, body }));
        setSaved('Saved.');
      } else {
        await unwrap(api.POST('/v1/exams', { body }));
        void navigate('/exams');
      }
    } catch (err) {
      const fields = err instanceof ApiProblem && err.code === 'invalid-request' ? { ...err.fieldErrors(), ...thresholdErrors(err) } : {};
      if (Object.keys(thresholdErrors(err)).length > 0) delete fields.analysis;
      setErrors(fields);
      setAlert(Object.keys(fields).length > 0 ? 'Not saved: some fields need attention.' : `Not saved: ${messageOf(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={exam ? 'The exam' : 'New exam'}>
      <ExamField name="title" label="Title" defaultValue={exam?.title ?? ''} maxLength={200} required error={errors.title} />
      <ExamField name="subject" label="Subject" defaultValue={exam?.subject ?? ''} maxLength={200} error={errors.subject} />
      <TextAreaField
        name="instructions"
        label="Instructions or writing prompt"
        defaultValue={exam?.instructions ?? ''}
        maxLength={10_000}
        {...(errors.instructions ? { isInvalid: true, errorMessage: errors.instructions } : {})}
        description={errors.instructions ?? 'What the students see when they start.'}
      />
      <Choice label="Kind" name="kind" options={KINDS} value={kind} onChange={setKind} />
      <ExamField name="maxScore" label="Maximum score" type="number" min={0} step="any" defaultValue={exam?.maxScore ?? 100} error={errors.maxScore} />
      <ExamField name="passMark" label="Pass mark" type="number" min={0} step="any" defaultValue={exam?.passMark ?? 50} error={errors.passMark} />
      <ExamField
        name="durationMinutes"
        label="Duration (minutes)"
        type="number"
        min={1}
        max={10_080}
        step={1}
        defaultValue={exam?.durationMinutes ?? 60}
        error={errors.durationMinutes}
      />
      <ExamField name="opensAt" label="Opens" type="datetime-local" defaultValue={defaults.opensAt} hint="In your time zone." error={errors.opensAt} />
      <ExamField name="closesAt" label="Closes" type="datetime-local" defaultValue={defaults.closesAt} hint="In your time zone." error={errors.closesAt} />
      <fieldset aria-describedby={errors.classIds ? 'exam-classIds-error' : undefined}>
        <legend>Classes that take it</legend>
        {classes === 'loading' && <p role="status">Loading the classes…</p>}
        {classes === 'failed' && (
          <p role="alert" className="form-alert">
            Could not load the classes.
          </p>
        )}
        {Array.isArray(classes) && classes.length === 0 && <p className="muted">You have no class yet.</p>}
        {Array.isArray(classes) &&
          classes.map((c) => (
            <label key={c.id} className="checkbox">
              <input type="checkbox" name="classIds" value={c.id} defaultChecked={exam?.classIds.includes(c.id) ?? false} /> {c.name}
            </label>
          ))}
        {errors.classIds && (
          <p id="exam-classIds-error" className="field-error">
            {errors.classIds}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Accommodations allowed</legend>
        <label className="checkbox">
          <input type="checkbox" name="dictation" defaultChecked={exam?.accommodations.dictation ?? false} /> Dictation
        </label>
        <label className="checkbox">
          <input type="checkbox" name="assistiveTechnology" defaultChecked={exam?.accommodations.assistiveTechnology ?? false} /> Assistive technology (text
          inserted without key presses is an input method, not a sign)
        </label>
      </fieldset>
      <fieldset>
        <legend>Analysis</legend>
        <label className="checkbox">
          <input type="checkbox" name="acceptHostSignals" defaultChecked={exam?.analysis.acceptHostSignals ?? true} /> Accept signals from the host page
        </label>
        {THRESHOLDS.map(({ key, label }) => (
          <ExamField
            key={key}
            name={`t.${key}`}
            label={label}
            type="number"
            min={0}
            step="any"
            defaultValue={exam?.analysis.thresholds?.[key] ?? ''}
            hint={`Empty: the default, ${DEFAULT_THRESHOLDS[key]}.`}
            error={errors[`t.${key}`]}
          />
        ))}
        {errors.analysis && (
          <p role="alert" className="form-alert">
            Analysis settings: {errors.analysis}
          </p>
        )}
      </fieldset>
      {alert && (
        <p role="alert" className="form-alert">
          {alert}
        </p>
      )}
      {saved && (
        <p role="status" className="form-ok">
          {saved}
        </p>
      )}
      <div className="dialog-actions">
        <Button type="submit" className="btn btn-primary" isPending={busy}>
          {exam ? 'Save the exam' : 'Create the exam'}
        </Button>
      </div>
    </form>
  );
}
