import type { Command } from '../main';

/** Placeholder: the server lands with the spine issue. */
export const demo: Command = {
  summary: 'demo: not built yet',
  usage: 'veritas demo',
  options: {},
  async run() {
    console.error('veritas demo: not built yet');
    return 1;
  },
};
