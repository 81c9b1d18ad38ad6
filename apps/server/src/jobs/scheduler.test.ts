import { describe, expect, it } from 'vitest';
import { startScheduler } from './scheduler';

const quiet = { error: () => {}, warn: () => {} };

async function until(check: () => boolean, ceilingMs = 60_000): Promise<void> {
  const end = Date.now() + ceilingMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('scheduler', () => {
  it('runs a task at start and again on its schedule, after a failed run too', async () => {
    let runs = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'sweep',
          everyMs: 10,
          run: async () => {
            runs++;
            if (runs === 2) throw new Error('database away');
          },
        },
      ],
      quiet,
    );
    await until(() => runs >= 4);
    await scheduler.stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(after);
  });

  it('never runs two runs of one task at once', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          everyMs: 1,
          run: async () => {
            active++;
            most = Math.max(most, active);
            await new Promise((r) => setTimeout(r, 5));
            active--;
            runs++;
          },
        },
      ],
      quiet,
    );
    await until(() => runs >= 5);
    await scheduler.stop();
    expect(most).toBe(1);
  });
});
