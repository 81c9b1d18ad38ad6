import { vi } from 'vitest';

/**
 * Runs a command (in tests) with the console silenced and returns its exit code and what it
 * printed, stdout then stderr, one entry per line printed.
 */
export async function printed(run: () => Promise<number>): Promise<{ code: number; lines: string[]; text: string }> {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await run();
    const lines = [...out.mock.calls, ...err.mock.calls].map((c) => String(c[0]));
    return { code, lines, text: lines.join('\n') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
