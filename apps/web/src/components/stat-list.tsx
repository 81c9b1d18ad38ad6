import type { ReactNode } from 'react';

/** Named figures as a description list (the dashboards' summaries): a label and its value each. */
export function StatList({ items }: { items: readonly (readonly [label: string, value: ReactNode])[] }) {
  return (
    <dl className="stat-list">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
