/**
 * Where a server's CPU went, from the `.cpuprofile` that `--cpu-prof` writes (BENCH_SERVER_NODE_ARGS):
 * self time by function and by package, and inclusive time of the functions that name a step of ingest.
 *   npx tsx bench/ingest/profile-summary.ts file.cpuprofile [top=40]
 * Shares are of the busy time (samples that were not "(idle)"), so runs of different length compare.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Functions whose inclusive time tells a step of ingest apart (matched on name, then on file). */
const STEPS: [string, RegExp][] = [
  ['checkSeal (hash + MAC)', /^checkSeal(Of)?$/],
  ['canonical JSON', /^(canonicalJson|serialize|canonicalBatch|canonical)$/],
  ['JSON body parse', /^parseJsonBody$/],
  ['checkEvents', /^checkEvents$/],
  ['appendToChains', /^appendToChains$/],
  ['commitGroup', /^commitGroup$/],
  ['ajv validate', /^validate\d*$/],
  ['pg prepareValue', /^prepareValue$/],
  ['JSON.stringify', /^stringify$/],
  ['garbage collector', /^\(garbage collector\)$/],
];

function packageOf(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const src = /\/(apps|packages)\/([^/]+)\/src\/(.*)$/.exec(url);
  return src ? `${src[1]}/${src[2]}: ${src[3]!.split('/').slice(0, 2).join('/')}` : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts file.cpuprofile [top]');
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<string, number>();
const pkg = new Map<string, number>();
const steps = new Map<string, number>();
let busy = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)' || functionName === '(program)') {
    idle += dt;
    return;
  }
  busy += dt;
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  pkg.set(packageOf(url), (pkg.get(packageOf(url)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = byId.get(at)!.callFrame.functionName;
    for (const [label, re] of STEPS) if (!seen.has(label) && re.test(name)) seen.add(label);
  }
  for (const label of seen) steps.set(label, (steps.get(label) ?? 0) + dt);
});

const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(v)}  ${(v / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`busy ${(busy / 1e6).toFixed(2)} s, idle or program ${(idle / 1e6).toFixed(2)} s`);
print('inclusive, by step', steps, STEPS.length);
print('self, by package or folder', pkg, 25);
print('self, by function', self, top);
