import { randomUUID } from 'node:crypto';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import {
  countRegistrations,
  deleteRegistration,
  findRegistration,
  insertRegistration,
  listRegistrations,
  updateRegistration,
  type LtiRegistrationRow,
  type RegistrationFields,
} from './lti.repository';

/** A tenant registers a few LMSs (one per platform and client id), not hundreds. */
export const MAX_REGISTRATIONS = 20;

export interface RegistrationInput {
  name: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  jwksUrl: string;
  authEndpoint: string;
  tokenEndpoint: string;
  frameOrigins?: string[];
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;

/** An https URL (plain http only on loopback, for development and tests), without credentials or fragment. */
function endpoint(field: string, value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))))
    throw new AppError('lti-registration-invalid', `/body/${field}: an https URL (plain http only on localhost)`);
  if (url.username || url.password || url.hash) throw new AppError('lti-registration-invalid', `/body/${field}: no credentials or fragment in the URL`);
  return url;
}

/** The registration's fields, checked: URLs, deployments without duplicates, frame origins as origins (by default those of the issuer and the auth endpoint). */
export function fieldsOf(input: RegistrationInput): RegistrationFields {
  endpoint('issuer', input.issuer);
  const auth = endpoint('authEndpoint', input.authEndpoint);
  endpoint('jwksUrl', input.jwksUrl);
  endpoint('tokenEndpoint', input.tokenEndpoint);
  const frameOrigins = input.frameOrigins ?? [new URL(input.issuer).origin, auth.origin];
  const origins = frameOrigins.map((o, i) => {
    const url = endpoint(`frameOrigins/${i}`, o);
    if (url.pathname !== '/' || url.search) throw new AppError('lti-registration-invalid', `/body/frameOrigins/${i}: an origin (scheme, host, port), no path`);
    return url.origin;
  });
  return {
    name: input.name.trim(),
    issuer: input.issuer,
    clientId: input.clientId,
    deploymentIds: [...new Set(input.deploymentIds)],
    jwksUrl: input.jwksUrl,
    authEndpoint: input.authEndpoint,
    tokenEndpoint: input.tokenEndpoint,
    frameOrigins: [...new Set(origins)],
  };
}

/** A tenant's administrator registers their LMS platforms (LTI 1.3). Every change is audited. */
export function createLtiRegistrations({ database, audit, clock }: { database: Database; audit: AuditService; clock: () => Date }) {
  const db = database.db;
  const taken = (err: unknown): never => {
    if ((err as { code?: unknown }).code === '23505')
      throw new AppError('lti-registration-invalid', 'this institution already registered this issuer with this client id');
    return rethrowUnavailable(err);
  };

  async function record(admin: UserActor, action: string, id: string, context: RequestContext, detail: Record<string, unknown>) {
    await audit.record({ tenantId: admin.tenantId, actor: admin, action, resource: { type: 'lti-registration', id }, context, detail });
  }

  return {
    list: (admin: UserActor) => guard(listRegistrations(db, admin.tenantId)),

    async get(admin: UserActor, id: string): Promise<LtiRegistrationRow> {
      const row = await guard(findRegistration(db, admin.tenantId, id));
      if (!row) throw new AppError('not-found', 'no such LTI registration');
      return row;
    },

    async create(admin: UserActor, input: RegistrationInput, context: RequestContext): Promise<LtiRegistrationRow> {
      const fields = fieldsOf(input);
      if ((await guard(countRegistrations(db, admin.tenantId))) >= MAX_REGISTRATIONS)
        throw new AppError('lti-registration-invalid', `an institution registers at most ${MAX_REGISTRATIONS} platforms`);
      const row = await insertRegistration(db, admin.tenantId, randomUUID(), fields).catch(taken);
      await record(admin, 'lti-registration.create', row.id, context, { issuer: row.issuer, clientId: row.client_id, deploymentIds: row.deployment_ids });
      return row;
    },

    async update(admin: UserActor, id: string, input: RegistrationInput, context: RequestContext): Promise<LtiRegistrationRow> {
      const fields = fieldsOf(input);
      const row = await updateRegistration(db, admin.tenantId, id, fields, clock()).catch(taken);
      if (!row) throw new AppError('not-found', 'no such LTI registration');
      await record(admin, 'lti-registration.update', row.id, context, { issuer: row.issuer, clientId: row.client_id, deploymentIds: row.deployment_ids });
      return row;
    },

    /** Ends the registration: its logins in flight, and its links of LMS users and courses, go with it (the accounts and classes stay). */
    async remove(admin: UserActor, id: string, context: RequestContext): Promise<void> {
      if (!(await guard(deleteRegistration(db, admin.tenantId, id)))) throw new AppError('not-found', 'no such LTI registration');
      await record(admin, 'lti-registration.delete', id, context, {});
    },
  };
}
export type LtiRegistrations = ReturnType<typeof createLtiRegistrations>;
