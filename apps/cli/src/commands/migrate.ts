import type { Command } from '../main';

/** Placeholder: the server lands with the spine issue. */
export const migrate: Command = {
  summary: 'migrate: not built yet',
  usage: 'veritas migrate',
  options: {},
  async run() {
    console.error('veritas migrate: not built yet');
    return 1;
  },
};
