import type { Command } from '../main';

/** Placeholder: lands with its issue. */
export const analyze: Command = {
  summary: 'analyze: not built yet',
  usage: 'veritas analyze <bundle.json>',
  options: {},
  async run() {
    console.error('veritas analyze: not built yet');
    return 1;
  },
};
