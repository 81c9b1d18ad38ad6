import { useState } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { messageOf } from '../../components/load-state';
import { saveFile } from '../../components/save-file';

/**
 * Downloads the exam's results as CSV (GET /v1/exams/{examId}/results.csv). A plain link would go
 * without the access token (it is held in memory, never in a cookie), so the file is fetched by the
 * client and handed to the browser as a download.
 */
export function ResultsDownload({ examId }: { examId: string }) {
  const [status, setStatus] = useState<{ kind: 'idle' } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const download = async () => {
    try {
      const { data, error, response } = await api.GET('/v1/exams/{examId}/results.csv', { params: { path: { examId } }, parseAs: 'blob' });
      if (!response.ok || !data) throw ApiProblem.from(response, error);
      saveFile(`exam-${examId}-results.csv`, data);
      setStatus({ kind: 'idle' });
    } catch (err) {
      setStatus({ kind: 'failed', message: messageOf(err) });
    }
  };
  return (
    <p>
      <Button className="btn" onPress={() => void download()}>
        Download the results (CSV)
      </Button>
      {status.kind === 'failed' && (
        <span role="alert" className="form-alert">
          Could not download the results: {status.message}.
        </span>
      )}
    </p>
  );
}
