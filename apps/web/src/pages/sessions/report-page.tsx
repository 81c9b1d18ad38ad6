import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { ReportDownload } from './report-download';
import { shareHeaders } from '../replay/load-bundle';
import { CertificateLinks } from '../verify/certificate-links';
import { ShareLinksPanel } from '../share/share-links-panel';

type Answer = paths['/v1/sessions/{id}/report']['get']['responses'];
type Final = Answer[200]['content']['application/json'];
type Waiting = Answer[202]['content']['application/json'];
type Done = Extract<Final, { status: 'done' }>;

const SEVERITY = { low: 'minor', medium: 'notable', high: 'serious' } as const;
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

async function loadReport(id: string, share?: string): Promise<Final | Waiting> {
  return unwrap(api.GET('/v1/sessions/{id}/report', { params: { path: { id } }, headers: shareHeaders(share) }));
}

/** /report/:sessionId: the process report of a session, in plain words (what was measured, what it may mean, what it is not). */
export function ReportPage() {
  const { sessionId = '' } = useParams();
  return (
    <div className="page">
      <PageTitle>Process report</PageTitle>
      <h1>Process report</h1>
      <p>
        <Link to={`/replay/${sessionId}`}>Watch the replay of this session</Link>
      </p>
      <SessionReport sessionId={sessionId} />
      <CertificateLinks sessionId={sessionId} />
      <ShareLinksPanel sessionId={sessionId} />
    </div>
  );
}

/** The report itself, for this page and the page behind a share link (`share`: its token). */
export function SessionReport({ sessionId, share }: { sessionId: string; share?: string | undefined }) {
  const [report, reload] = useLoad(() => loadReport(sessionId, share), sessionId);
  return (
    <>
      <LoadState state={report} what="the report" isEmpty={() => false} empty={null}>
        {(r) =>
          r.status === 'done' ? (
            <>
              {/* The PDF is for signed-in readers: a share link opens the report page, not its download. */}
              {share === undefined && <ReportDownload sessionId={sessionId} />}
              <DoneReport report={r} />
            </>
          ) : r.status === 'failed' ? (
            <p role="alert" className="form-alert">
              The analysis of this session failed; an operator has been told.
            </p>
          ) : (
            <p role="status">
              This session is not analysed yet ({r.status === 'running' ? 'the analysis is running' : 'it waits its turn or the session has not ended'}).{' '}
              <button type="button" className="btn" onClick={reload}>
                Check again
              </button>
            </p>
          )
        }
      </LoadState>
    </>
  );
}

function DoneReport({ report }: { report: Done }) {
  return (
    <>
      <section aria-labelledby="summary-h" className="card">
        <h2 id="summary-h">In short</h2>
        <p>{report.summary}</p>
        <p>{report.risk ? `Overall: ${report.risk} risk.` : 'There was not enough writing to judge.'}</p>
        <p className="muted">{report.about}</p>
      </section>
      <section aria-labelledby="flags-h">
        <h2 id="flags-h">What stood out</h2>
        {report.flags.length === 0 ? (
          <p>Nothing stood out in how this text was written.</p>
        ) : (
          <ul className="report-flags">
            {report.flags.map((f, i) => (
              <li key={i}>
                <strong>{f.explanation}</strong> ({SEVERITY[f.severity]}) <span>{f.measured}</span>{' '}
                <span className="muted">
                  From {seconds(f.evidence.tFrom)} to {seconds(f.evidence.tTo)} into the session
                  {f.evidence.excerpt ? `: “${f.evidence.excerpt}”` : ''}.
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {report.notes.length > 0 && (
        <section aria-labelledby="notes-h">
          <h2 id="notes-h">What is not held against anyone</h2>
          <ul>
            {report.notes.map((n, i) => (
              <li key={i}>{n.message}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
