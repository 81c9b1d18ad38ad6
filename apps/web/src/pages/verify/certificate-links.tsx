import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { saveFile } from '../../components/save-file';
import { shareHeaders } from '../replay/load-bundle';

/**
 * The evidence of a session, to download and check elsewhere: its certificate, its bundle and this
 * server's keys, with the way to /verify. `share`: a share link's token (the page behind it).
 */
export function CertificateLinks({ sessionId, share }: { sessionId: string; share?: string | undefined }) {
  const [problem, setProblem] = useState<string | null>(null);
  const run = (what: () => Promise<void>) => () => {
    setProblem(null);
    what().catch((err: unknown) => setProblem(err instanceof ApiProblem ? err.summary : (err as Error).message));
  };
  const certificate = run(async () => {
    const { data, error, response } = await api.GET('/v1/sessions/{id}/certificate', { params: { path: { id: sessionId } }, headers: shareHeaders(share) });
    if (!response.ok || !data) throw ApiProblem.from(response, error);
    if (!('jws' in data)) throw new Error(`no certificate yet: ${data.detail}`);
    saveFile(`${sessionId}.jws`, `${data.jws}\n`, 'text/plain');
  });
  const bundle = run(async () => {
    const { data, error, response } = await api.GET('/v1/sessions/{id}/bundle', { params: { path: { id: sessionId } }, headers: shareHeaders(share) });
    if (!response.ok || !data) throw ApiProblem.from(response, error);
    saveFile(`${sessionId}.json`, JSON.stringify(data), 'application/json');
  });
  const keys = run(async () => {
    const res = await fetch('/.well-known/jwks.json');
    if (!res.ok) throw new Error(`the keys could not be read (${res.status})`);
    saveFile('veritas-jwks.json', await res.text(), 'application/json');
  });
  return (
    <section aria-labelledby="evidence-h" className="card">
      <h2 id="evidence-h">Evidence anyone can check</h2>
      <p>
        The certificate is this server&apos;s signed statement of the session. With the bundle, anyone can check it on the <Link to="/verify">verify page</Link>{' '}
        or with <code>veritas verify</code>, and with the saved keys even without a network.
      </p>
      <p className="vf-downloads">
        <button type="button" className="btn" onClick={certificate}>
          Download the certificate
        </button>{' '}
        <button type="button" className="btn" onClick={bundle}>
          Download the bundle
        </button>{' '}
        <button type="button" className="btn" onClick={keys}>
          Download the keys
        </button>
      </p>
      {problem && (
        <p role="alert" className="form-alert">
          {problem}
        </p>
      )}
    </section>
  );
}
