import { checkerOf, type Checker } from './checker';
import { Value } from '@sinclair/typebox/value';
import { FormatRegistry } from '@sinclair/typebox';
import { Bundle } from './bundle';
import { EventData, type EventType, type VeritasEvent } from './events';
import { BUNDLE_FORMAT } from './version';
import { LIMITS } from './limits';
import { describePattern, jsonValueIssue } from './text';

export interface EventIssue {
  index: number;
  path: string;
  message: string;
}

const checkers = new Map<EventType, Checker<(typeof EventData)[EventType]>>();
function checkerFor(type: EventType) {
  let c = checkers.get(type);
  if (!c) {
    c = checkerOf(EventData[type]);
    checkers.set(type, c);
  }
  return c;
}

/**
 * Checks envelopes that passed the transport schema: each event's data against its type,
 * seqs contiguous from firstSeq, t never going back. Returns the typed events or the issues.
 */
export function checkEvents(
  firstSeq: number,
  envelopes: readonly { seq: number; t: number; type: string; data: unknown }[],
): { ok: true; events: VeritasEvent[] } | { ok: false; issues: EventIssue[] } {
  const issues: EventIssue[] = [];
  let lastT = -Infinity;
  envelopes.forEach((e, index) => {
    if (!(e.type in EventData)) {
      issues.push({ index, path: `/events/${index}/type`, message: `unknown event type "${e.type}"` });
      return;
    }
    if (e.seq !== firstSeq + index) {
      issues.push({ index, path: `/events/${index}/seq`, message: `expected seq ${firstSeq + index}, got ${e.seq}` });
    }
    if (e.t < lastT) issues.push({ index, path: `/events/${index}/t`, message: `t goes back from ${lastT} to ${e.t}` });
    lastT = e.t;
    const checker = checkerFor(e.type as EventType);
    if (!checker.Check(e.data)) {
      const first = checker.Errors(e.data).First();
      const message = describePattern((first?.schema as { pattern?: unknown } | undefined)?.pattern) ?? first?.message ?? 'invalid data';
      issues.push({ index, path: `/events/${index}/data${first?.path ?? ''}`, message });
      return;
    }
    const custom = customDataIssue(e as VeritasEvent);
    if (custom) issues.push({ index, path: `/events/${index}${custom.path}`, message: custom.message });
  });
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, 20) };
  return { ok: true, events: envelopes as VeritasEvent[] };
}

/** Custom data is any JSON, which a schema cannot bound: its depth and strings are checked here. */
function customDataIssue(e: VeritasEvent): { path: string; message: string } | null {
  if (e.type !== 'custom') return null;
  const issue = jsonValueIssue(e.data.data, LIMITS.customDepth);
  return issue ? { path: `/data/data${issue.path}`, message: issue.message } : null;
}

// TypeBox knows no string formats until told; the bundle uses date-time.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)));
}

// Not compiled at load: the web app imports this module under a CSP without 'unsafe-eval' (checker.ts).
const bundleCheck = checkerOf(Bundle);

/** Numbered migrations from older bundle versions to the current one; v1 is the first version. */
const bundleMigrations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {};

/** Reads a bundle of any known version into the current form, or says exactly what is wrong. */
export function parseBundle(input: unknown): { ok: true; bundle: Bundle } | { ok: false; issues: { path: string; message: string }[] } {
  let value = input as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) return { ok: false, issues: [{ path: '', message: 'bundle must be a JSON object' }] };
  for (let guard = 0; typeof value.format === 'string' && value.format !== BUNDLE_FORMAT && guard < 16; guard++) {
    const migrate = bundleMigrations[value.format];
    if (!migrate) return { ok: false, issues: [{ path: '/format', message: `unknown bundle format "${value.format}"` }] };
    value = migrate(value);
  }
  if (!bundleCheck.Check(value)) {
    const issues = [...bundleCheck.Errors(value)]
      .slice(0, 20)
      .map((e) => ({ path: e.path, message: describePattern((e.schema as { pattern?: unknown }).pattern) ?? e.message }));
    return { ok: false, issues };
  }
  const bundle = value as unknown as Bundle;
  for (const [b, batch] of bundle.batches.entries()) {
    // A session's sealer is declared once (docs/adr/0024): every batch states the session's.
    if ((batch.sealedBy === 'server') !== (bundle.session.sealing === 'server')) {
      return {
        ok: false,
        issues: [
          {
            path: `/batches/${b}/sealedBy`,
            message: `every batch of a ${bundle.session.sealing ?? 'client'}-sealed session is sealed by the ${bundle.session.sealing ?? 'client'}`,
          },
        ],
      };
    }
    for (const [i, e] of batch.events.entries()) {
      const issue = customDataIssue(e);
      if (issue) return { ok: false, issues: [{ path: `/batches/${b}/events/${i}${issue.path}`, message: issue.message }] };
    }
  }
  return { ok: true, bundle };
}

export { Value };
