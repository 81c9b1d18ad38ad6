import type { Command } from '../main';

/** Placeholder: lands with its issue. */
export const replay: Command = {
  summary: 'replay: not built yet',
  usage: 'veritas replay <bundle.json>',
  options: {},
  async run() {
    console.error('veritas replay: not built yet');
    return 1;
  },
};
