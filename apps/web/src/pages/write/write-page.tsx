import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { attach, type Recorder, type RecorderStatus } from '@veritas/recorder';
import { PageTitle } from '../../components/page-title';
import { saveFile } from '../../components/save-file';
import { RecordingIndicator } from './recording-indicator';

const POLICY = 'veritas-writing-v1';

interface Task {
  title: string;
  prompt: string;
  /** Client-only: nothing is sent; the writer downloads the bundle. */
  local: boolean;
}

function taskFromUrl(): Task {
  const q = new URLSearchParams(window.location.search);
  return {
    title: q.get('title') ?? 'Writing task',
    prompt: q.get('prompt') ?? 'Write a short essay (about 300 words) on a place that changed how you think. Explain what happened and why it mattered.',
    local: q.get('mode') === 'local',
  };
}

type Phase = 'loading' | 'consent' | 'writing' | 'submitting' | 'submitted';

/** A writing task: the prompt, the consent notice, the editor under the recorder, Submit. */
export function WritePage() {
  const [task] = useState(taskFromUrl);
  const editor = useRef<HTMLTextAreaElement>(null);
  const recorder = useRef<Recorder | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [status, setStatus] = useState<RecorderStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!editor.current) return;
    const rec = attach(editor.current, {
      ...(task.local ? {} : { server: '' }),
      kind: 'writing',
      meta: { title: task.title, prompt: task.prompt },
      storageKey: `write:${task.local ? 'local' : 'server'}:${task.title}`,
      onStatus: setStatus,
      onError: (e) => setProblem(e.code === 'network' || e.code === 'server' ? null : `${e.code}: ${e.message}`),
    });
    recorder.current = rec;
    let live = true;
    void rec.ready.then(({ resumed }) => {
      if (!live) return;
      setStatus(rec.status);
      setPhase(resumed ? (rec.status.state === 'ending' ? 'submitting' : 'writing') : 'consent');
    });
    return () => {
      live = false;
      rec.detach();
    };
  }, [task]);

  const agree = async () => {
    await recorder.current?.start({ policy: POLICY });
    setPhase('writing');
    editor.current?.focus();
  };

  const submit = async () => {
    setPhase('submitting');
    await recorder.current?.end();
    setPhase('submitted');
  };

  const download = async () => {
    const rec = recorder.current;
    if (!rec) return;
    const bundle = await rec.exportBundle();
    saveFile(`veritas-${bundle.session.id}.json`, JSON.stringify(bundle), 'application/json');
  };

  return (
    <div className="page write-page">
      <PageTitle>{task.title}</PageTitle>
      <h1>{task.title}</h1>
      <section aria-label="Prompt" className="write-prompt">
        <p>{task.prompt}</p>
      </section>
      {phase === 'consent' && (
        <section role="dialog" aria-label="Consent" className="write-consent">
          <h2>Before you start</h2>
          <p>
            This page records how you write — each change to the text with its timing, what kind of key you pressed (never which key), when you copy, cut or
            paste (only the length and a fingerprint of the clipboard, not its contents), and when you leave the page.
            {task.local ? ' Everything stays in this browser until you download it.' : ' It is sent to your institution’s Veritas server.'} Your teacher sees
            the replay and the process evidence; you can see the same. Nothing is recorded until you agree.
          </p>
          <button type="button" onClick={() => void agree()}>
            I agree — start writing
          </button>
        </section>
      )}
      <RecordingIndicator status={status} phase={phase} />
      {problem && (
        <p role="alert" className="write-problem">
          {problem}
        </p>
      )}
      <textarea
        ref={editor}
        aria-label="Your text"
        className="write-editor"
        style={{ width: '100%', boxSizing: 'border-box', fontSize: 16, lineHeight: 1.5 }}
        rows={16}
        disabled={phase !== 'writing'}
        spellCheck
      />
      <div className="write-actions">
        <button type="button" onClick={() => void submit()} disabled={phase !== 'writing'}>
          Submit
        </button>
        {phase === 'submitted' && task.local && (
          <button type="button" onClick={() => void download()}>
            Download the session file
          </button>
        )}
        {phase === 'submitted' && !task.local && status?.sessionId && (
          <p>
            Submitted. <Link to={`/replay/${status.sessionId}`}>See the replay of your writing</Link>
          </p>
        )}
      </div>
    </div>
  );
}
