import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, VeritasEvent } from '../types';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** Bundles the recorder as the browser gets it (one ESM file) into a fresh temp dir; returns the dir. */
export async function bundleRecorder(dir = mkdtempSync(join(tmpdir(), 'veritas-rec-'))): Promise<string> {
  await build({
    entryPoints: [join(SRC, 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'recorder.js'),
    logLevel: 'silent',
  });
  return dir;
}

/**
 * A page that loads the recorder as `window.V` and holds the given editor markup. The loader is a
 * file, not an inline script: the Veritas server's CSP (script-src 'self') refuses inline scripts.
 */
export function pageHtml(editor: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>${editor}
<script type="module" src="/boot.js"></script></body></html>`;
}

export function writePage(dir: string, name: string, editor: string): void {
  writeFileSync(join(dir, name), pageHtml(editor));
  writeFileSync(join(dir, 'boot.js'), "import * as V from '/recorder.js'; window.V = V; window.veritasLoaded = true;\n");
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** A tiny static file server over `dir`. */
export async function serveDir(dir: string, headers: Record<string, string> = {}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, server, close: () => new Promise((r) => server.close(() => r())) };
}

export function eventsOf(bundle: Pick<Bundle, 'batches'>): VeritasEvent[] {
  return bundle.batches.flatMap((b) => b.events);
}

/** Replays the text.ops over the first snapshot's text: what a viewer will do. */
export function replayText(events: readonly VeritasEvent[]): string {
  const first = events.find((e) => e.type === 'snapshot');
  let text = first && first.type === 'snapshot' ? first.data.text : '';
  for (const e of events) {
    if (e.type !== 'text.op') continue;
    const { pos, del, ins } = e.data;
    if (pos + del > text.length) throw new Error(`op at seq ${e.seq} reaches past the text (${pos}+${del} > ${text.length})`);
    text = text.slice(0, pos) + ins + text.slice(pos + del);
  }
  return text;
}

export function ops(events: readonly VeritasEvent[]) {
  return events.flatMap((e) => (e.type === 'text.op' ? [e.data] : []));
}
