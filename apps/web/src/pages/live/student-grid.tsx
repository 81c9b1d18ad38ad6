import { Cell, Column, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import type { LiveStudent, Presence } from './exam-live-types';
import { duration } from './writing-stats';

const PRESENCE_LABEL: Record<Presence, string> = { online: 'Online', idle: 'Idle', offline: 'Offline' };

/** The host page's signals as it labels them (never scored here): "confusion 0.4, engagement 0.7". */
export function hostText(host: LiveStudent['host']): string {
  if (!host) return '–';
  const values: [string, number | boolean][] = [];
  if (host.confusion !== undefined) values.push(['confusion', host.confusion]);
  if (host.engagement !== undefined) values.push(['engagement', host.engagement]);
  for (const [k, v] of Object.entries(host.labels ?? {})) if (k !== 'confusion' && k !== 'engagement') values.push([k, v]);
  if (values.length === 0) return '–';
  return values.map(([k, v]) => `${k} ${typeof v === 'number' ? Math.round(v * 100) / 100 : v ? 'yes' : 'no'}`).join(', ');
}

/**
 * The exam's students as a grid (React Aria's Table: arrow keys move between rows and cells, Enter
 * or a click opens a student). A student with no session yet cannot be opened.
 */
export function StudentGrid({ students, onOpen }: { students: LiveStudent[]; onOpen: (s: LiveStudent) => void }) {
  const byAttempt = new Map(students.map((s) => [s.attemptId, s]));
  return (
    <Table
      aria-label="Students, live"
      className="table live-grid"
      disabledKeys={students.filter((s) => !s.sessionId).map((s) => s.attemptId)}
      onRowAction={(key) => {
        const s = byAttempt.get(String(key));
        if (s?.sessionId) onOpen(s);
      }}
    >
      <TableHeader>
        <Column isRowHeader>Student</Column>
        <Column>Presence</Column>
        <Column>Attempt</Column>
        <Column>Characters a minute</Column>
        <Column>Pastes</Column>
        <Column>Time away</Column>
        <Column>Host signals</Column>
        <Column>Open alerts</Column>
      </TableHeader>
      <TableBody items={students}>
        {(s) => (
          <Row id={s.attemptId} className={`live-row live-row-${s.presence}${s.openAlerts > 0 ? ' live-row-alert' : ''}`} textValue={s.studentName}>
            <Cell>{s.studentName}</Cell>
            <Cell>
              <span className={`live-dot live-dot-${s.presence}`} aria-hidden="true" /> {PRESENCE_LABEL[s.presence]}
            </Cell>
            <Cell>{s.attemptState}</Cell>
            <Cell>{s.charsPerMinute}</Cell>
            <Cell>{s.pastes}</Cell>
            <Cell>{duration(s.awayMs)}</Cell>
            <Cell>{hostText(s.host)}</Cell>
            <Cell>{s.openAlerts}</Cell>
          </Row>
        )}
      </TableBody>
    </Table>
  );
}
