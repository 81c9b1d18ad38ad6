import { useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { messageOf } from '../../components/load-state';
import { saveFile } from '../../components/save-file';

/**
 * Downloads the session's PDF report (GET /v1/sessions/{id}/report.pdf): the same document for the
 * student and their teacher. Fetched by the client, as a plain link would go without the access token
 * (held in memory only), and handed to the browser as a download.
 */
export function ReportDownload({ sessionId }: { sessionId: string }) {
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const download = async () => {
    setStatus({ kind: 'busy' });
    try {
      const { data, error, response } = await api.GET('/v1/sessions/{id}/report.pdf', { params: { path: { id: sessionId } }, parseAs: 'blob' });
      if (!response.ok || !data) throw ApiProblem.from(response, error);
      if (response.status === 202 || response.headers.get('content-type') !== 'application/pdf')
        throw new Error('the report is not ready yet; try again in a moment');
      saveFile(`veritas-report-${sessionId}.pdf`, data as Blob);
      setStatus({ kind: 'idle' });
    } catch (err) {
      setStatus({ kind: 'failed', message: messageOf(err) });
    }
  };
  return (
    <p>
      <Button className="btn" isDisabled={status.kind === 'busy'} onPress={() => void download()}>
        Download PDF report
      </Button>
      {status.kind === 'failed' && (
        <span role="alert" className="form-alert">
          Could not download the report: {status.message}.
        </span>
      )}
    </p>
  );
}
