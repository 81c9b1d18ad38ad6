import type { Command } from '../main';

/** Placeholder: the server lands with the spine issue. */
export const serve: Command = {
  summary: 'serve: not built yet',
  usage: 'veritas serve',
  options: {},
  async run() {
    console.error('veritas serve: not built yet');
    return 1;
  },
};
