import { readFile } from 'node:fs/promises';
import { parseBundle, verifyChain, type Bundle, type ChainProblem } from '@veritas/schema';

/** A bundle file read, parsed and its chain checked: what verify, analyze and replay all start from. */
export type BundleFile = { ok: true; bundle: Bundle; chain: ChainProblem | null } | { ok: false; issues: { path: string; message: string }[] };

export async function readBundleFile(file: string | undefined): Promise<BundleFile> {
  if (!file) throw new Error('give a bundle file');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
    throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseBundle(json);
  if (!parsed.ok) return parsed;
  return { ok: true, bundle: parsed.bundle, chain: await verifyChain(parsed.bundle.session.id, parsed.bundle.batches) };
}

/** Prints why a bundle is not valid, one line per issue. */
export function reportInvalid(issues: { path: string; message: string }[]): number {
  for (const i of issues) console.error(`invalid: ${i.path || '/'} ${i.message}`);
  return 1;
}
