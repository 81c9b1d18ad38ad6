import { createAdminInvitation } from '@veritas/server';
import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

const USAGE = 'veritas admin create --tenant <slug> [--tenant-name <name>] --email <address> [--name <display name>] [--data DIR]';

/** The first admin of an institution (or another one): the institution is created if needed, the admin gets a one-time link. */
export const admin: Command = {
  summary: 'Create an institution (if it does not exist) and an invitation for its admin; prints the one-time link.',
  usage: USAGE,
  options: {
    tenant: { type: 'string' },
    'tenant-name': { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    data: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals[0] !== 'create' || positionals.length > 1) {
      console.error(`veritas admin: the only subcommand is "create"\nUsage: ${USAGE}`);
      return 2;
    }
    const { tenant, email } = values;
    if (typeof tenant !== 'string' || typeof email !== 'string') {
      console.error(`veritas admin create: --tenant and --email are required\nUsage: ${USAGE}`);
      return 2;
    }
    const config = configFromFlags(values);
    const invitation = await withMigratedDatabase(config, (database) =>
      createAdminInvitation(database, {
        tenantSlug: tenant,
        email,
        ...(typeof values['tenant-name'] === 'string' ? { tenantName: values['tenant-name'] } : {}),
        ...(typeof values.name === 'string' ? { displayName: values.name } : {}),
        // Where the person will open the link: the public URL, else this server on its configured port.
        linkBase: config.publicUrl ?? `http://localhost:${config.port}`,
      }),
    );
    const { tenant: row } = invitation;
    console.log(`${invitation.tenantCreated ? 'created' : 'found'} institution "${row.name}" (${row.slug}) in ${describeStorage(config)}`);
    console.log(`invitation for ${email.trim().toLowerCase()} as admin, valid until ${invitation.expiresAt.toISOString()}:`);
    console.log(`  ${invitation.link}`);
    console.log('This server sends no email: give the link to the person. It works once and is not shown again.');
    return 0;
  },
};
