import type { VeritasEvent } from '@veritas/schema';
import type { Db } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import type { Scope } from '../../kernel/scope';
import { guard } from '../../platform/db/database-errors';
import { csvCell, type CsvValue } from '../../kernel/csv';
import { eventPages } from './events.repository';
import { bundleSession, EXPORT_PAGE } from './bundle-export';

/** A sensor sample is [t, then up to 7 values]: the CSV names the first three as accelerometers do. */
export const SAMPLE_COLUMNS = ['seq', 'sensor', 't', 'x', 'y', 'z', 'v4', 'v5', 'v6', 'v7'] as const;
export const EVENT_COLUMNS = ['seq', 't', 'type', 'data'] as const;

const row = (cells: readonly CsvValue[]) => cells.map(csvCell).join(',') + '\r\n';

async function* pagesOf(db: Db, scope: Scope, session: SessionRow, pageSize: number): AsyncGenerator<VeritasEvent[]> {
  const pages = eventPages(db, scope, session.id, -1, pageSize);
  for (;;) {
    const next = await guard(pages.next());
    if (next.done) return;
    yield next.value;
  }
}

/** `{"session":…,"events":[…]}`, a page of events at a time: the same bytes as JSON.stringify of the whole. */
export async function* sessionDataJson(db: Db, scope: Scope, session: SessionRow, pageSize = EXPORT_PAGE): AsyncGenerator<string> {
  yield `{"session":${JSON.stringify(bundleSession(session))},"events":[`;
  let first = true;
  for await (const page of pagesOf(db, scope, session, pageSize)) {
    const parts = page.map((e) => JSON.stringify({ seq: e.seq, t: e.t, type: e.type, data: e.data }));
    yield (first ? '' : ',') + parts.join(',');
    first = false;
  }
  yield ']}';
}

/**
 * CSV for a spreadsheet (RFC 4180, formula-safe): a sensor session gives one row per sample (its
 * event's seq, the sensor kind, the sample's t and values); any other session one row per event, its
 * data as JSON in one cell.
 */
export async function* sessionDataCsv(db: Db, scope: Scope, session: SessionRow, pageSize = EXPORT_PAGE): AsyncGenerator<string> {
  const samples = session.kind === 'sensor';
  yield row(samples ? SAMPLE_COLUMNS : EVENT_COLUMNS);
  for await (const page of pagesOf(db, scope, session, pageSize)) {
    let out = '';
    for (const e of page) {
      if (!samples) out += row([e.seq, e.t, e.type, JSON.stringify(e.data)]);
      else if (e.type === 'sensor') for (const s of e.data.samples) out += row([e.seq, e.data.kind, ...s]);
    }
    if (out) yield out;
  }
}
