import type { RecorderStatus } from '@veritas/recorder';

/** What the writer sees about the recording: recording / offline, and whether everything is saved. */
export function describeStatus(status: RecorderStatus | null, phase: string): { label: string; tone: 'idle' | 'ok' | 'warn' | 'bad' } {
  if (phase === 'submitted') return { label: 'Submitted', tone: 'ok' };
  if (!status || phase === 'loading' || phase === 'consent') return { label: 'Not recording', tone: 'idle' };
  const saved = status.mode === 'client-only' ? 'all saved in this browser' : 'all saved';
  const queue = status.saved ? saved : `${status.queued} event${status.queued === 1 ? '' : 's'} queued`;
  switch (status.state) {
    case 'offline':
      return { label: `Offline · ${queue}`, tone: 'warn' };
    case 'error':
      return { label: `Not sending · ${queue}`, tone: 'bad' };
    case 'ending':
      return { label: `Submitting · ${queue}`, tone: 'warn' };
    case 'ended':
      return { label: 'Submitted', tone: 'ok' };
    default:
      return { label: `Recording · ${queue}`, tone: 'ok' };
  }
}

const DOT = { idle: '#9aa3b2', ok: '#c0262d', warn: '#d08a00', bad: '#7a0f14' } as const;

export function RecordingIndicator({ status, phase }: { status: RecorderStatus | null; phase: string }) {
  const { label, tone } = describeStatus(status, phase);
  return (
    <p role="status" aria-live="polite" className="write-indicator" data-tone={tone}>
      <span aria-hidden="true" style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: DOT[tone], marginRight: 8 }} />
      {label}
    </p>
  );
}
