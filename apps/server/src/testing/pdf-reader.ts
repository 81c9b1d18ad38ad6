import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';

/**
 * Poppler's command-line tools (Debian package poppler-utils) as a test reads a PDF: its text
 * (pdftotext), its pages as PNG (pdftoppm), its page count (pdfinfo) and its attached files (pdfdetach).
 * They are a real, independent PDF reader: what they can read, a person's viewer can.
 */
const run = promisify(execFile);

export interface ReadPdf {
  text: string;
  pages: number;
  /** Each page as a decoded PNG. */
  png: PNG[];
  /** Attached files by name. */
  attachments: Map<string, Buffer>;
}

export async function readPdf(pdf: Buffer, dpi = 60): Promise<ReadPdf> {
  const dir = await mkdtemp(join(tmpdir(), 'veritas-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    await writeFile(file, pdf);
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
    const { stdout: info } = await run('pdfinfo', [file]);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? NaN);
    await run('pdftoppm', ['-png', '-r', String(dpi), file, join(dir, 'page')]);
    const pngs = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.png')).sort();
    const png = await Promise.all(pngs.map(async (f) => PNG.sync.read(await readFile(join(dir, f)))));
    const out = join(dir, 'attached');
    await mkdir(out);
    await run('pdfdetach', ['-saveall', '-o', out, file]);
    const attachments = new Map<string, Buffer>();
    for (const f of await readdir(out)) attachments.set(f, await readFile(join(out, f)));
    return { text, pages, png, attachments };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Shares of a page's pixels that are ink (dark) and that are the chart's blue bars. */
export function inkOf(page: PNG): { dark: number; blue: number } {
  let dark = 0;
  let blue = 0;
  const n = page.width * page.height;
  for (let i = 0; i < n; i++) {
    const r = page.data[i * 4]!;
    const g = page.data[i * 4 + 1]!;
    const b = page.data[i * 4 + 2]!;
    if (r + g + b < 3 * 160) dark++;
    if (b > r + 60 && b > g + 20) blue++;
  }
  return { dark: dark / n, blue: blue / n };
}
