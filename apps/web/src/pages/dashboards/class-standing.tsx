import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { ChartFigure } from './chart-figure';
import { decimal, duration, percent } from './dashboard-words';
import { markBins } from './histogram';

export type StandingMetric = 'writingTimeMs' | 'pauses' | 'revisions' | 'pasteShare';

/** The four measures an attempt is placed on against its class, with how their values are said. */
export const STANDING: { key: StandingMetric; title: string; say: (v: number | null) => string; axis: (v: number) => string }[] = [
  { key: 'writingTimeMs', title: 'Writing time', say: duration, axis: (v) => `${decimal(v / 60_000)} min` },
  { key: 'pauses', title: 'Pauses', say: decimal, axis: decimal },
  { key: 'revisions', title: 'Revisions (deletions)', say: decimal, axis: decimal },
  { key: 'pasteShare', title: 'Paste share of the final text', say: percent, axis: percent },
];

const ordinal = (n: number) => `${Math.round(n)}`;

/**
 * A histogram of the class on one measure with the chosen attempt's bin marked (bar colour and a
 * labelled line), its caption saying where the attempt stands, and its bins as a table.
 */
export function StandingHistogram({
  metric,
  distribution,
  marked,
}: {
  metric: (typeof STANDING)[number];
  /** The whole class on this measure, as the server counts it (not only the page of rows shown). */
  distribution: { count: number; median: number | null; bins: { from: number; to: number; count: number }[] };
  marked: { name: string; value: number | null; percentile: number | null };
}) {
  const bins = markBins(distribution.bins, marked.value);
  const rows = bins.map((b) => ({ ...b, label: b.from === b.to ? metric.axis(b.from) : `${metric.axis(b.from)}–${metric.axis(b.to)}` }));
  const markedRow = rows.find((r) => r.marked);
  const id = `standing-${metric.key}`;
  const where =
    marked.value === null
      ? `${marked.name} has no value on this measure.`
      : `${marked.name}: ${metric.say(marked.value)}, above ${ordinal(marked.percentile ?? 0)}% of the class.`;
  const summary = `${distribution.count} attempts measured; class median ${metric.say(distribution.median)}. ${where}`;
  return (
    <ChartFigure
      id={id}
      title={metric.title}
      summary={summary}
      chart={
        rows.length === 0 ? null : (
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={rows} accessibilityLayer={false} margin={{ top: 16, right: 8, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} interval={0} />
              <YAxis allowDecimals={false} width={32} />
              <Bar dataKey="count" isAnimationActive={false}>
                {rows.map((r) => (
                  <Cell key={r.label} fill={r.marked ? '#b42318' : '#1a56db'} />
                ))}
              </Bar>
              {markedRow && (
                <ReferenceLine x={markedRow.label} stroke="#b42318" strokeDasharray="4 2" label={{ value: marked.name, position: 'top', fontSize: 11 }} />
              )}
            </BarChart>
          </ResponsiveContainer>
        )
      }
      table={
        <table className="table">
          <caption className="sr-only">{metric.title}: attempts of the class by range</caption>
          <thead>
            <tr>
              <th scope="col">Range</th>
              <th scope="col">Attempts</th>
              <th scope="col">Marked attempt</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{r.count}</td>
                <td>{r.marked ? marked.name : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
