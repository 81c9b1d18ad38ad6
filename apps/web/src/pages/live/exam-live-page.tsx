import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { AlertPanel } from './alert-panel';
import { connectAlerts, followExam, type ChannelStatus } from './exam-channels';
import type { LiveAlert, LiveStudent, StudentsMessage } from './exam-live-types';
import { LiveSessionBody } from './live-session-page';
import { StudentGrid } from './student-grid';
import './live.css';

const CHANNEL_TEXT: Record<ChannelStatus['state'], string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'connection lost, reconnecting…',
  failed: 'unavailable',
};
const channelText = (s: ChannelStatus) => (s.state === 'failed' ? `unavailable: ${s.message}` : CHANNEL_TEXT[s.state]);

/** /exams/:examId/live */
export function ExamLiveRoute() {
  const { examId = '' } = useParams();
  return <ExamLivePage key={examId} examId={examId} />;
}

/**
 * The exam's live monitor for its teachers: the students and how each stands (the exam's live view,
 * SSE, every 1–2 s), the critical alerts with acknowledgement (a WebSocket: another teacher's
 * acknowledgement shows here too), and the student opened from the grid, their writing live.
 */
export function ExamLivePage({ examId }: { examId: string }) {
  const [exam] = useLoad(() => unwrap(api.GET('/v1/exams/{examId}', { params: { path: { examId } } })), examId);
  const [view, setView] = useState<StudentsMessage | null>(null);
  const [viewStatus, setViewStatus] = useState<ChannelStatus>({ state: 'connecting' });
  const [alerts, setAlerts] = useState<Map<string, LiveAlert>>(new Map());
  const [alertsStatus, setAlertsStatus] = useState<ChannelStatus>({ state: 'connecting' });
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const [opened, setOpened] = useState<LiveStudent | null>(null);
  const alertsChannel = useRef<ReturnType<typeof connectAlerts> | null>(null);
  const watching = useRef<HTMLHeadingElement>(null);

  useEffect(() => followExam(examId, setView, setViewStatus), [examId]);
  useEffect(() => {
    const channel = connectAlerts(examId, {
      onAlert: (alert) => {
        setAlerts((m) => {
          if (!m.has(alert.id) && !alert.acknowledged) setAnnouncement(`Alert: ${alert.studentName}, ${alert.kind}. ${alert.message}`);
          return new Map(m).set(alert.id, alert);
        });
      },
      onAcknowledged: (alertId, ack) => {
        setAlerts((m) => {
          const a = m.get(alertId);
          return a ? new Map(m).set(alertId, { ...a, acknowledged: ack }) : m;
        });
        setPending((p) => new Set([...p].filter((id) => id !== alertId)));
      },
      onProblem: (message) => {
        // Nothing was acknowledged: the buttons come back, and the page says why.
        setPending(new Set());
        setAnnouncement(`The acknowledgement was refused: ${message}.`);
      },
      onStatus: setAlertsStatus,
    });
    alertsChannel.current = channel;
    return () => channel.stop();
  }, [examId]);

  const ack = (a: LiveAlert) => {
    if (alertsChannel.current?.ack(a.id)) setPending((p) => new Set(p).add(a.id));
    else setAnnouncement('Not connected to the alerts: the acknowledgement was not sent. Try again in a moment.');
  };
  const open = (s: LiveStudent) => {
    setOpened(s);
    // The panel's heading takes the focus, so a keyboard or screen-reader user lands on what opened.
    requestAnimationFrame(() => watching.current?.focus());
  };

  const title = exam.status === 'ready' ? exam.data.title : 'Exam';
  const students = view?.students ?? [];
  const waiting = [...alerts.values()].filter((a) => !a.acknowledged).length;
  return (
    <div className="page page-wide live-page">
      <PageTitle>{`Live: ${title}`}</PageTitle>
      <h1>Live: {title}</h1>
      <p>
        <Link to="/exams">All exams</Link>
      </p>
      {exam.status === 'failed' && (
        <p role="alert" className="form-alert">
          Could not load the exam: {exam.message}.
        </p>
      )}
      <div className="live-monitor">
        <section aria-labelledby="students-h" className="live-students">
          <h2 id="students-h">Students</h2>
          <p className="live-meta" data-testid="students-status" data-state={viewStatus.state}>
            {students.length} students · {channelText(viewStatus)}
            {view ? ` · as of ${new Date(view.at).toLocaleTimeString('en-GB', { timeZone: 'UTC' })} UTC` : ''}
          </p>
          {view && students.length === 0 ? <p className="muted">No student has started yet.</p> : <StudentGrid students={students} onOpen={open} />}
        </section>
        <section aria-labelledby="alerts-h" className="live-alert-panel">
          <h2 id="alerts-h">Alerts{waiting > 0 ? ` (${waiting} waiting)` : ''}</h2>
          <p className="live-meta" data-testid="alerts-status" data-state={alertsStatus.state}>
            Alerts {channelText(alertsStatus)}
          </p>
          <div className="live-announcement" aria-live="polite" data-testid="alert-announcement">
            {announcement}
          </div>
          <AlertPanel alerts={[...alerts.values()]} pending={pending} onAck={ack} />
        </section>
      </div>
      {opened?.sessionId && (
        <section aria-labelledby="watching-h" className="card live-watching">
          <h2 id="watching-h" ref={watching} tabIndex={-1}>
            Watching {opened.studentName}
          </h2>
          <p>
            <Link to={`/live/${opened.sessionId}`}>Open on its own page</Link> ·{' '}
            <Button className="btn btn-quiet" onPress={() => setOpened(null)}>
              Close
            </Button>
          </p>
          <LiveSessionBody key={opened.sessionId} sessionId={opened.sessionId} signedIn />
        </section>
      )}
    </div>
  );
}
