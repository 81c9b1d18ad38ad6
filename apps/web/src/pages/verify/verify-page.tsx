import { useId, useState, type ReactNode } from 'react';
import { PageTitle } from '../../components/page-title';
import { ReplayPlayer } from '../replay/replay-player';
import { verifyEvidence, verifyReportPdf, type CheckLine, type KeySource, type Verdict } from './verify-checks';
import { evidenceFromReportPdf, isPdf } from './report-pdf';
import '../replay/replay.css';
import './verify.css';

interface Picked {
  name: string;
  text: string;
}

type State = { phase: 'idle' } | { phase: 'checking' } | { phase: 'done'; verdict: Verdict } | { phase: 'error'; message: string };

const OUTCOME_WORD: Record<CheckLine['outcome'], string> = { pass: 'Holds', fail: 'Fails', 'not-checked': 'Not checked' };

/**
 * /verify: anyone (no sign-in) checks a bundle and its certificate here, in the browser, with the code
 * the server and `veritas verify` run: the hash chain, the signature against this server's published
 * keys or a saved key file (then with no network), what the certificate names, the revocation list;
 * then the session plays with the flags of the analysis re-run here.
 */
export function VerifyPage() {
  const [bundle, setBundle] = useState<Picked | null>(null);
  const [certificate, setCertificate] = useState<Picked | null>(null);
  const [keyFile, setKeyFile] = useState<Picked | null>(null);
  const [keys, setKeys] = useState<'published' | 'file'>('published');
  const [state, setState] = useState<State>({ phase: 'idle' });
  // A report PDF carries its certificate and chain head: the bundle is then optional.
  const fromPdf = certificate !== null && isPdf(certificate.text);
  const ready = certificate !== null && (bundle !== null || fromPdf) && (keys === 'published' || keyFile !== null);

  const check = async () => {
    if (!certificate) return;
    const source: KeySource = keys === 'file' && keyFile ? { from: 'file', name: keyFile.name, text: keyFile.text } : { from: 'published' };
    setState({ phase: 'checking' });
    try {
      const pdf = fromPdf ? evidenceFromReportPdf(certificate.text) : undefined;
      const verdict = bundle ? await verifyEvidence(bundle.text, pdf ? pdf.certificate : certificate.text, source) : await verifyReportPdf(pdf!, source);
      setState({ phase: 'done', verdict });
    } catch (err) {
      setState({ phase: 'error', message: (err as Error).message });
    }
  };

  return (
    <div className="page page-wide vf-page">
      <PageTitle>Verify a certificate</PageTitle>
      <h1>Verify a certificate</h1>
      <p>
        Give a session&apos;s bundle and its certificate, or its report PDF (which carries the certificate and the chain head; add the bundle to check the
        events too). Everything is checked here, in this browser: the files are not sent anywhere. The keys come from this server, or from a key file you saved
        earlier (then nothing at all is fetched).
      </p>
      <form
        className="vf-form"
        onSubmit={(e) => {
          e.preventDefault();
          void check();
        }}
      >
        <FilePick
          label="Bundle (.json), optional with a report PDF"
          accept=".json,application/json"
          testId="verify-bundle"
          picked={bundle}
          onPick={setBundle}
        />
        <FilePick
          label="Certificate (.jws) or report (.pdf)"
          accept=".jws,.jwt,.txt,text/plain,.pdf,application/pdf"
          testId="verify-certificate"
          picked={certificate}
          onPick={setCertificate}
        />
        <fieldset className="vf-keys">
          <legend>Keys to check the signature with</legend>
          <label>
            <input type="radio" name="keys" value="published" checked={keys === 'published'} onChange={() => setKeys('published')} /> This server&apos;s
            published keys (and its revocation list)
          </label>
          <label>
            <input type="radio" name="keys" value="file" checked={keys === 'file'} onChange={() => setKeys('file')} /> A saved key file (JWKS), with no network
          </label>
          {keys === 'file' && (
            <FilePick label="Key file (jwks.json)" accept=".json,application/json" testId="verify-jwks" picked={keyFile} onPick={setKeyFile} />
          )}
        </fieldset>
        <button type="submit" className="btn btn-primary" disabled={!ready || state.phase === 'checking'}>
          Verify
        </button>
      </form>
      {state.phase === 'checking' && <p role="status">Checking…</p>}
      {state.phase === 'error' && (
        <p role="alert" className="form-alert">
          {state.message}
        </p>
      )}
      {state.phase === 'done' && <VerdictView verdict={state.verdict} />}
    </div>
  );
}

function VerdictView({ verdict }: { verdict: Verdict }) {
  return (
    <>
      <section aria-labelledby="verdict-h" className={`card vf-verdict ${verdict.ok ? 'vf-ok' : 'vf-bad'}`} data-testid="verdict">
        <h2 id="verdict-h" role="status">
          {verdict.ok ? 'Verified: Veritas recorded this session and it was not altered.' : 'Not verified.'}
        </h2>
        <ul className="vf-lines">
          {verdict.lines.map((l) => (
            <li key={l.id} data-check={l.id} data-outcome={l.outcome}>
              <strong>
                {l.label}: {OUTCOME_WORD[l.outcome]}.
              </strong>{' '}
              {l.detail}
            </li>
          ))}
        </ul>
      </section>
      {verdict.replay && (
        <section aria-labelledby="replay-h">
          <h2 id="replay-h">Replay{verdict.ok ? '' : ' (of a bundle that did not verify)'}</h2>
          <ReplayPlayer session={verdict.replay.session} flags={verdict.replay.flags} />
        </section>
      )}
    </>
  );
}

/** A file input that also takes a dropped file: a native input, so the keyboard and screen readers work as anywhere. */
function FilePick({
  label,
  accept,
  testId,
  picked,
  onPick,
}: {
  label: string;
  accept: string;
  testId: string;
  picked: Picked | null;
  onPick: (p: Picked) => void;
}): ReactNode {
  const id = useId();
  const [over, setOver] = useState(false);
  const take = async (file: File | undefined) => {
    if (!file) return;
    // A PDF is read byte for byte (latin1): its evidence is ASCII among binary streams; other files as UTF-8 text.
    const bytes = new Uint8Array(await file.arrayBuffer());
    const pdf = bytes.length >= 5 && String.fromCharCode(...bytes.subarray(0, 5)) === '%PDF-';
    onPick({ name: file.name, text: new TextDecoder(pdf ? 'latin1' : 'utf-8').decode(bytes) });
  };
  return (
    <div
      className={`vf-drop${over ? ' vf-drop-over' : ''}`}
      data-testid={`${testId}-drop`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void take(e.dataTransfer.files[0]);
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept={accept} data-testid={testId} onChange={(e) => void take(e.target.files?.[0])} />
      <span className="vf-picked" aria-live="polite">
        {picked ? `Chosen: ${picked.name}` : 'Drop a file here or choose one.'}
      </span>
    </div>
  );
}
