import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A subcommand: its flags (node:util parseArgs) and what it does. Returns the exit code. */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] }): Promise<number>;
}

/** Each command lives in its own file and is loaded only when used, so `veritas analyze` never loads the server. */
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve')).serve,
  migrate: async () => (await import('./commands/migrate')).migrate,
  demo: async () => (await import('./commands/demo')).demo,
  verify: async () => (await import('./commands/verify')).verify,
  seal: async () => (await import('./commands/seal')).seal,
  analyze: async () => (await import('./commands/analyze')).analyze,
  replay: async () => (await import('./commands/replay')).replay,
  audit: async () => (await import('./commands/audit')).audit,
  admin: async () => (await import('./commands/admin')).admin,
  auth: async () => (await import('./commands/auth')).auth,
  certificates: async () => (await import('./commands/certificates')).certificates,
  backup: async () => (await import('./commands/backup')).backup,
  restore: async () => (await import('./commands/restore')).restore,
  retention: async () => (await import('./commands/retention')).retention,
  'import-idfx': async () => (await import('./commands/import-idfx')).importIdfx,
};

function help(): string {
  return [
    'Usage: veritas <command> [options]',
    '',
    'Commands:',
    ...Object.keys(commands).map((c) => `  ${c}`),
    '',
    'veritas <command> --help for its options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`veritas: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${cmd.summary}\n\nUsage: ${cmd.usage}`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`veritas ${name}: ${(err as Error).message}\nUsage: ${cmd.usage}`);
    return 2;
  }
  try {
    return await cmd.run(parsed);
  } catch (err) {
    console.error(`veritas ${name}: ${(err as Error).message}`);
    return 1;
  }
}
