import { Button } from 'react-aria-components';
import type { LiveAlert } from './exam-live-types';

const time = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'UTC' });

/**
 * The exam's critical alerts, the ones waiting first and newest first; each waiting one has an
 * Acknowledge button, each acknowledged one says by whom and when (this teacher or another).
 */
export function AlertPanel({ alerts, pending, onAck }: { alerts: LiveAlert[]; pending: ReadonlySet<string>; onAck: (a: LiveAlert) => void }) {
  const sorted = [...alerts].sort((a, b) => Number(a.acknowledged !== null) - Number(b.acknowledged !== null) || b.at.localeCompare(a.at));
  if (sorted.length === 0) return <p className="muted">No alert so far.</p>;
  return (
    <ul className="plain-list live-alerts" aria-label="Alerts">
      {sorted.map((a) => (
        <li key={a.id} className={`card live-alert${a.acknowledged ? ' live-alert-done' : ''}`} data-testid={`alert-${a.id}`}>
          <p className="live-alert-head">
            <strong>{a.studentName}</strong> · {a.kind} · {a.severity} · {time(a.at)} UTC
          </p>
          <p>{a.message}</p>
          {a.acknowledged ? (
            <p className="muted">
              Acknowledged by {a.acknowledged.by.name} at {time(a.acknowledged.at)} UTC
            </p>
          ) : (
            <Button className="btn" isPending={pending.has(a.id)} onPress={() => onAck(a)} aria-label={`Acknowledge ${a.kind} for ${a.studentName}`}>
              {pending.has(a.id) ? 'Acknowledging…' : 'Acknowledge'}
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}
