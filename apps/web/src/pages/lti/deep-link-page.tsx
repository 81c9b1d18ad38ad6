import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { Choice } from '../../components/choice';
import { Field } from '../../components/field';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';

type Exam = paths['/v1/exams']['get']['responses'][200]['content']['application/json']['items'][number];
type Kind = Exam['kind'];

const KINDS: readonly { id: Kind; label: string }[] = [
  { id: 'writing', label: 'Writing' },
  { id: 'proctoring', label: 'Proctored' },
  { id: 'sensor', label: 'Sensor' },
];
const KIND_WORD: Record<Kind, string> = { writing: 'writing', proctoring: 'proctored', sensor: 'sensor' };
const DAY_MS = 86_400_000;

/**
 * /lti/deep-link/:deepLinkToken, opened inside the LMS by a deep-linking launch (LTI Deep Linking
 * 2.0): the teacher picks one of the exams they manage, or sets up a new one, and adds it to the
 * course. Adding is a plain form post (not a fetch): the server answers with the page that takes the
 * signed answer on to the LMS, which a script cannot do across origins.
 */
export function DeepLinkPage() {
  const { deepLinkToken = '' } = useParams();
  const [request] = useLoad(() => unwrap(api.GET('/v1/lti/deep-links/{deepLinkToken}', { params: { path: { deepLinkToken } } })), deepLinkToken);
  const [exams, reloadExams] = useLoad(() => unwrap(api.GET('/v1/exams', { params: { query: { limit: 100 } } })), 'exams');
  const [chosen, setChosen] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const answerUrl = `/v1/lti/deep-links/${encodeURIComponent(deepLinkToken)}/response`;

  const onCreated = (exam: Exam) => {
    setChosen(exam.id);
    setCreated(`“${exam.title}” was set up and is selected below: add it to the course, or change it later under Exams.`);
    reloadExams();
  };

  return (
    <div className="page">
      <PageTitle>Add an exam to the course</PageTitle>
      <h1>Add a Veritas exam to the course</h1>
      <LoadState state={request} what="this request from the LMS" isEmpty={() => false} empty={null}>
        {(r) => (
          <>
            <p>
              {r.registrationName} asked for a Veritas exam. Pick one of yours, or set up a new one, then add it: the LMS places a link to it in the course,
              which opens the exam for students and its dashboard for you. This request can be answered until{' '}
              {new Date(r.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.
            </p>
            <section aria-labelledby="pick-h" className="card">
              <h2 id="pick-h">Your exams</h2>
              {created && (
                <p role="status" className="form-ok">
                  {created}
                </p>
              )}
              <LoadState state={exams} what="your exams" isEmpty={(d) => d.items.length === 0} empty="You have no exams yet: set one up below.">
                {(d) => (
                  <form method="post" action={answerUrl} className="form">
                    <input type="hidden" name="action" value="place" />
                    <fieldset className="choices">
                      <legend className="field-label">Exam to add</legend>
                      {d.items.map((exam, i) => (
                        <div key={exam.id} className="choice-row">
                          <input
                            type="radio"
                            id={`exam-${exam.id}`}
                            name="examId"
                            value={exam.id}
                            required={i === 0}
                            checked={chosen === exam.id}
                            onChange={() => setChosen(exam.id)}
                          />{' '}
                          <label htmlFor={`exam-${exam.id}`}>
                            {exam.title} <span className="muted">({KIND_WORD[exam.kind]})</span>
                          </label>
                        </div>
                      ))}
                    </fieldset>
                    <button type="submit" className="btn btn-primary">
                      Add to the course
                    </button>
                  </form>
                )}
              </LoadState>
            </section>
            <NewExam suggestedTitle={r.suggestedTitle} onCreated={onCreated} />
            <form method="post" action={answerUrl}>
              <input type="hidden" name="action" value="cancel" />
              <button type="submit" className="btn">
                Cancel: add nothing
              </button>
            </form>
          </>
        )}
      </LoadState>
    </div>
  );
}

/** A new exam with the usual defaults (open now for two weeks, 60 minutes, out of 100), through the same API as the exam form. */
function NewExam({ suggestedTitle, onCreated }: { suggestedTitle: string | null; onCreated: (exam: Exam) => void }) {
  const [kind, setKind] = useState<Kind>('writing');
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<string | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const title = String(new FormData(form).get('title') ?? '').trim();
    setBusy(true);
    setAlert(null);
    try {
      const now = Date.now();
      const exam = await unwrap(
        api.POST('/v1/exams', {
          body: {
            title,
            kind,
            maxScore: 100,
            passMark: 50,
            durationMinutes: 60,
            opensAt: new Date(now).toISOString(),
            closesAt: new Date(now + 14 * DAY_MS).toISOString(),
          },
        }),
      );
      form.reset();
      onCreated(exam);
    } catch (err) {
      setAlert(`Not set up: ${messageOf(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-h" className="card">
      <h2 id="new-h">Set up a new exam</h2>
      <p className="muted">It opens now for two weeks, 60 minutes, scored out of 100; change any of it later under Exams.</p>
      <Form className="form" onSubmit={(e) => void submit(e)}>
        <Field name="title" label="Title" isRequired maxLength={200} defaultValue={suggestedTitle ?? ''} />
        <Choice label="Kind" name="kind" options={KINDS} value={kind} onChange={setKind} />
        {alert && (
          <p role="alert" className="form-alert">
            {alert}
          </p>
        )}
        <Button type="submit" className="btn" isPending={busy}>
          Set up the exam
        </Button>
      </Form>
    </section>
  );
}
