import { useState } from 'react';
import { api } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { useAuth } from '../../auth/auth-context';
import { OneTimeSecret } from '../../components/one-time-secret';
import { LoadState, useLoad } from '../../components/load-state';

type Scope = 'replay' | 'report' | 'both';
const SCOPE_LABEL: Record<Scope, string> = { both: 'The replay and the report', replay: 'The replay only', report: 'The report only' };

async function listLinks(id: string) {
  const { data, error, response } = await api.GET('/v1/sessions/{id}/share-links', { params: { path: { id } } });
  if (!response.ok || !data) throw ApiProblem.from(response, error);
  return data.items;
}

/**
 * Share links of a session, for those who may make them (a teacher, an admin, the student: the
 * server's policy decides, this only hides the panel from an observer): make one with a scope and a
 * lifetime (its address shown once), see them all, revoke one.
 */
export function ShareLinksPanel({ sessionId }: { sessionId: string }) {
  const auth = useAuth();
  const role = auth.state.status === 'signed-in' ? auth.state.me.role : undefined;
  const [links, reload] = useLoad(() => listLinks(sessionId), sessionId);
  const [scope, setScope] = useState<Scope>('both');
  const [days, setDays] = useState(30);
  const [made, setMade] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (role === undefined || role === 'observer') return null;

  const create = async () => {
    setProblem(null);
    const { data, error, response } = await api.POST('/v1/sessions/{id}/share-links', {
      params: { path: { id: sessionId } },
      body: { scope, expiresInDays: days },
    });
    if (!response.ok || !data) return setProblem(ApiProblem.from(response, error).summary);
    setMade(data.url);
    reload();
  };
  const revoke = async (linkId: string) => {
    setProblem(null);
    const { error, response } = await api.DELETE('/v1/sessions/{id}/share-links/{linkId}', { params: { path: { id: sessionId, linkId } } });
    if (!response.ok) return setProblem(ApiProblem.from(response, error).summary);
    reload();
  };

  return (
    <section aria-labelledby="share-h" className="card">
      <h2 id="share-h">Share this session</h2>
      <p>A share link lets someone without an account see this session until it expires or you revoke it. Every view is recorded.</p>
      <form
        className="vf-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <fieldset>
          <legend>What the link shows</legend>
          {(Object.keys(SCOPE_LABEL) as Scope[]).map((s) => (
            <label key={s} className="share-choice">
              <input type="radio" name="share-scope" value={s} checked={scope === s} onChange={() => setScope(s)} /> {SCOPE_LABEL[s]}
            </label>
          ))}
        </fieldset>
        <label>
          Days until it expires{' '}
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Math.min(365, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
        <button type="submit" className="btn">
          Make a share link
        </button>
      </form>
      {problem && (
        <p role="alert" className="form-alert">
          {problem}
        </p>
      )}
      {made && <OneTimeSecret label="Share link" value={made} note="Send this address to the person you share with." />}
      <LoadState state={links} what="the share links" isEmpty={(l) => l.length === 0} empty={<p>No share links yet.</p>}>
        {(items) => (
          <table className="share-links">
            <caption>Share links of this session</caption>
            <thead>
              <tr>
                <th scope="col">Shows</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((l) => (
                <tr key={l.id} data-link={l.id}>
                  <td>{SCOPE_LABEL[l.scope]}</td>
                  <td>{l.state}</td>
                  <td>{l.expiresAt ? new Date(l.expiresAt).toUTCString() : 'never'}</td>
                  <td>{l.lastUsedAt ? new Date(l.lastUsedAt).toUTCString() : 'not yet'}</td>
                  <td>
                    {l.state === 'active' && (
                      <button
                        type="button"
                        className="btn"
                        onClick={() => void revoke(l.id)}
                        aria-label={`Revoke the link made ${new Date(l.createdAt).toUTCString()}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadState>
    </section>
  );
}
