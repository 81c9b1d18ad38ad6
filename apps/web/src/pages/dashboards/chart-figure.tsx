import type { ReactNode } from 'react';

/**
 * A chart with its text alternative: a caption that says what it shows and what stands out, the
 * drawing hidden from assistive technology (it says nothing the table does not), and the data as a
 * table in a region that takes the keyboard focus (so it can be scrolled and found by Tab).
 */
export function ChartFigure({ id, title, summary, chart, table }: { id: string; title: string; summary: string; chart: ReactNode; table: ReactNode }) {
  return (
    <figure className="chart-figure" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        <strong>{title}.</strong> {summary}
      </figcaption>
      <div aria-hidden="true">{chart}</div>
      <div className="chart-data" role="region" aria-label={`${title}: the data`} tabIndex={0}>
        {table}
      </div>
    </figure>
  );
}
