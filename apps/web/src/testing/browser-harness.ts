/**
 * Test and bench support for the viewer in real Chromium (Node only, never bundled): builds the
 * web app, serves it with a tiny static server (plus optional API answers), and makes bundles.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { BUNDLE_FORMAT, genesisHash, LIMITS, sealBatch, type VeritasEvent } from '@veritas/schema';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};
const WEB_ROOT = new URL('../../', import.meta.url).pathname;

/** Builds apps/web into outDir with Vite's API (quietly). */
export async function buildWeb(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false } });
}

/** A /v1 answer other than JSON 200: any status, a raw body (NDJSON, text) with its type, extra headers. */
export interface ApiAnswer {
  status?: number;
  /** Content type of a string or byte body; JSON bodies are application/json. */
  type?: string;
  /** A list for a header sent several times (Set-Cookie). */
  headers?: Record<string, string | string[]>;
  body: unknown;
}
/** Answers a /v1 path afresh on every request (an answer that changes, a stream, a status other than 200). */
export type ApiHandler = (req: IncomingMessage) => ApiAnswer | Promise<ApiAnswer>;

/**
 * Serves a built app; unknown paths get index.html (client routing). `api` answers the /v1 paths
 * it knows (by pathname, query ignored): a value is sent as JSON with 200, an ApiHandler function
 * is called; other /v1 paths get a 404 problem.
 */
export async function serveStatic(dir: string, api: Record<string, unknown> = {}): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.startsWith('/v1/')) {
      const route = api[path];
      const answer: ApiAnswer =
        route === undefined
          ? { status: 404, type: 'application/problem+json', body: { title: 'Not Found', status: 404 } }
          : typeof route === 'function'
            ? await (route as ApiHandler)(req)
            : { body: route };
      const raw = typeof answer.body === 'string' || answer.body instanceof Uint8Array || answer.body === undefined;
      const data = raw ? ((answer.body ?? '') as string | Uint8Array) : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? (raw ? 'text/plain' : 'application/json'), ...answer.headers });
      res.end(data);
      return;
    }
    const asked = normalize(join(dir, path));
    const file = asked.startsWith(dir) && extname(asked) !== '' ? asked : join(dir, 'index.html');
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${addr.port}`, server };
}

/** Seals events into a v1 bundle (batches of at most LIMITS.batchEvents). */
export async function sealBundle(sessionId: string, events: VeritasEvent[], kind: 'writing' | 'proctoring' | 'sensor' = 'writing') {
  const batches = [];
  let prev = await genesisHash(sessionId);
  for (let i = 0; i < events.length; i += LIMITS.batchEvents) {
    const b = await sealBatch(events.slice(i, i + LIMITS.batchEvents), prev);
    batches.push(b);
    prev = b.hash;
  }
  return { format: BUNDLE_FORMAT, session: { id: sessionId, kind, createdAt: '2026-01-01T00:00:00.000Z' }, batches };
}

const WORDS = 'the quick brown fox jumps over a lazy dog while writers revise their essays'.split(' ');

/**
 * A writing session: `words` words typed with key events, a paste from outside, a copy and an
 * internal paste, an IME insertion, a pause and time away, and periodic metrics.
 */
export function writingEvents(words: number): VeritasEvent[] {
  const events: VeritasEvent[] = [];
  let t = 0;
  let len = 0;
  const add = (type: VeritasEvent['type'], data: unknown) => events.push({ seq: events.length, t, type, data } as VeritasEvent);
  const type = (s: string) => {
    for (const ch of s) {
      t += 120;
      add('text.op', { pos: len, del: 0, ins: ch, cause: 'type', trusted: true });
      len += ch.length;
      t += 50;
      add('key', { class: ch === ' ' ? 'space' : ch === '\n' ? 'enter' : 'char', hold: 80 });
    }
  };
  for (let w = 0; w < words; w++) {
    type(`${WORDS[w % WORDS.length]}${w % 40 === 39 ? '\n' : ' '}`);
    if (w === Math.floor(words / 4)) {
      t += 1000;
      add('clipboard', { action: 'paste', len: 22, hash: 'e'.repeat(16) });
      add('text.op', { pos: len, del: 0, ins: 'FROM ELSEWHERE ENTIRELY', cause: 'paste' });
      len += 23;
    }
    if (w === Math.floor(words / 2)) {
      t += 500;
      add('clipboard', { action: 'copy', len: 5, hash: 'c'.repeat(16) });
      add('clipboard', { action: 'paste', len: 5, hash: 'c'.repeat(16) });
      add('text.op', { pos: len, del: 0, ins: 'again', cause: 'paste' });
      len += 5;
      t += 30_000; // a long pause, then time away
      add('visibility', { state: 'hidden' });
      t += 60_000;
      add('visibility', { state: 'visible' });
    }
    if (w === Math.floor((words * 3) / 4)) {
      t += 300;
      add('text.op', { pos: len, del: 0, ins: '日本語', cause: 'ime' });
      len += 3;
    }
  }
  return events;
}

/** A request's JSON body, read in an ApiHandler. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/** The WCAG 2.1 A and AA rules of axe-core: the level the web app holds itself to. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let axeSource: string | undefined;

/**
 * A page to check with axe: axe-core is injected as an inline script, which the server's CSP
 * (`script-src 'self'`) refuses, so this page ignores the CSP. Tests that are not about
 * accessibility keep to ordinary pages, where the CSP applies.
 */
export async function newA11yPage(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true, ...options });
  const page = await context.newPage();
  // Closing the page closes its context; when the context or the browser is closing already
  // (context().close(), afterAll's browser.close()) that second close rejects, which is no fault.
  page.on('close', () => context.close().catch(() => undefined));
  return page;
}

/** One axe finding: the rule, its impact, and where (a selector and axe's summary per element). */
export interface A11yViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now (WCAG 2.1 A/AA) and returns what it found: [] is a pass.
 * React Aria's live announcer is left out: an off-screen live region whose entries (kept 7 s) name
 * elements by id, such as a pending button on the page just left; it is speech, not content.
 */
export async function a11yViolations(page: Page): Promise<A11yViolation[]> {
  axeSource ??= await readFile(join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: object, options: object): Promise<AxeResults> } }).axe;
    return axe.run({ exclude: [['[data-live-announcer]']] }, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  }, WCAG_TAGS);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
  }));
}
