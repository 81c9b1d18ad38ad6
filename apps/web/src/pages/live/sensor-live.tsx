import { useMemo, useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { chartPoints, CHART_WINDOW_MS, SensorChannels, type SensorChannel } from './sensor-channels';
import type { LiveSession } from './use-live-session';

const LINE_COLOURS = ['#1f5fbf', '#b3261e', '#1b7f3b', '#7a4fb3', '#a15c00', '#00707a', '#5b5b5b'];
/** Rows in each channel's table of latest samples. */
const TABLE_ROWS = 10;

const fmt = (v: number | undefined) => (v === undefined ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(3));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * A sensor session as it streams: per channel a chart of its last 20 s that grows as samples
 * arrive, its latest values in words, and its latest samples as a table (ADR 0014: every chart
 * has its figures as text too).
 */
export function SensorLive({ live }: { live: LiveSession }) {
  const store = useRef(new SensorChannels());
  const { events, version } = live;
  const channels = useMemo(() => {
    store.current.update(events);
    return store.current.channels;
  }, [version, events]);

  if (channels.length === 0)
    return (
      <p className="muted" data-testid="no-samples">
        No samples yet: the charts start with the first.
      </p>
    );
  return (
    <div className="live-channels">
      {channels.map((ch) => (
        <ChannelPanel key={ch.kind} channel={ch} version={version} />
      ))}
    </div>
  );
}

function ChannelPanel({ channel: ch, version }: { channel: SensorChannel; version: number }) {
  const points = useMemo(() => chartPoints(ch), [ch, version, ch.rows.length]);
  const latest = ch.rows[ch.rows.length - 1];
  const headingId = `ch-${ch.kind}-h`;
  const rows = ch.rows.slice(-TABLE_ROWS).reverse();
  return (
    <section className="card live-channel" aria-labelledby={headingId} data-testid={`channel-${ch.kind}`} data-samples={ch.rows.length}>
      <h2 id={headingId}>{ch.kind}</h2>
      <p className="live-latest" data-testid={`latest-${ch.kind}`}>
        {ch.rows.length.toLocaleString('en')} samples. Latest, at {latest ? seconds(latest[0]!) : '–'}:{' '}
        {ch.columns.map((c, i) => `${c} ${fmt(latest?.[i + 1])}`).join(', ')}
      </p>
      <figure className="live-figure">
        <LineChart
          responsive
          style={{ width: '100%', height: 220 }}
          data={points}
          margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
          title={`${ch.kind}: the last ${CHART_WINDOW_MS / 1000} seconds`}
          desc={`${ch.columns.join(', ')} over time; the table below lists the latest samples`}
        >
          <CartesianGrid stroke="#e3e6ec" />
          <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => `${t.toFixed(0)} s`} stroke="#4b5563" />
          <YAxis stroke="#4b5563" width={48} />
          <Tooltip formatter={(v) => fmt(typeof v === 'number' ? v : undefined)} labelFormatter={(t) => `${Number(t).toFixed(2)} s`} />
          <Legend />
          {ch.columns.map((c, i) => (
            <Line key={c} dataKey={c} stroke={LINE_COLOURS[i % LINE_COLOURS.length]} dot={false} isAnimationActive={false} strokeWidth={1.5} />
          ))}
        </LineChart>
        <figcaption className="muted">
          {ch.kind}, the last {CHART_WINDOW_MS / 1000} seconds ({ch.columns.join(', ')})
        </figcaption>
      </figure>
      <details>
        <summary>
          Latest {rows.length} samples of {ch.kind}
        </summary>
        <table className="table">
          <caption className="sr-only">Latest samples of {ch.kind}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {ch.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${r[0]}-${i}`}>
                <td>{seconds(r[0]!)}</td>
                {ch.columns.map((c, j) => (
                  <td key={c}>{fmt(r[j + 1])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
