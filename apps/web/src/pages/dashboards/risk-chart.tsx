import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { ChartFigure } from './chart-figure';

interface RiskCounts {
  low: number;
  medium: number;
  high: number;
  notEnoughData: number;
  notAnalysed: number;
}

const BARS: { key: keyof RiskCounts; label: string; colour: string }[] = [
  { key: 'low', label: 'Low risk', colour: '#1f7a3a' },
  { key: 'medium', label: 'Medium risk', colour: '#8a5a00' },
  { key: 'high', label: 'High risk', colour: '#b42318' },
  { key: 'notEnoughData', label: 'Too little writing', colour: '#5b6470' },
  { key: 'notAnalysed', label: 'Not analysed', colour: '#5b6470' },
];

/** The exam's attempts by the risk of their analysis: a bar chart, said in its caption and given as a table. */
export function RiskChart({ risk }: { risk: RiskCounts }) {
  const rows = BARS.map((b) => ({ ...b, count: risk[b.key] }));
  const summary = rows.map((r) => `${r.label}: ${r.count}`).join('; ') + '.';
  return (
    <ChartFigure
      id="risk-distribution"
      title="Risk distribution"
      summary={summary}
      chart={
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={0} />
            <YAxis allowDecimals={false} width={32} />
            <Bar dataKey="count" isAnimationActive={false} label={{ position: 'top' }}>
              {rows.map((r) => (
                <Cell key={r.key} fill={r.colour} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table className="table">
          <caption className="sr-only">Attempts by risk</caption>
          <thead>
            <tr>
              <th scope="col">Risk</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
