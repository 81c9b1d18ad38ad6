import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, toBundle } from '@veritas/simulator';
import { analyzeSession, type AnalysisResult } from '@veritas/analysis';
import { analyze, parseThresholds } from './analyze';

let dir: string;
const files: Record<string, string> = {};

async function run(file: string, args: Record<string, string | boolean | string[]> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)));
  try {
    const code = await analyze.run({ values: args, positionals: [file] });
    return { code, out: out.join(''), err: err.join('\n') };
  } finally {
    w.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-analyze-'));
  for (const kind of ['copy', 'genuine', 'proctoring-violations'] as const) {
    files[kind] = join(dir, `${kind}.json`);
    await writeFile(files[kind]!, JSON.stringify(await toBundle(simulate(kind, 2, { paragraphs: 3 }), { batchSize: 250 })));
  }
  files.bad = join(dir, 'bad.json');
  await writeFile(files.bad, JSON.stringify({ format: 'veritas.bundle/v1', session: {}, batches: [] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('veritas analyze', () => {
  it('prints a readable report: score with reasons, flags with evidence, metrics table', async () => {
    const { code, out } = await run(files.copy!);
    expect(code).toBe(0);
    expect(out).toMatch(/chain intact/);
    expect(out).toMatch(/Score: integrity 0\.50, HIGH risk/);
    expect(out).toMatch(/\[high\] transcription {2}seq \d+–\d+, \d+:\d\d–\d+:\d\d/);
    expect(out).toMatch(/“[A-Z][a-z]+ /);
    expect(out).toMatch(/sentence gradient +1\.\d+/);
    expect(out).toMatch(/ {2}beforeSentence +\d+ intervals/);
  });

  it('--json gives the same analysis as data, equal to analyzeSession on the bundle events', async () => {
    const { code, out } = await run(files.genuine!, { json: true });
    expect(code).toBe(0);
    const data = JSON.parse(out) as { chain: { intact: boolean }; analysis: AnalysisResult };
    expect(data.chain.intact).toBe(true);
    expect(data.analysis).toEqual(analyzeSession(simulate('genuine', 2, { paragraphs: 3 }).events));
    expect(data.analysis.score.reasons[0]!.detector).toBe('none');
  });

  it('takes per-exam thresholds and can refuse host signals', async () => {
    const strict = JSON.parse(
      (await run(files.genuine!, { json: true, threshold: ['transcriptionMaxGradient=1000', 'transcriptionMaxSentencePauseShare=1'] })).out,
    );
    expect(strict.analysis.flags.map((f: { detector: string }) => f.detector)).toContain('transcription');
    expect(strict.analysis.thresholds.transcriptionMaxGradient).toBe(1000);
    const withHost = await run(files['proctoring-violations']!);
    expect(withHost.out).toMatch(/host: confusion .*not scored/);
    const refused = await run(files['proctoring-violations']!, { 'refuse-host-signals': true });
    expect(refused.out).not.toMatch(/confusion/);
    expect(refused.out).toMatch(/refused by policy/);
    expect(() => parseThresholds(['nope=1'])).toThrow(/unknown threshold/);
    expect(() => parseThresholds(['pauseMs=abc'])).toThrow(/not a number/);
  });

  it('refuses an invalid bundle with its issues and exit code 1', async () => {
    const { code, err } = await run(files.bad!);
    expect(code).toBe(1);
    expect(err).toMatch(/invalid: \/session/);
  });
});
