import { analyzeSession, clock, DEFAULT_THRESHOLDS, PAUSE_LOCATIONS, type AnalysisResult, type Thresholds } from '@veritas/analysis';
import type { Command } from '../main';
import { readBundleFile, reportInvalid } from '../bundle-file';

/** `--threshold name=value` (repeatable) into a thresholds object; names and values are checked. */
export function parseThresholds(items: readonly string[]): Partial<Thresholds> {
  const out: Record<string, number | number[]> = {};
  for (const item of items) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(item);
    if (!m) throw new Error(`--threshold takes name=value, not "${item}"`);
    const [, name, raw] = m as unknown as [string, string, string];
    if (!(name in DEFAULT_THRESHOLDS)) throw new Error(`unknown threshold "${name}"; known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}`);
    const nums = raw.split(',').map(Number);
    if (nums.some((n) => !Number.isFinite(n))) throw new Error(`--threshold ${name}: "${raw}" is not a number`);
    out[name] = name === 'pauseReportMs' ? nums : nums[0]!;
  }
  return out as Partial<Thresholds>;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The metrics as label/value rows, for the table. */
export function metricRows(r: AnalysisResult): [string, string][] {
  const rows: [string, string][] = [];
  const m = r.metrics;
  rows.push([
    'events',
    `${m.events} (seq ${m.firstSeq}–${m.lastSeq}), ${Object.entries(m.byType)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ]);
  rows.push(['duration', clock(m.durationMs)]);
  const w = m.writing;
  if (w) {
    rows.push(['active writing time', `${clock(w.activeMs)} (intervals under ${w.pauses.thresholdMs / 1000} s)`]);
    rows.push(['time away', `${clock(w.away.totalMs)} in ${w.away.departures} departure(s), longest ${clock(w.away.longestMs)}`]);
    rows.push([
      `pauses ≥ ${w.pauses.thresholdMs / 1000} s`,
      `${PAUSE_LOCATIONS.reduce((a, l) => a + w.pauses.byLocation[l].pauses, 0)}, total ${clock(w.pauses.totalPauseMs)}`,
    ]);
    for (const l of PAUSE_LOCATIONS) {
      const s = w.pauses.byLocation[l];
      rows.push([`  ${l}`, `${s.intervals} intervals, ${s.pauses} pauses, median ${s.medianMs} ms, mean ${s.meanMs} ms`]);
    }
    rows.push([
      'sentence gradient',
      `${w.pauses.sentenceGradient} (median before sentence ÷ within word); pause at ${pct(w.pauses.sentencePauseShare)} of sentence starts`,
    ]);
    rows.push(['P-bursts / R-bursts', `${w.bursts.p.count} (mean ${w.bursts.p.meanChars} chars) / ${w.bursts.r.count} (mean ${w.bursts.r.meanChars} chars)`]);
    rows.push([
      'inter-key interval',
      `median ${w.keys.interKey.medianMs} ms, IQR ${w.keys.interKey.iqrMs} ms, CV ${w.keys.interKey.cv} (${w.keys.count} keys)`,
    ]);
    rows.push(['key hold', `median ${w.keys.hold.medianMs} ms, CV ${w.keys.hold.cv}; overlap ${pct(w.keys.overlapRatio)}`]);
    rows.push([
      'typing speed',
      `${w.speed.meanCharsPerMin} chars/min over ${w.speed.windows.filter((x) => x.chars > 0).length} active ${w.speed.windowMs / 1000} s windows, CV ${w.speed.cv}`,
    ]);
    rows.push([
      'inserted / deleted',
      `${w.revisions.insertedChars} / ${w.revisions.deletedChars} chars (${w.revisions.deletions} deletions), revision ratio ${w.revisions.revisionRatio}`,
    ]);
    rows.push(['final length', `${w.revisions.finalLength} chars, product/process ${w.revisions.productProcessRatio}`]);
    rows.push([
      'pastes',
      `${w.paste.count}: internal ${w.paste.internal.count} (${w.paste.internal.chars} chars), external ${w.paste.external.count} (${w.paste.external.chars} chars, largest ${w.paste.external.largest})`,
    ]);
    rows.push(['external paste share', `${pct(w.paste.shareOfFinal)} of the final text, ${pct(w.paste.shareOfAdded)} of all text added`]);
    const big = w.keyless.largestInsertion;
    rows.push(['largest keyless insertion', big ? `${big.chars} chars (${big.cause}) at ${clock(big.t)}, seq ${big.seq}` : 'none']);
    rows.push([
      'input method',
      `${w.inputMethod.chars} chars (dictation ${w.inputMethod.byCause.dictation}, IME ${w.inputMethod.byCause.ime}, autocorrect ${w.inputMethod.byCause.autocorrect})`,
    ]);
  }
  const p = m.proctoring;
  if (p) {
    rows.push(['time with no face', `${clock(p.noFaceMs)} (as reported by the host)`]);
    rows.push(['events with several faces', String(p.severalFacesEvents)]);
    rows.push([
      'violations',
      Object.entries(p.violations)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none',
    ]);
  }
  for (const s of m.sensor ?? []) rows.push([`sensor ${s.kind}`, `${s.samples} samples at ${s.rateHz} Hz, ${s.gaps} gaps (longest ${s.longestGapMs} ms)`]);
  for (const h of r.hostSignals ?? [])
    rows.push([`host: ${h.key}`, `mean ${h.mean}, min ${h.min}, max ${h.max} (${h.count} values from "${h.source}"; not scored)`]);
  return rows;
}

/** The readable report: score and its reasons, flags with evidence, notes, metrics table. */
export function formatReport(r: AnalysisResult, head: string): string {
  const lines = [head, ''];
  lines.push(
    r.score.verdict === 'scored' ? `Score: integrity ${r.score.integrity.toFixed(2)}, ${r.score.risk.toUpperCase()} risk` : `Score: none — ${r.score.summary}`,
  );
  for (const reason of r.score.reasons)
    lines.push(`  - ${reason.detector === 'none' ? '' : `${reason.detector} (${reason.severity}, −${Math.round(reason.weight * 100)}%): `}${reason.message}`);
  lines.push('', r.flags.length ? `Flags (${r.flags.length}) — evidence for a person to weigh, not a verdict:` : 'Flags: none');
  for (const f of r.flags) {
    const e = f.evidence;
    lines.push(`  [${f.severity}] ${f.detector}  seq ${e.seqFrom}–${e.seqTo}, ${clock(e.tFrom)}–${clock(e.tTo)}`);
    lines.push(`      ${f.message}`);
    if (e.excerpt) lines.push(`      “${e.excerpt}”`);
  }
  if (r.notes.length) {
    lines.push('', 'Notes:');
    for (const n of r.notes) lines.push(`  - ${n.message}`);
  }
  lines.push('', 'Metrics:');
  const rows = metricRows(r);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(width)}  ${v}`);
  return lines.join('\n');
}

/** Analyses a bundle file offline: the same analysis the server runs when a session ends. */
export const analyze: Command = {
  summary: 'Analyse a bundle file: writing-process metrics, flags with evidence, and an explained integrity score.',
  usage: 'veritas analyze <bundle.json> [--json] [--threshold name=value …] [--refuse-host-signals] [--assistive]',
  options: {
    json: { type: 'boolean' },
    threshold: { type: 'string', multiple: true },
    'refuse-host-signals': { type: 'boolean' },
    assistive: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    const read = await readBundleFile(positionals[0]);
    if (!read.ok) return reportInvalid(read.issues);
    const { bundle, chain: problem } = read;
    const thresholds = parseThresholds((values.threshold as string[] | undefined) ?? []);
    const events = bundle.batches.flatMap((b) => b.events);
    const result = analyzeSession(events, {
      thresholds,
      acceptHostSignals: !values['refuse-host-signals'],
      assistiveTechnology: values.assistive === true,
      initialText: bundle.session.meta?.initialText,
      capabilities: bundle.session.meta?.capabilities,
    });
    const chain = problem ? { intact: false, problem } : { intact: true, batches: bundle.batches.length };
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ session: bundle.session, chain, analysis: result }, null, 2)}\n`);
      return 0;
    }
    const chainLine = problem
      ? `chain BROKEN: ${problem.code} at batch ${problem.index} — the events may have been altered`
      : `chain intact (${bundle.batches.length} batches)`;
    const head = `Session ${bundle.session.id} (${bundle.session.kind}), ${result.metrics.events} events over ${clock(result.metrics.durationMs)}; ${chainLine}`;
    process.stdout.write(`${formatReport(result, head)}\n`);
    return 0;
  },
};
